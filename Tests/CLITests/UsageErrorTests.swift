import Foundation
import Testing
import TestSupport

/// Every usage error is one line on stderr that says what is wrong and where to look, exit 2;
/// ArgumentParser's own text took 3–4 lines (issue 16, defect 11). Help is still the full text.
@Suite struct UsageErrorTests {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String]) throws -> Output {
        guard let binary = ExitCodeTests.binary else { throw CocoaError(.fileNoSuchFile) }
        let finished = try ChildProcess.run(binary.path, arguments)
        return Output(status: finished.status, stdout: finished.stdoutText, stderr: finished.stderrText)
    }

    @Test(arguments: [
        (["--no-such-option"], "error: Unknown option '--no-such-option' (see 'deepfake-scan --help')"),
        (["scan", "v.mp4", "--csv", "o.csv", "--jbos", "2"], "Did you mean '--jobs'? (see 'deepfake-scan scan --help')"),
        (["scan", "v.mp4", "--csv", "o.csv", "--frames", "0"], "error: --frames must be 1…100000 (see 'deepfake-scan scan --help')"),
        (["scan", "v.mp4", "--csv", "o.csv", "--frames", "abc"], "'abc' is invalid for '--frames <frames>'"),
        (["scan", "v.mp4", "--csv", "o.csv", "--frames", "4", "--fps", "2"], "--fps excludes --frames and --keyframes"),
        (["scan", "v.mp4", "--csv", "o.csv", "--resume", "--rescan"], "--resume and --rescan exclude each other"),
        (["scan", "v.mp4"], "Missing expected argument '--csv <csv>' (see 'deepfake-scan scan --help')"),
        (["eval"], "Missing expected argument '<labels>' (see 'deepfake-scan eval --help')"),
        (["faces", "--out", "x"], "give at least one video or image (see 'deepfake-scan faces --help')"),
        (["frames", "v.mp4", "--out", "x", "--decode-threads", "0"], "--decode-threads must be 1…64"),
        (["scan", "v.mp4", "--csv", "o.csv", "--aggregator", "average"],
         "'average' is invalid for '--aggregator <aggregator>'"),
        (["scan", "v.mp4", "--csv", "o.csv", "--format", "xlsx"], "'xlsx' is invalid for '--format <format>'"),
    ])
    func aUsageErrorIsOneLine(_ arguments: [String], _ expected: String) throws {
        let result = try Self.run(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("error: ") && result.stderr.hasSuffix("\n"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stderr.contains(expected), "\(result.stderr)")
    }

    @Test func anUnknownModelIsOneLineNamingTheBundledOnes() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("usage-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try Self.run(["scan", folder, "--csv", folder + "/o.csv", "--model", "no-such-model"])
        #expect(result.status == 2)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("error: ") && result.stderr.contains("no-such-model"), "\(result.stderr)")
    }

    /// --aggregator and --format are enums: their help and their usage error list the values.
    @Test func enumOptionsListTheirValues() throws {
        let help = try Self.run(["scan", "--help"]).stdout.replacingOccurrences(of: "\n", with: " ")
            .split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        #expect(help.contains("values: mean, median, max, confident, vote; default: mean"), "\(help)")
        #expect(help.contains("values: standard, kaggle; default: standard"), "\(help)")
        let wrong = try Self.run(["scan", "v.mp4", "--csv", "o.csv", "--aggregator", "average"])
        #expect(wrong.status == 2)
        #expect(wrong.stderr.contains("'mean'") && wrong.stderr.contains("'vote'"), "\(wrong.stderr)")
    }

    @Test func helpIsStillTheWholeText() throws {
        for arguments in [["--help"], ["scan", "--help"], ["help", "scan"]] {
            let result = try Self.run(arguments)
            #expect(result.status == 0, "\(arguments)")
            #expect(result.stdout.split(separator: "\n").count > 10 && result.stdout.contains("USAGE:"), "\(arguments)")
            #expect(result.stderr.isEmpty)
        }
    }
}

