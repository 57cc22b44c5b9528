import Foundation
import Reports
import Scan

/// What `deepfake-scan scan` does once its options are parsed and the analyzer is built:
/// watch for SIGINT/SIGTERM, run the job with progress, print the summary, and map the
/// outcome to the exit code of DESIGN.md (0 ok, 1 some videos errored, 2 configuration or
/// output error, 3 interrupted, 4 another run holds the outputs).
enum ScanExecution {
    /// Another run holds the outputs' lock: nothing was done, nothing is wrong with this one.
    static let lockHeldExitCode: Int32 = 4

    static func run<Analyzer: VideoAnalyzer>(
        _ request: ScanRequest, analyzer: Analyzer, progress: (any ScanProgress)? = StandardErrorProgress(),
        print output: (String) -> Void = { Swift.print($0, terminator: "") },
        printError: (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }
    ) async -> Int32 {
        let stop = StopSignal()
        let watcher = SignalWatcher(stop: stop)
        defer { watcher.cancel() }
        do {
            let result = try await ScanJob(request: request, analyzer: analyzer).run(stop: stop, progress: progress)
            output(result.summary.text)
            var written = "CSV: \(request.csvPath)\n"
            if let jsonl = request.jsonlPath { written += "JSONL: \(jsonl)\n" }
            if let html = request.html { written += "HTML: \(html.path)\n" }
            if result.outcome == .interrupted {
                written += "Interrupted (\(stop.requestReason ?? "cancelled")): \(result.notReached) not scanned; "
                    + "run the same command again to resume.\n"
            }
            output(written)
            return result.outcome.exitCode
        } catch let error as RunLockError {
            printError("error: \(error)\n")
            if case .held = error { return lockHeldExitCode }
            return 2
        } catch {
            printError("error: \(error)\n")
            return 2
        }
    }
}
