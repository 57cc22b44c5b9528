import Foundation
import Reports
import Testing
import TestSupport

/// `scan --model A --model B` with the built binary and two bundled models, on lavfi-made
/// videos (a face pasted on a grey background, and a test pattern without one): each model's
/// columns equal a run of that model alone, `--ensemble mean` their mean, `--exclude` leaves
/// a file out.
@Suite(.serialized) struct MultiModelScanTests {
    static var missing: String? {
        if !FileManager.default.fileExists(atPath: ScanEndToEndTests.yuface.path) { return "no libfacedetection (make setup-yuface)" }
        if ExitCodeTests.binary == nil { return "deepfake-scan not built" }
        if !ChildProcess.hasFFmpeg { return "no ffmpeg" }
        return nil
    }

    static let models = ["sbi-meso4", "sbi-mesoinception4"]

    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("multimodel-\(UUID().uuidString)").path

    func makeVideos() throws {
        try FileManager.default.createDirectory(atPath: folder + "/videos", withIntermediateDirectories: true)
        let sample = ScanEndToEndTests.packageRoot.appendingPathComponent("Samples/astronaut_real.mp4").path
        _ = try ChildProcess.ffmpeg([
            "-f", "lavfi", "-i", "color=c=gray:s=320x320:r=25:d=2", "-i", sample, "-filter_complex",
            "[1:v]scale=220:220[f];[0:v][f]overlay=50:50:shortest=1", "-c:v", "libx264", "-pix_fmt", "yuv420p",
            folder + "/videos/face.mp4",
        ])
        _ = try ChildProcess.ffmpeg(["-f", "lavfi", "-i", "testsrc=s=160x120:r=25:d=1", "-pix_fmt", "yuv420p",
                                     folder + "/videos/pattern.mp4"])
        try FileManager.default.copyItem(atPath: folder + "/videos/pattern.mp4", toPath: folder + "/videos/skip-me.mp4")
    }

    func scan(_ name: String, _ options: [String]) throws -> [[String]] {
        let csv = folder + "/\(name).csv"
        let finished = try ChildProcess.run(
            try #require(ExitCodeTests.binary).path,
            ["scan", folder + "/videos", "--csv", csv, "--frames", "3", "--jobs", "1", "--exclude", "skip-*"] + options,
            stdout: .discard)
        #expect(finished.status == 0, "\(options): \(finished.stderrText)")
        // elapsed_s blanked: timings differ between runs.
        let records = try CSV.parse(String(contentsOfFile: csv, encoding: .utf8))
        let elapsed = try #require(records.first?.firstIndex(of: "elapsed_s"))
        return records.enumerated().map { index, record in
            var copy = record
            if index > 0 { copy[elapsed] = "" }
            return copy
        }
    }

    @Test(.disabled(if: missing != nil, "\(missing ?? "")"))
    func eachModelsColumnsEqualItsOwnRun() throws {
        try makeVideos()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let both = try scan("both", Self.models.flatMap { ["--model", $0] } + ["--jsonl", folder + "/both.jsonl"])
        #expect(both[0] == VideoRow.csvHeader + Self.models.flatMap { ["p_fake.\($0)", "verdict.\($0)"] })
        #expect(both.dropFirst().map { URL(fileURLWithPath: $0[0]).lastPathComponent } == ["face.mp4", "pattern.mp4"],
                "skip-me.mp4 is excluded: neither scanned nor reported")
        let contract = VideoRow.csvHeader.count
        for (index, model) in Self.models.enumerated() {
            let alone = try scan(model, ["--model", model])
            #expect(alone[0] == VideoRow.csvHeader)
            for (one, many) in zip(alone.dropFirst(), both.dropFirst()) {
                #expect(Array(many[(contract + 2 * index)...].prefix(2)) == [one[2], one[3]], "\(model) \(one[0])")
                // The shared columns (faces, frames, tracks …) are the same whichever model ran.
                #expect(many[7...9] == one[7...9])
                if index == 0 { #expect(Array(many.prefix(contract)) == one) }
            }
        }
        let face = try #require(both.first { $0[0].hasSuffix("face.mp4") })
        #expect(face[1] == "ok" && !face[contract].isEmpty && !face[contract + 2].isEmpty)
        let pattern = try #require(both.first { $0[0].hasSuffix("pattern.mp4") })
        #expect(pattern[1] == "no_face" && Array(pattern[contract...]) == ["", "unknown", "", "unknown"])
        let faces = try FaceRow.parseLines(String(contentsOfFile: folder + "/both.jsonl", encoding: .utf8))
        #expect(!faces.isEmpty && faces.allSatisfy { Set($0.pFakeByModel?.keys.map { $0 } ?? []) == Set(Self.models) })

        let ensemble = try scan("ensemble", Self.models.flatMap { ["--model", $0 + "@0.4"] } + ["--ensemble", "mean"])
        let row = try #require(ensemble.first { $0[0].hasSuffix("face.mp4") })
        let members = [Double(row[contract])!, Double(row[contract + 2])!]
        #expect(abs(Double(row[2])! - (members[0] + members[1]) / 2) <= 1e-6)
        #expect(row[3] == (Double(row[2])! >= 0.4 ? "fake" : "real") && row[4] == "0.4" && row[5] == Self.models.joined(separator: "+"))
        #expect(row[contract + 1] == (members[0] >= 0.4 ? "fake" : "real"))
    }

    @Test(.disabled(if: ExitCodeTests.binary == nil, "deepfake-scan not built"))
    func mistakesWithSeveralModelsAreUsageErrors() throws {
        let binary = try #require(ExitCodeTests.binary).path
        for (options, message) in [
            (["--model", "sbi-meso4", "--model", "sbi-mesoinception4", "--threshold", "0.5"], "--threshold is one model's"),
            (["--model", "sbi-meso4", "--ensemble", "mean"], "--ensemble needs at least two models"),
            (["--model", "sbi-meso4", "--model", "sbi-meso4"], "given twice"),
            (["--model", "sbi-meso4", "--model", "sbi-mesoinception4", "--masks", "m"], "--masks takes one model"),
        ] {
            let finished = try ChildProcess.run(binary, ["scan", "nothing.mp4", "--csv", "/tmp/never-\(UUID().uuidString).csv"] + options)
            #expect(finished.status == 2 && finished.stderrText.contains(message), "\(options): \(finished.stderrText)")
        }
    }
}
