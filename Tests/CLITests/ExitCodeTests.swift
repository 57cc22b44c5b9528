import Foundation
import Testing
import TestSupport

/// The built `deepfake-scan` binary exits as DESIGN.md says for usage errors (2, not the
/// parser's 64) and still succeeds on --help / --version.
@Suite struct ExitCodeTests {
    /// `.build/<config>/deepfake-scan`, next to the test bundle.
    static var binary: URL? { BuiltProgram.deepfakeScan }

    static func run(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
        guard let executable = binary else {
            Issue.record("build the deepfake-scan product first")
            return (-1, "")
        }
        let finished = try ChildProcess.run(executable.path, arguments, stdout: .discard)
        return (finished.status, finished.stderrText)
    }

    @Test func unknownOptionExitsWithUsageCode() throws {
        let result = try Self.run(["--no-such-option"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--no-such-option"))
    }

    @Test func helpAndVersionSucceed() throws {
        #expect(try Self.run(["--help"]).status == 0)
        #expect(try Self.run(["--version"]).status == 0)
    }
}
