import Foundation
import Testing
import Aggregate
import Reports
@testable import Scan

@Suite struct ProgressAndSignalTests {
    @Test func progressBarShowsCountRateEtaAndCurrentFile() {
        let line = ProgressLine(done: 10, total: 40, analysedThisRun: 6, elapsedSeconds: 120, current: "/videos/clip 7.mp4")
        #expect(line.videosPerMinute == 3)
        #expect(line.etaSeconds == 600)
        #expect(line.bar() == "[######------------------] 10/40  3.0 videos/min  ETA 10m00s  clip 7.mp4")
        #expect(line.bar(width: 20).count == 20)
        let start = ProgressLine(done: 0, total: 5, analysedThisRun: 0, elapsedSeconds: 0, current: nil)
        #expect(start.bar() == "[------------------------] 0/5")
        #expect(ProgressLine.duration(3725) == "1h02m")
        #expect(ProgressLine.duration(42) == "42s")
    }

    @Test func logLineIsOneLine() {
        let row = VideoRow.failure(path: "/v/a\nb.mp4", message: "bad\nfile", threshold: 0.5, model: "m", aggregator: "mean")
        #expect(ProgressLine.log(row, done: 3, total: 9) == "[3/9] error unknown - /v/a\\nb.mp4 — bad\\nfile")
    }

    @Test func stopKeepsTheFirstReason() {
        let stop = StopSignal()
        #expect(!stop.isRequested)
        stop.request("first")
        stop.request("second")
        #expect(stop.requestReason == "first")
    }

    // SIGUSR2 rather than SIGINT/SIGTERM: the same mechanism, without risk to the test process.
    @Test func aSignalRequestsAStop() async throws {
        let stop = StopSignal()
        let watcher = SignalWatcher(stop: stop, signals: [SIGUSR2])
        defer { watcher.cancel() }
        // The source registers asynchronously and the signal is ignored until then, so send it
        // again until it arrives (process-directed: libdispatch's signalfd does not see a
        // signal aimed at one thread with raise()).
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        var sent = 0
        while !stop.isRequested && ContinuousClock.now < deadline {
            if sent % 1000 == 0 { kill(getpid(), SIGUSR2) }
            sent += 1
            await Task.yield()
        }
        #expect(stop.requestReason == "interrupted by signal \(SIGUSR2)")
    }

    @Test func timeoutReturnsWithoutWaitingForUncooperativeWork() async throws {
        let started = ContinuousClock.now
        await #expect(throws: PipelineError.timedOut(seconds: 0.05)) {
            // Work that ignores cancellation: an unresumed continuation.
            try await withTimeout(seconds: 0.05) { await withUnsafeContinuation { (_: UnsafeContinuation<Int, Never>) in } }
        }
        #expect(started.duration(to: .now) < .seconds(5))
        #expect(try await withTimeout(seconds: 5) { 42 } == 42)
        #expect(try await withTimeout(seconds: nil) { 7 } == 7)
    }
}
