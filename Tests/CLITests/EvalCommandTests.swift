import ArgumentParser
import Foundation
import Imaging
import Reports
import Testing
@testable import Evaluation
@testable import deepfake_scan

/// `deepfake-scan eval` end to end through its run logic, on files each test writes.
@Suite final class EvalCommandTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("eval-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // Reals .2 .7; fakes .9 .4 .8, one without a face, one never scanned; one unlabelled score.
        let labels = """
            path\tlabel\tdataset\tmethod
            orig/r1.mp4\treal\tset\toriginal
            orig/r2.mp4\treal\tset\toriginal
            df/f1.mp4\tfake\tset\tDeepfakes
            df/f2.mp4\tfake\tset\tDeepfakes
            fs/f3.mp4\tfake\tset\tFaceSwap
            fs/n1.mp4\tfake\tset\tFaceSwap
            fs/never-scanned.mp4\tfake\tset\tFaceSwap

            """
        try labels.write(to: file("labels.tsv"), atomically: true, encoding: .utf8)
        let scores: [(String, Double?)] = [("orig/r1.mp4", 0.2), ("orig/r2.mp4", 0.7), ("df/f1.mp4", 0.9), ("df/f2.mp4", 0.4),
                                           ("fs/f3.mp4", 0.8), ("fs/n1.mp4", nil), ("other/unlabelled.mp4", 0.1)]
        let rows = scores.map { path, pFake in
            VideoRow(path: "/data/set/" + path, status: pFake == nil ? .noFace : .ok, pFake: pFake, verdict: .unknown,
                     threshold: 0.6, model: "meso4", aggregator: "mean")
        }
        try CSV.document(header: VideoRow.csvHeader, rows: rows.map(\.csvFields))
            .write(to: file("scan.csv"), atomically: true, encoding: .utf8)
        let faces = [("df/f1.mp4", 0.9), ("orig/r1.mp4", 0.3), ("orig/r2.mp4", 0.95)].map { video, pFake in
            FaceRow(video: "/data/set/" + video, frameIndex: 0, seconds: 0, track: 0,
                    box: FaceBox(x: 0, y: 0, width: 10, height: 10), pFake: pFake)
        }
        try faces.map { try $0.jsonLine() }.joined().write(to: file("faces.jsonl"), atomically: true, encoding: .utf8)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func file(_ name: String) -> URL { directory.appendingPathComponent(name) }

    func run(_ arguments: [String]) async throws -> (code: Int32, output: String, error: String) {
        let command = try Eval.parse(arguments)
        var output = ""
        var error = ""
        let code = await command.execute(progress: nil, print: { output += $0 }, printError: { error += $0 })
        return (code, output, error)
    }

    @Test func printsTheTableForPeople() async throws {
        let result = try await run([file("labels.tsv").path, "--scores", file("scan.csv").path])
        #expect(result.code == 0)
        #expect(result.error.isEmpty)
        #expect(result.output.contains("Video level: 6 videos (4 fake, 2 real)"))
        #expect(result.output.contains("AUC                 0.7500"))
        #expect(result.output.contains("threshold           0.6000 (from the scan)"))
        #expect(result.output.contains("By method"))
        #expect(result.output.contains("Labels without a score (1): fs/never-scanned.mp4"))
    }

    @Test func jsonCarriesEveryPartAndReadsBack() async throws {
        let result = try await run([
            file("labels.tsv").path, "--scores", file("scan.csv").path, "--faces", file("faces.jsonl").path,
            "--threshold", "0.5", "--no-face", "exclude", "--by", "dataset", "--by", "method", "--json",
        ])
        #expect(result.code == 0)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let report = try decoder.decode(EvaluationReport.self, from: Data(result.output.utf8))
        #expect(report.threshold == 0.5 && report.thresholdSource == .given && report.noFace == .exclude)
        #expect(abs(report.video.auc! - 5.0 / 6) < 1e-12)
        #expect(report.frame?.samples == 3)
        #expect(report.frame?.auc == 0.5)  // the fake crop .9 beats the real .3, loses to .95
        #expect(Set(report.categories.map(\.column)) == ["dataset", "method"])
        #expect(report.categories.first { $0.column == "dataset" }?.auc == report.video.auc)
    }

    @Test func comparesWithAnotherScan() async throws {
        // The same scan against itself: no difference, and the JSON carries it.
        let result = try await run([file("labels.tsv").path, "--scores", file("scan.csv").path,
                                    "--compare", file("scan.csv").path, "--bootstrap", "20"])
        #expect(result.code == 0 && result.error.isEmpty)
        #expect(result.output.contains("AUC difference      +0.0000  [0.0000, 0.0000] (paired bootstrap, 20 resamples, seed 0)"))
        #expect(result.output.contains("this model 0.7500 against 0.7500 for \(file("scan.csv").path), on the 6 videos both score"))
        let missing = try await run([file("labels.tsv").path, "--scores", file("scan.csv").path, "--compare", file("absent.csv").path])
        #expect(missing.code == 2 && missing.error == "error: cannot read \(file("absent.csv").path): no such file\n")
    }

    @Test func unreadableInputsExitTwoWithOneLine() async throws {
        let missing = try await run([file("labels.tsv").path, "--scores", file("absent.csv").path])
        #expect(missing.code == 2)
        #expect(missing.error == "error: cannot read \(file("absent.csv").path): no such file\n")
        try "path,label\n".write(to: file("empty-faces.jsonl"), atomically: true, encoding: .utf8)
        let badFrames = try await run([file("labels.tsv").path, "--scores", file("scan.csv").path,
                                 "--faces", file("empty-faces.jsonl").path])
        #expect(badFrames.code == 2)
        #expect(badFrames.error.hasPrefix("error: cannot read \(file("empty-faces.jsonl").path): not the scan's JSONL"))
        #expect(badFrames.error.filter { $0 == "\n" }.count == 1)
    }

    @Test(arguments: [
        ["labels.tsv", "--scores", "s.csv", "--threshold", "1.5"],
        ["labels.tsv", "--scores", "s.csv", "--no-face", "zero"],
        ["labels.tsv", "--scores", "s.csv", "--by", " "],
    ])
    func usageErrorsAreRejectedAtParsing(_ arguments: [String]) {
        #expect(throws: (any Error).self) { try Eval.parse(arguments) }
    }

    @Test func theRootCommandKnowsEval() throws {
        let parsed = try DeepfakeScan.parseAsRoot(["eval", "l.tsv", "--scores", "s.csv"])
        #expect(parsed is Eval)
    }
}
