import ArgumentParser
import Foundation
import Tensor

/// Runs `DeepfakeScan` like ArgumentParser's own `main()`, except that usage errors exit
/// with 2 (DESIGN.md's code for usage/config errors) instead of the parser's 64 (EX_USAGE),
/// on one line (`UsageError`).
/// First, if OpenBLAS picked slower kernels than the CPU supports, the process replaces itself
/// with the same command plus OPENBLAS_CORETYPE (see `BLASCore`; a user-set value wins).
@main
enum EntryPoint {
    static func main() async {
        BLASCore.relaunchWithPreferredCoreIfNeeded()
        do {
            var command = try DeepfakeScan.parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }

    static func exit(withError error: Error) -> Never {
        guard let line = UsageError.line(for: error) else { DeepfakeScan.exit(withError: error) }
        FileHandle.standardError.write(Data((line + "\n").utf8))
        Foundation.exit(usageErrorCode)
    }

    /// DESIGN.md: 2 = usage/config error.
    static let usageErrorCode: Int32 = 2
}

/// A usage error as one line that says what is wrong and where the fix is documented, e.g.
/// `error: --frames must be 1…100000 (see 'deepfake-scan scan --help')`. ArgumentParser's own
/// text adds the usage synopsis and a "See … --help" line, three or four lines in all.
enum UsageError {
    /// The line for `error`, or nil when it is no usage error (help, version, exit codes, failures).
    static func line(for error: Error) -> String? {
        guard DeepfakeScan.exitCode(for: error) == .validationFailure else { return nil }
        let message = DeepfakeScan.message(for: error)
            .split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
            .joined(separator: "; ")
        var line = "error: " + (message.isEmpty ? "invalid command line" : message)
        if let help = helpCommand(in: DeepfakeScan.fullMessage(for: error)) { line += " (see '\(help)')" }
        return line
    }

    /// `deepfake-scan scan --help` from the parser's "See 'deepfake-scan scan --help' for more information."
    static func helpCommand(in fullMessage: String) -> String? {
        guard let see = fullMessage.range(of: "See '"),
              let end = fullMessage[see.upperBound...].firstIndex(of: "'") else { return nil }
        return String(fullMessage[see.upperBound..<end])
    }
}
