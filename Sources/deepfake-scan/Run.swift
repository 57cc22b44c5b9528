import ArgumentParser
import Foundation

/// `deepfake-scan run PIPELINE.yml [SCAN OPTIONS…]`: the scan a pipeline file describes
/// (Pipelines/*.yml, keys in docs/pipelines.md); an option given here overrides the file's.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the scan a pipeline file (YAML) describes; options given after it override the file.",
        discussion: """
        Sections and keys: inputs (paths, recursive, from-list, ext, include-hidden, include, exclude), sampling (frames, fps, \
        keyframes, decode-threads), faces (detect-size, retry-size, search-every, margin, crop-size, min-size, \
        score-floor), model (model, weights — a list for several models —, threshold, ensemble, ensemble-threshold, \
        aggregator, batch-size), outputs (csv, format, jsonl, store), \
        run (jobs, timeout, rescan, shard). Exit codes as scan's.
        """
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
        var fileArguments: [String] = []
        var index = 0
        while index < file.arguments.count {
            if overridesModels && modelOptions.contains(file.arguments[index]) {
                index += 2
                continue
            }
            fileArguments.append(file.arguments[index])
            index += 1
        }
        return (fileArguments + overrides + (file.paths.isEmpty ? [] : ["--"] + file.paths), file)
    }

    func run() async throws {
        let scan: ScanCommand
        do {
            let (arguments, file) = try scanArguments()
            do { scan = try ScanCommand.parse(arguments) } catch {
                // Point at the line that set the option the parser complains about.
                let message = ScanCommand.message(for: error)
                let line = file.lineOfOption.first { message.contains($0.key) }.map { ":\($0.value)" } ?? ""
                throw PipelineFile.Problem(description: "\(pipeline)\(line): \(message)")
            }
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(EntryPoint.usageErrorCode)
        }
        try await scan.run()
    }
}
