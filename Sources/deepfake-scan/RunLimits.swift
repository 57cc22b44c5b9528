import ArgumentParser
import Foundation

/// How many videos run at once and how long one may take: shared by `scan` and `eval`'s own scan.
struct RunLimits: ParsableArguments {
    static let maximumJobs = 256

    /// One video per core: each job's stages (decode, faces, model) run on one thread at a time
    /// (OpenBLAS is single-threaded here), so fewer jobs leave cores idle.
    static var defaultJobs: Int { min(max(1, ProcessInfo.processInfo.activeProcessorCount), maximumJobs) }

    @Option(name: .shortAndLong, help: "Videos analysed at the same time (default: the number of cores).")
    var jobs: Int?

    @Option(help: "Seconds after which one video is given up as an error (0: no limit).")
    var timeout: Double = 300

    func validate() throws {
        if let jobs, !(1...Self.maximumJobs).contains(jobs) { throw ValidationError("--jobs must be 1…\(Self.maximumJobs)") }
        if !(timeout >= 0 && timeout.isFinite) { throw ValidationError("--timeout must be a number of seconds ≥ 0") }
    }

    /// The number of videos analysed at once: `--jobs`, else one per core.
    var jobCount: Int { jobs ?? Self.defaultJobs }

    /// The library's form: nil = no limit.
    var timeoutSeconds: Double? { timeout > 0 ? timeout : nil }
}
