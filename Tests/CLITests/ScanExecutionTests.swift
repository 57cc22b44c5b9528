import Foundation
import Imaging
import Testing
import Aggregate
import Reports
import Scan
@testable import deepfake_scan

/// Each "video" is a text file holding one p_fake per line (one track); "no face" is an
/// empty file, anything unparsable an analysis error.
struct NumbersAnalyzer: VideoAnalyzer {
    struct NotNumbers: Error, CustomStringConvertible {
        var description: String { "not a list of numbers" }
    }

    func analyze(path: String) async throws -> AnalyzedVideo {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        let faces = try lines.enumerated().map { i, line in
            guard let p = Double(line) else { throw NotNumbers() }
            return ScoredFace(score: FrameScore(frameIndex: i, seconds: Double(i), trackID: 0, pFake: p), box: FaceBox(x: 0, y: 0, width: 1, height: 1))
        }
        return AnalyzedVideo(probe: VideoProbe(), framesSampled: max(lines.count, 1), faces: faces)
    }
}

@Suite struct ScanExecutionTests {
    func directory(_ files: [String: String]) throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/v", withIntermediateDirectories: true)
        for (name, content) in files { try content.write(toFile: root + "/v/" + name, atomically: true, encoding: .utf8) }
        return root
    }

    /// A second run on the same outputs (the nightly run still going) exits 4 and writes nothing.
    @Test func anotherRunOnTheSameOutputsExitsFour() async throws {
        let root = try directory(["a.mp4": "0.9\n"])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let request = try ScanArguments.parse([root + "/v", "--csv", root + "/out.csv"]).request(model: "text", frames: 1, cardThreshold: nil)
        let held = try RunLock(path: RunLock.path(for: try #require(request.storePath)))
        var errors = ""
        #expect(await ScanExecution.run(request, analyzer: NumbersAnalyzer(), progress: nil, print: { _ in }, printError: { errors += $0 }) == 4)
        #expect(errors.contains("another run is writing these outputs (pid \(ProcessInfo.processInfo.processIdentifier) on "))
        #expect(!FileManager.default.fileExists(atPath: root + "/out.csv"))
        withExtendedLifetime(held) {}
    }

    @Test func exitCodesFollowTheContract() async throws {
        let root = try directory(["a.mp4": "0.9\n0.7\n", "b.mp4": "0.1\n", "c.mp4": ""])
        defer { try? FileManager.default.removeItem(atPath: root) }
        var printed = ""
        let ok = try ScanArguments.parse([root + "/v", "--csv", root + "/out.csv"]).request(model: "text", frames: 2, cardThreshold: nil)
        #expect(await ScanExecution.run(ok, analyzer: NumbersAnalyzer(), progress: nil, print: { printed += $0 }) == 0)
        #expect(printed.contains("Verdicts: fake 1, real 1, unknown 1"))
        #expect(printed.contains("  1. 0.800  fake  \(root)/v/a.mp4"))
        #expect(printed.contains("CSV: \(root)/out.csv"))
        #expect(try ReportWriter.readCSV(at: URL(fileURLWithPath: root + "/out.csv")).map(\.status) == [.ok, .ok, .noFace])

        try "x\n".write(toFile: root + "/v/d.mp4", atomically: true, encoding: .utf8)
        #expect(await ScanExecution.run(ok, analyzer: NumbersAnalyzer(), progress: nil, print: { _ in }) == 1)
        let rows = try ReportWriter.readCSV(at: URL(fileURLWithPath: root + "/out.csv"))
        #expect(rows.last?.error == "not a list of numbers")

        var errors = ""
        let badOutput = try ScanArguments.parse([root + "/v", "--csv", root + "/missing/out.csv"]).request(model: "text", frames: 2, cardThreshold: nil)
        #expect(await ScanExecution.run(badOutput, analyzer: NumbersAnalyzer(), progress: nil, print: { _ in }, printError: { errors += $0 }) == 2)
        #expect(errors.hasPrefix("error: "))
    }
}
