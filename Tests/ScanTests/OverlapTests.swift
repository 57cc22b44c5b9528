import Foundation
import Testing
import Imaging
import Reports
@testable import Scan

/// Decoding on its own thread, overlapped with faces + model: order, bound, errors, stops.
@Suite struct OverlapTests {
    struct Mismatch: Error, CustomStringConvertible {
        var description: String
    }

    struct TrackerFailure: Error, Equatable {}

    func analyzer(_ source: CountingSource, _ trackers: LedgerTrackers, scorer: BrightnessScorer = BrightnessScorer(),
                  batchSize: Int = 32, queueCapacity: Int = 2)
        -> StagedAnalyzer<CountingSource, LedgerTrackers, BrightnessScorer> {
        StagedAnalyzer(source: source, trackers: trackers, scorer: scorer, batchSize: batchSize, queueCapacity: queueCapacity)
    }

    @Test func decodingRunsAheadWhileFacesWorkAndOrderIsKept() async throws {
        let ledger = StageLedger()
        let ahead = DispatchSemaphore(value: 0)
        var source = CountingSource(ledger: ledger, count: 8)
        source.willHandOver = { if $0 == 3 { ahead.signal() } }
        // Frame 0 holds the face stage until the source has made frame 3: possible only when
        // decoding runs on another thread. Frames 1 and 2 then wait and frame 3 blocks.
        let trackers = LedgerTrackers(ledger: ledger) { index in
            guard index == 0 else { return }
            guard arrives(ahead) else { throw Mismatch(description: "the source did not run ahead") }
            let produced = ledger.framesProduced
            if produced != 4 { throw Mismatch(description: "\(produced) frames made while the face stage held frame 0") }
        }
        let scorer = BrightnessScorer()
        let video = try await analyzer(source, trackers, scorer: scorer, batchSize: 3).analyze(path: "clip")
        #expect(video.framesSampled == 8)
        #expect(ledger.framesConsumed == Array(0..<8))
        #expect(video.faces.map(\.score.frameIndex) == Array(0..<8))
        #expect(video.faces.map(\.score.pFake) == (0..<8).map { Double($0) / 255 })
        #expect(scorer.batches == [3, 3, 2])
        #expect(video.probe.codec == "counting")
    }

    @Test(arguments: [1, 2, 4]) func framesWaitingStayBounded(capacity: Int) throws {
        let ledger = StageLedger()
        let video = try analyzer(CountingSource(ledger: ledger, count: 300), LedgerTrackers(ledger: ledger),
                                 queueCapacity: capacity).analyzeBlocking(path: "clip")
        #expect(video.faces.count == 300)
        // Waiting in the handoff, being handed over, just taken by the face stage.
        #expect(ledger.largestBacklog <= capacity + 2)
    }

    @Test func aDecodeWarningKeepsTheFramesBeforeIt() throws {
        let ledger = StageLedger()
        var source = CountingSource(ledger: ledger, count: 3)
        source.warning = "partial decode (3 of 5 frames): corrupt data"
        let video = try analyzer(source, LedgerTrackers(ledger: ledger)).analyzeBlocking(path: "clip")
        #expect(video.faces.count == 3)
        #expect(video.framesSampled == 3)
        #expect(video.probe.decodeWarning == "partial decode (3 of 5 frames): corrupt data")
    }

    @Test func aDecoderErrorFailsTheVideo() throws {
        let ledger = StageLedger()
        var source = CountingSource(ledger: ledger)
        source.failAt = 5
        #expect(throws: CountingSource.Failure()) {
            try analyzer(source, LedgerTrackers(ledger: ledger)).analyzeBlocking(path: "clip")
        }
        #expect(ledger.hasSourceReturned)
    }

    @Test func aFaceStageErrorStopsDecoding() throws {
        let ledger = StageLedger()
        let trackers = LedgerTrackers(ledger: ledger) { if $0 == 2 { throw TrackerFailure() } }
        #expect(throws: TrackerFailure()) {
            try analyzer(CountingSource(ledger: ledger), trackers).analyzeBlocking(path: "clip")
        }
        // The endless source was stopped and had returned before the analysis did.
        #expect(ledger.hasSourceReturned)
        #expect(ledger.framesProduced <= 3 + 2 + 2)
    }

    @Test func aModelErrorStopsDecoding() throws {
        let ledger = StageLedger()
        let scorer = BrightnessScorer()
        scorer.dropOne = true
        #expect(throws: PipelineError.scoreCountMismatch(expected: 4, got: 3)) {
            try analyzer(CountingSource(ledger: ledger), LedgerTrackers(ledger: ledger), scorer: scorer, batchSize: 4)
                .analyzeBlocking(path: "clip")
        }
        #expect(ledger.hasSourceReturned)
        #expect(ledger.framesProduced <= 4 + 2 + 2)
    }

    @Test func aStopRequestEndsBothThreads() throws {
        let ledger = StageLedger()
        let cancelled = StopSignal()
        let trackers = LedgerTrackers(ledger: ledger) { if $0 == 4 { cancelled.request() } }
        #expect(throws: CancellationError.self) {
            try analyzer(CountingSource(ledger: ledger), trackers).analyzeBlocking(path: "clip", cancelled: cancelled)
        }
        #expect(ledger.hasSourceReturned)
        #expect(ledger.framesConsumed == Array(0...4))
    }

    @Test func cancellingTheTaskEndsAnEndlessVideo() async throws {
        let ledger = StageLedger()
        let reached = DispatchSemaphore(value: 0)
        let proceed = DispatchSemaphore(value: 0)
        let trackers = LedgerTrackers(ledger: ledger) { index in
            guard index == 3 else { return }
            reached.signal()
            _ = arrives(proceed)
        }
        let analyzer = analyzer(CountingSource(ledger: ledger), trackers)
        let task = Task { try await analyzer.analyze(path: "clip") }
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                _ = arrives(reached)
                continuation.resume()
            }
        }
        task.cancel()
        proceed.signal()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(ledger.hasSourceReturned)
        #expect(ledger.framesConsumed == Array(0...3))
    }

    @Test func stageTimesAreMeasured() throws {
        let ledger = StageLedger()
        let clock = ContinuousClock()
        let started = clock.now
        let video = try analyzer(CountingSource(ledger: ledger, count: 64), LedgerTrackers(ledger: ledger), batchSize: 8)
            .analyzeBlocking(path: "clip")
        let wall = started.duration(to: clock.now)
        let times = video.stageTimes
        #expect(times.decodeSeconds > 0 && times.facesSeconds > 0 && times.modelSeconds > 0)
        #expect(times.otherSeconds >= 0)
        // Faces, model and other share the analysing thread; decoding ran beside them.
        let wallSeconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
        #expect(times.facesSeconds + times.modelSeconds + times.otherSeconds <= wallSeconds)
        #expect(times.decodeSeconds <= wallSeconds)
    }
}
