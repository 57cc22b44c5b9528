import ArgumentParser
import CPUFeatures
import Foundation
import Scan
import Tensor

/// Runs `DeepfakeScan` like ArgumentParser's own `main()`, except that usage errors exit
/// with 2 (DESIGN.md's code for usage/config errors) instead of the parser's 64 (EX_USAGE),
/// on one line (`UsageError`).
/// First, a release build checks that the CPU has the AVX2 and FMA its engine is compiled for.
/// Then, if OpenBLAS picked slower kernels than the CPU supports, the process replaces itself
/// with the same command plus OPENBLAS_CORETYPE (see `BLASCore`; a user-set value wins).
@main
enum EntryPoint {
    static func main() async {
        #if ENGINE_NEEDS_AVX2_FMA
        // Before any engine code: it is compiled for AVX2+FMA and would die on an illegal instruction.
        if let message = CPUFeatures.unsupportedMessage(flags: CPUFeatures.machine(), program: "deepfake-scan") {
            FileHandle.standardError.write(Data((message + "\n").utf8))
            Foundation.exit(usageErrorCode)
        }
        #endif
        BLASCore.relaunchWithPreferredCoreIfNeeded()
        do {
            var command = try DeepfakeScan.parseAsRoot(argumentsAsPathText())
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

    /// The arguments with each one that is not valid UTF-8 (a raw file name) in its lossless
    /// `PathText` form; `CommandLine.arguments` would replace those bytes with U+FFFD.
    static func argumentsAsPathText() -> [String] {
        (1..<Int(CommandLine.argc)).compactMap { index in
            CommandLine.unsafeArgv[index].map { argument in
                PathText.text(of: Array(UnsafeRawBufferPointer(start: argument, count: strlen(argument))))
            }
        }
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
