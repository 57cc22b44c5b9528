import Foundation
import Scan

/// What a command that scanned does before it exits with `code`.
enum AbandonedAnalyses {
    /// Waits (at most `seconds`) for analyses given up on a timeout or Ctrl-C to reach their
    /// next frame and end. One still running then (a decoder stuck in a read) must not meet
    /// OpenBLAS's exit handler, which frees the buffers it may be multiplying in: the process
    /// then ends here with `code`, after flushing its output, without running exit handlers.
    /// Every result is committed and the CSV written before this is called.
    static func settle(exitCode code: Int32, seconds: Double = 5) {
        guard !AnalysisThreads.waitUntilNoneRun(seconds: seconds) else { return }
        fflush(nil)  // every C stream (stderr is unbuffered anyway)
        _exit(code)
    }
}
