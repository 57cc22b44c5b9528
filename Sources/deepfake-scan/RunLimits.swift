import ArgumentParser

/// How many videos run at once and how long one may take: shared by `scan` and `eval`'s own scan.
struct RunLimits: ParsableArguments {
    @Option(name: .shortAndLong, help: "Videos analysed at the same time.")
    var jobs = 1

    @Option(help: "Seconds after which one video is given up as an error (0: no limit).")
    var timeout: Double = 300

    func validate() throws {
        if jobs < 1 || jobs > 256 { throw ValidationError("--jobs must be 1…256") }
        if !(timeout >= 0 && timeout.isFinite) { throw ValidationError("--timeout must be a number of seconds ≥ 0") }
    }

    /// The library's form: nil = no limit.
    var timeoutSeconds: Double? { timeout > 0 ? timeout : nil }
}
