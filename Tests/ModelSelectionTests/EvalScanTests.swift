import Detectors
import Evaluation
import Foundation
import Imaging
import Reports
import Scan
import Testing
import VideoDecode
@testable import deepfake_scan

/// `eval` scanning labelled videos itself: two Samples clips with a labels.tsv in a temporary
/// folder, synthetic Meso-4 weights, YuNet from .deps (skipped without it).
@Suite(.serialized, .enabled(if: PackageFolder.hasFaceDetector, "needs .deps/yuface (make setup-yuface)"))
final class EvalScanTests {
    static let packageRoot = PackageFolder.root

    let directory: URL
    let models: URL
    let labels: String

    init() throws {
        directory = try SyntheticWeights.temporaryDirectory("eval-scan")
        models = directory.appendingPathComponent("models")
        for folder in ["videos/real", "videos/fake", "models"] {
            try FileManager.default.createDirectory(at: directory.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        for (sample, target) in [("astronaut_real", "real/astronaut.mp4"), ("astronaut_blended", "fake/astronaut.mp4")] {
            try FileManager.default.copyItem(at: Self.packageRoot.appendingPathComponent("Samples/\(sample).mp4"),
                                             to: directory.appendingPathComponent("videos/\(target)"))
        }
        labels = directory.appendingPathComponent("videos/labels.tsv").path
        try "path\tlabel\tmethod\nreal/astronaut.mp4\treal\toriginal\nfake/astronaut.mp4\tfake\tself-blend\n"
            .write(toFile: labels, atomically: true, encoding: .utf8)
        try SyntheticWeights.writeMeso4(name: "tiny-meso", into: models, threshold: 0.4)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func eval(_ arguments: [String]) async throws -> (code: Int32, output: String, error: String) {
        let command = try Eval.parse([labels] + arguments)
        var output = "", error = ""
        let code = await command.execute(progress: nil, catalog: { ModelCatalog(directory: self.models) },
                                         print: { output += $0 }, printError: { error += $0 })
        return (code, output, error)
    }

    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }

    @Test func evalModelScansTheLabelledVideosAndReportsMetrics() async throws {
        let csv = directory.appendingPathComponent("kept/scan.csv").path
        try FileManager.default.createDirectory(atPath: directory.appendingPathComponent("kept").path,
                                                withIntermediateDirectories: true)
        let result = try await eval(["--model", "tiny-meso", "--frames", "3", "--json", "--csv", csv])
        #expect(result.code == 0, "\(result.error)")
        let report = try Self.decoder().decode(EvaluationReport.self, from: Data(result.output.utf8))
        #expect(report.matching.matched == 2 && report.matching.labelsWithoutScore.isEmpty)
        #expect(report.video.samples == 2 && report.video.fakes == 1)
        #expect(report.threshold == 0.4 && report.thresholdSource == .scan)  // the card's calibrated threshold
        #expect(report.frame?.samples == 6)  // one face in each of 3 frames of 2 videos
        #expect(report.categories.map(\.value).sorted() == ["original", "self-blend"])
        let rows = try CSV.parse(String(contentsOfFile: csv, encoding: .utf8)).dropFirst().map(VideoRow.init(csvFields:))
        #expect(rows.count == 2 && rows.allSatisfy { $0.status == .ok && $0.model == "tiny-meso" && $0.framesSampled == 3 })
        // eval over the kept CSV and JSONL gives the same report (up to the CSV's 6 decimals).
        let again = try await eval(["--scores", csv, "--faces", directory.appendingPathComponent("kept/scan.faces.jsonl").path,
                                    "--json"])
        #expect(again.code == 0)
        let reread = try Self.decoder().decode(EvaluationReport.self, from: Data(again.output.utf8))
        #expect(reread.video.auc == report.video.auc && reread.frame?.auc == report.frame?.auc)
        #expect(reread.video.confusion == report.video.confusion && reread.matching == report.matching)
        #expect(abs((reread.video.logLoss ?? 0) - (report.video.logLoss ?? 1)) < 1e-5)
    }

    /// A model with manipulation classes: the CSV eval keeps has the manipulation columns (eval
    /// builds its own run configuration, which once left them out), and the report its matrix.
    @Test func evalOfAModelWithClassesKeepsTheManipulationColumns() async throws {
        let weights = try SyntheticWeights.writeAMTENnet(name: "tiny-amten", into: directory, threshold: 0.5)
        let csv = directory.appendingPathComponent("classes.csv").path
        let result = try await eval(["--weights", weights.path, "--frames", "2", "--json", "--csv", csv])
        #expect(result.code == 0, "\(result.error)")
        let header = try #require(try CSV.parse(String(contentsOfFile: csv, encoding: .utf8)).first)
        #expect(header == VideoRow.csvHeader + ["manipulation", "manipulation_p"])
        let rows = try ReportWriter.readCSV(at: URL(fileURLWithPath: csv))
        #expect(rows.count == 2 && rows.allSatisfy { ["self_blend", "lip_sync"].contains($0.manipulation ?? "") })
        let report = try Self.decoder().decode(EvaluationReport.self, from: Data(result.output.utf8))
        #expect(report.manipulation?.rows.map(\.method) == ["real", "self-blend"])
        let faces = try FaceRow.parseLines(String(contentsOfFile: directory.appendingPathComponent("classes.faces.jsonl").path,
                                                  encoding: .utf8))
        #expect(faces.count == 4 && faces.allSatisfy { $0.manipulationProbabilities?.count == 3 })
    }

    @Test func perturbRunsBothScansAndReportsTheDrop() async throws {
        let weights = models.appendingPathComponent("tiny-meso.safetensors").path
        let csv = directory.appendingPathComponent("p.csv").path
        let spec = "jpeg:20,noise:0.05"
        let json = try await eval(["--weights", weights, "--frames", "2", "--perturb", spec, "--json", "--csv", csv])
        #expect(json.code == 0, "\(json.error)")
        let report = try Self.decoder().decode(RobustnessReport.self, from: Data(json.output.utf8))
        #expect(report.perturbation == spec)
        #expect(report.clean.video.samples == 2 && report.perturbed.video.samples == 2)
        #expect(report.videoAucDrop == report.clean.video.auc! - report.perturbed.video.auc!)
        func scores(_ path: String) throws -> [Double?] {
            try CSV.parse(String(contentsOfFile: path, encoding: .utf8)).dropFirst().map { try VideoRow(csvFields: $0).pFake }
        }
        let clean = try scores(csv), degraded = try scores(directory.appendingPathComponent("p.perturbed.csv").path)
        #expect(clean.count == 2 && degraded.count == 2 && (clean + degraded).allSatisfy { $0 != nil })

        let text = try await eval(["--weights", weights, "--frames", "2", "--perturb", spec])
        #expect(text.code == 0)
        #expect(text.output.contains("== Perturbed frames (jpeg:20,noise:0.05)"))
        #expect(text.output.contains("== Robustness to jpeg:20,noise:0.05\n  video AUC  clean "))
        #expect(text.output.components(separatedBy: "Video level: 2 videos (1 fake, 1 real)").count == 3)
    }

    /// The scan's frame source degrades every frame, the same way on every run.
    @Test func theFrameSourceDegradesFramesReproducibly() throws {
        let video = directory.appendingPathComponent("videos/real/astronaut.mp4").path
        func frames(_ perturbations: [FramePerturbation]) throws -> [RGBImage] {
            var images: [RGBImage] = []
            let source = VideoFileSource(sampling: .evenly(count: 2), decodeThreads: 1, perturbations: perturbations)
            _ = try source.sampleFrames(path: video) { images.append($0.image); return true }
            return images
        }
        let clean = try frames([]), degraded = try frames([.jpeg(quality: 20), .noise(std: 0.05)])
        #expect(clean.count == 2 && degraded.count == 2)
        #expect(zip(clean, degraded).allSatisfy { $0.width == $1.width && $0.height == $1.height && $0 != $1 })
        #expect(try frames([.jpeg(quality: 20), .noise(std: 0.05)]) == degraded)
    }

    @Test func aModelThatCannotBeFoundIsAConfigurationError() async throws {
        let result = try await eval(["--model", "absent"])
        #expect(result.code == 2)
        #expect(result.error == "error: no bundled model named absent; bundled: tiny-meso. Pass --model NAME or "
            + "--weights FILE.safetensors\n")
    }
}

enum PackageFolder {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var hasFaceDetector: Bool {
        FileManager.default.fileExists(atPath: root.appendingPathComponent(".deps/yuface/libfacedetection.so").path)
    }
}

/// Option mistakes are rejected while parsing (the binary exits 2 for them).
@Suite struct EvalOptionTests {
    @Test(arguments: [
        (["l.tsv", "--perturb", "sharpen:2"], "--perturb: unknown perturbation 'sharpen'"),
        (["l.tsv", "--perturb", "jpeg:400"], "--perturb: 'jpeg:400': expected a quality 1…100"),
        (["l.tsv", "--scores", "s.csv", "--model", "m"], "--scores evaluates an earlier scan"),
        (["l.tsv", "--scores", "s.csv", "--frames", "8"], "--scores evaluates an earlier scan"),
        (["l.tsv", "--faces", "f.jsonl"], "--faces goes with --scores"),
        (["l.tsv", "--jobs", "0"], "--jobs must be 1…256"),
    ])
    func rejected(_ arguments: [String], _ message: String) {
        do {
            _ = try Eval.parse(arguments)
            Issue.record("accepted \(arguments)")
        } catch {
            #expect(Eval.message(for: error).contains(message), "\(Eval.message(for: error))")
        }
    }

    @Test func scanOptionsParse() throws {
        let command = try Eval.parse(["l.tsv", "--model", "m", "--frames", "8", "--jobs", "2", "--perturb", "blur:1.5,resize:0.5"])
        #expect(command.scan.model == "m" && command.sampling.frames == 8 && command.scan.limits.jobs == 2)
        #expect(command.scan.perturbations == [.blur(sigma: 1.5), .resize(factor: 0.5)])
        #expect(try Eval.parse(["l.tsv"]).scan.perturbations == nil)
    }
}
