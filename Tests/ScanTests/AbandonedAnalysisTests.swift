import Foundation
import Testing
import Aggregate
import Imaging
import Reports
@testable import Scan

/// Blocks every call until `open()`; counts the calls.
final class GatedScorer: CropScoring, @unchecked Sendable {
    private let gate = DispatchSemaphore(value: 0)
    // `lock` guards `count`.
    private let lock = NSLock()
    private var count = 0

    var calls: Int { lock.withLock { count } }

    func open() { for _ in 0..<64 { gate.signal() } }

    func pFake(of crops: [RGBImage]) throws -> [Double] {
        lock.withLock { count += 1 }
        gate.wait()
        return crops.map { _ in 0.5 }
    }
}

/// Requests a stop once a video has finished, as a Ctrl-C from outside would.
struct StopAfterFirstFinished: ScanProgress {
    let stop: StopSignal
    func started(total: Int, alreadyDone: Int) {}
    func began(path: String) {}
    func finished(_ row: VideoRow, done: Int, total: Int) { stop.request("test stop") }
    func ended(interrupted: Bool) {}
}

/// Videos given up on a timeout or a stop: the run returns without them, and their analysis
/// threads are counted until they end at their next frame, so the process can wait for them
/// before exiting (exiting under a thread that is inside OpenBLAS crashed it).
@Suite struct AbandonedAnalysisTests {
    static let configuration = RunConfiguration(model: "test", frames: 4, aggregator: .mean, threshold: 0.5)

    func folder(_ files: [String: String]) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("abandon-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8) }
        return directory
    }

    @Test(.timeLimit(.minutes(2))) func aTimedOutAnalysisIsCountedUntilItStopsAtItsNextFrame() async throws {
        let directory = try folder(["clip.mp4": "200 200 200 200"])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let scorer = GatedScorer()
        let analyzer = StagedAnalyzer(source: GreyFrameSource(), trackers: HalvesTrackers(), scorer: scorer, batchSize: 1)
        let items = try Discovery().discover(paths: [directory + "/clip.mp4"])
        let result = try await ScanRunner(
            analyzer: analyzer, store: nil, options: ScanOptions(configuration: Self.configuration, timeoutSeconds: 0.2)
        ).run(items)
        #expect(result.rows.map(\.error) == ["timed out after 0.2 s"])

        // The analysis is still inside the model: the process must not exit yet.
        #expect(AnalysisThreads.running >= 1)
        #expect(!AnalysisThreads.waitUntilNoneRun(seconds: 0.1))
        scorer.open()
        #expect(AnalysisThreads.waitUntilNoneRun(seconds: 60))
        // Cancelled, it stopped at the next frame instead of scoring the other three.
        #expect(scorer.calls == 1)
    }

    @Test(.timeLimit(.minutes(2))) func aStopGivesUpTheVideosInFlightAndKeepsTheFinishedOnes() async throws {
        let directory = try folder(["a.mp4": "probe 1 64 64 h264\nframes 4\nface 0 0 0.25", "b.mp4": "hang"])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let stop = StopSignal()
        let items = try Discovery().discover(paths: [directory])
        // Without giving up b.mp4, whose analysis only ends when cancelled, this never returns.
        let result = try await ScanRunner(
            analyzer: TextAnalyzer(), store: nil, options: ScanOptions(configuration: Self.configuration, jobs: 2, timeoutSeconds: nil),
            progress: StopAfterFirstFinished(stop: stop)
        ).run(items, stop: stop)
        #expect(result.outcome == .interrupted)
        #expect(result.rows.map { URL(fileURLWithPath: $0.path).lastPathComponent } == ["a.mp4"])
        #expect(result.rows.first?.pFake == 0.25)
        #expect(result.notReached == 1)
    }
}
