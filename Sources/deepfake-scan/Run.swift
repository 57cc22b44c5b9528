import ArgumentParser
import Foundation
import Reports

/// `deepfake-scan run PIPELINE.yml [SCAN OPTIONS…]`: the scan a pipeline file describes
/// (Pipelines/*.yml, keys in docs/pipelines.md); an option given here overrides the file's.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the scan a pipeline file (YAML) describes; options given after it override the file.",
        // From the keys the file reader knows, so the help cannot fall behind them.
        discussion: "Sections and keys: "
            + PipelineFile.keys.map { "\($0.section) (\($0.keys.map(\.name).joined(separator: ", ")))" }
                .joined(separator: ", ")
            + ". model and weights take a list for several models. Relative paths are read against the "
            + "working directory. Exit codes as scan's."
    )

    @Argument(help: "The pipeline file.")
    var pipeline: String

    @Argument(parsing: .allUnrecognized, help: "scan options that override the file's (e.g. --jobs 1 --rescan).")
    var overrides: [String] = []

    /// The scan command line: the file's options, then the overrides (a repeated option takes
    /// its last value), then the file's paths after `--`. Models add up when repeated, so a
    /// `--model` or `--weights` given here replaces all of the file's models.
    func scanArguments() throws -> (arguments: [String], file: PipelineFile) {
        let file = try PipelineFile(path: pipeline)
        let modelOptions: Set<String> = ["--model", "--weights"]
        let overridesModels = overrides.contains { modelOptions.contains(String($0.split(separator: "=", maxSplits: 1).first ?? "")) }
        // Paths given after a `--` of the user's join the file's, after the one `--`.
        let separator = overrides.firstIndex(of: "--")
        let options = separator.map { Array(overrides[..<$0]) } ?? overrides
        // The file writes each option with its value as one `--option=value` argument. An
        // option given here also replaces the file's that exclude it (`--resume` its
        // `rescan: true`, `--frames` its `fps:`), and `--no-keyframes` its `keyframes: true`.
        func name(_ argument: String) -> String { String(argument.split(separator: "=", maxSplits: 1).first ?? "") }
        let given = Set(options.map(name))
        let replaced = Self.exclusiveOptions.filter { !$0.isDisjoint(with: given) }.reduce(Set<String>()) { $0.union($1) }
        let fileArguments = file.arguments.filter {
            !(overridesModels && modelOptions.contains(name($0))) && !replaced.contains(name($0))
        }
        let paths = file.paths + (separator.map { Array(overrides[($0 + 1)...]) } ?? [])
        return (fileArguments + options + (paths.isEmpty ? [] : ["--"] + paths), file)
    }

    /// Scan options that exclude each other.
    static let exclusiveOptions: [Set<String>] = [["--resume", "--rescan"], ["--frames", "--fps"], ["--keyframes", "--fps"],
                                                  ["--keyframes", "--no-keyframes"]]

    func run() async throws {
        let scan: ScanCommand
        do {
            let (arguments, file) = try scanArguments()
            do { scan = try ScanCommand.parse(arguments) } catch {
                // Point at the line that set the option the parser complains about, unless
                // the option was given here.
                let message = ScanCommand.message(for: error)
                func givenHere(_ option: String) -> Bool { overrides.contains { $0 == option || $0.hasPrefix(option + "=") } }
                let line = file.lineOfOption.first { message.contains($0.key) && !givenHere($0.key) }
                    .map { ":\($0.value)" } ?? ""
                throw PipelineFile.Problem(description: "\(pipeline)\(line): \(message)")
            }
            // The pipeline file is an input too: no output may replace it.
            try OutputPaths.check(scan.arguments.plannedOutputs, inputs: [pipeline])
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(EntryPoint.usageErrorCode)
        }
        try await scan.run()
    }
}
