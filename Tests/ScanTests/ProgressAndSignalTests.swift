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

    @Test func plainProgressWritesOneLinePerVideo() async throws {
        let fixture = try TextVideoFixture()
        defer { fixture.remove() }
        let text = Collected()
        let progress = StandardErrorProgress(isTerminal: false, sink: text.append)
        let items = try Discovery().discover(paths: [fixture.videos + "/01 plain.mp4", fixture.videos + "/09 broken.mp4"])
        let configuration = RunConfiguration(model: "text", frames: 8, aggregator: .mean, threshold: 0.5)
        _ = try await ScanRunner(analyzer: TextAnalyzer(), store: nil, options: ScanOptions(configuration: configuration), progress: progress).run(items)
        let lines = text.value.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0] == "scanning 2 files")
        #expect(lines[1] == "[1/2] ok real 0.350 \(fixture.videos)/01 plain.mp4")
        #expect(lines[2].hasPrefix("[2/2] error unknown - \(fixture.videos)/09 broken.mp4 — moov atom not found"))
        #expect(!text.value.contains("\u{1B}"))
    }

    @Test func terminalProgressRedrawsOneLine() {
        let text = Collected()
        let progress = StandardErrorProgress(isTerminal: true, sink: text.append)
        progress.started(total: 2, alreadyDone: 0)
        progress.began(path: "/v/a.mp4")
        let row = VideoRow(path: "/v/a.mp4", status: .ok, pFake: 0.2, verdict: .real, threshold: 0.5, model: "m", aggregator: "mean")
        progress.finished(row, done: 1, total: 2)
        progress.ended(interrupted: true)
        let value = text.value
        #expect(value.contains("\r\u{1B}[K[------------------------] 0/2  a.mp4"))
        #expect(value.contains("[############------------] 1/2"))
        // Ok rows are not logged on a terminal; the bar shows them. The end clears the bar.
        #expect(!value.contains("[1/2] ok"))
        #expect(value.hasSuffix("\r\u{1B}[Kinterrupted: finished videos are stored; run again to resume\n"))
    }

    @Test func stopKeepsTheFirstReason() {
        let stop = StopSignal()
        #expect(!stop.isRequested)
        stop.request("first")
        stop.request("second")
        #expect(stop.requestReason == "first")
    }

    // SIGUSR2 rather than SIGINT/SIGTERM: the same mechanism, without risk to the test process.
    // One signal must do: the handler is installed before the watcher's init returns, and the
    // pipe keeps the signal until the reader runs, however busy the machine is.
    @Test func aSignalRequestsAStop() {
        let stop = StopSignal()
        let arrived = DispatchSemaphore(value: 0)
        stop.onRequest { arrived.signal() }
        let watcher = SignalWatcher(stop: stop, signals: [SIGUSR2])
        defer { watcher.cancel() }
        kill(getpid(), SIGUSR2)
        _ = arrived.wait(timeout: .now() + 120)  // a bound for a stalled machine, not a timing
        #expect(stop.requestReason == "interrupted by signal \(SIGUSR2)")
    }

    // A second signal after the stop was requested is not a repeat of the first: it ends the
    // process (here: a recording handler instead of _exit(3)). The delivery of real signals is
    // the test above's and InterruptTests' (SIGINT to the binary).
    @Test func aSecondSignalEndsAtOnce() {
        let stop = StopSignal()
        let second = Collected()
        SignalWatcher.received("SIGINT", stop: stop, onSecondSignal: { second.append($0) })
        #expect(stop.requestReason == "interrupted by SIGINT")
        #expect(second.value.isEmpty)
        SignalWatcher.received("SIGTERM", stop: stop, onSecondSignal: { second.append($0) })
        #expect(second.value == "SIGTERM")
        #expect(stop.requestReason == "interrupted by SIGINT")
    }

    @Test func stopHandlersRunOnceOnTheFirstRequest() {
        let stop = StopSignal()
        let calls = Collected()
        stop.onRequest { calls.append("a") }
        let removed = stop.onRequest { calls.append("removed") }
        stop.removeHandler(removed)
        stop.request("first")
        stop.request("second")
        stop.onRequest { calls.append("late") }
        #expect(calls.value == "alate")
    }

    // The work below never finishes, so returning at all proves withTimeout did not wait for
    // it (a regression hangs until the time limit). No wall-clock bound: other suites' blocking
    // work can starve the two-thread cooperative pool for a minute on this machine.
    @Test(.timeLimit(.minutes(3))) func timeoutReturnsWithoutWaitingForUncooperativeWork() async throws {
        await #expect(throws: PipelineError.timedOut(seconds: 0.05)) {
            // Work that ignores cancellation: an unresumed continuation.
            try await withTimeout(seconds: 0.05) { await withUnsafeContinuation { (_: UnsafeContinuation<Int, Never>) in } }
        }
        #expect(try await withTimeout(seconds: 5) { 42 } == 42)
        #expect(try await withTimeout(seconds: nil) { 7 } == 7)
    }
}

/// Collects progress text (thread-safe).
final class Collected: @unchecked Sendable {
    // `lock` guards `text`.
    private let lock = NSLock()
    private var text = ""

    func append(_ more: String) { lock.withLock { text += more } }
    var value: String { lock.withLock { text } }
}
