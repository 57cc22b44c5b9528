import ArgumentParser

/// The root command only lists the subcommands; each lives in its own file.
@main
struct DeepfakeScan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deepfake-scan",
        abstract: "Scan videos for face manipulation (deepfakes, face swaps, reenactment, lip-sync).",
        version: "0.1.0",
        subcommands: [Probe.self, Frames.self, Faces.self]
    )
}
