import ArgumentParser

/// The root command only lists the subcommands; each lives in its own file.
/// (`EntryPoint` runs it, so usage errors exit with DESIGN.md's code 2.)
struct DeepfakeScan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deepfake-scan",
        abstract: "Scan videos for face manipulation (deepfakes, face swaps, reenactment, lip-sync).",
        version: "0.1.0",
        subcommands: [ScanCommand.self, Run.self, Merge.self, Report.self, Explain.self, Probe.self, Frames.self, Faces.self, Models.self, Eval.self]
    )
}
