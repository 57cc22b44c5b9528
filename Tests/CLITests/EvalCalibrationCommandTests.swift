import Foundation
import Testing
@testable import Evaluation
@testable import deepfake_scan

/// `eval --scores … --bootstrap N` on a tiny labels file with a group column: the interval, the
/// paired AUC, the reals flagged at the threshold and the reliability diagram, in text and JSON.
@Suite final class EvalCalibrationCommandTests {
    let directory: URL

    // path, label, method, group, p_fake
    static let videos: [(String, String, String, String, Double)] = [
        ("a/r1.mp4", "real", "original", "g1", 0.32), ("a/f1.mp4", "fake", "swap", "g1", 0.84),
        ("a/f2.mp4", "fake", "swap", "g1", 0.22), ("b/r2.mp4", "real", "original", "g2", 0.62),
        ("b/f3.mp4", "fake", "talk", "g2", 0.62), ("c/r3.mp4", "real", "original", "", 0.05),
        ("c/f4.mp4", "fake", "talk", "", 0.95),
    ]

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("eval-calibration-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let labels = "path\tlabel\tmethod\tgroup\n"
            + Self.videos.map { "\($0.0)\t\($0.1)\t\($0.2)\t\($0.3)\n" }.joined()
        try labels.write(to: file("labels.tsv"), atomically: true, encoding: .utf8)
        let scan = "path,status,p_fake,threshold\n" + Self.videos.map { "/d/\($0.0),ok,\($0.4),0.5\n" }.joined()
        try scan.write(to: file("scan.csv"), atomically: true, encoding: .utf8)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func file(_ name: String) -> URL { directory.appendingPathComponent(name) }

    func run(_ extra: [String]) async throws -> String {
        let command = try Eval.parse([file("labels.tsv").path, "--scores", file("scan.csv").path] + extra)
        var output = ""
        var error = ""
        let code = await command.execute(progress: nil, print: { output += $0 }, printError: { error += $0 })
        #expect(code == 0 && error.isEmpty)
        return output
    }

    @Test func textStatesIntervalPairsFlaggedRealsAndCalibration() async throws {
        let text = try await run(["--bootstrap", "200", "--seed", "7"])
        // AUC: fakes .84 .22 .62 .95 against reals .32 .62 .05: 3 + 1 + 2.5 + 3 = 9.5 of 12.
        #expect(text.contains("AUC                 0.7917 ["))
        #expect(text.contains("(95 % bootstrap, 200 resamples, seed 7)"))
        // g1: .84 > .32 (1), .22 < .32 (0); g2: .62 = .62 (½) → 1.5 / 3 pairs.
        #expect(text.contains("paired AUC          0.5000  (3 fake/real pairs in 2 groups)"))
        // At 0.5 only the real .62 is called fake.
        #expect(text.contains("reals flagged fake  1 of 3 (33.3 %) at threshold 0.5000"))
        // Bins 0 (.05 R), 2 (.22 F), 3 (.32 R), 6 (.62 R, .62 F), 8 (.84 F), 9 (.95 F); gaps
        // .05, .78, .32, 2·|.62 − .5| = .24, .16, .05 → ECE = 1.6 / 7 ≈ 0.2286.
        #expect(text.contains("ECE 0.2286"))
        #expect(text.contains("AUC 95 % interval"))
        // The same seed gives the same report.
        #expect(try await run(["--bootstrap", "200", "--seed", "7"]) == text)
    }

    @Test func jsonCarriesTheNewFields() async throws {
        let output = try await run(["--bootstrap", "100", "--json"])
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let report = try decoder.decode(EvaluationReport.self, from: Data(output.utf8))
        let interval = try #require(report.video.aucInterval)
        #expect(interval.resamples == 100 && interval.seed == 0 && interval.lower <= interval.upper)
        #expect(report.paired == PairedAUC(column: "group", auc: 0.5, pairs: 3, groups: 2))
        #expect(abs(try #require(report.video.falsePositiveRate) - 1.0 / 3) < 1e-12)
        let reliability = try #require(report.reliability)
        #expect(abs(try #require(reliability.expectedCalibrationError) - 1.6 / 7) < 1e-12)
        #expect(reliability.bins.map(\.count) == [1, 0, 1, 1, 0, 0, 2, 0, 1, 1])
        #expect(report.categories.first { $0.value == "talk" }?.aucInterval?.resamples == 100)
        #expect(report.categories.first { $0.value == "original" }?.aucInterval == nil)
        #expect(output.contains("\"paired\"") && output.contains("\"expected_calibration_error\""))
    }

    @Test func withoutBootstrapThereIsNoInterval() async throws {
        let text = try await run([])
        #expect(!text.contains("bootstrap") && !text.contains("AUC 95 % interval"))
        #expect(text.contains("paired AUC"))
    }

    @Test func bootstrapCountIsChecked() {
        #expect(throws: (any Error).self) {
            try Eval.parse([self.file("labels.tsv").path, "--scores", "s.csv", "--bootstrap", "-1"])
        }
    }
}
