import Testing
@testable import Aggregate

@Suite struct AggregationTests {
    private func frames(track: Int, _ scores: [Double]) -> [FrameScore] {
        scores.enumerated().map { i, p in
            FrameScore(frameIndex: i * 10, seconds: Double(i) / 3, trackID: track, pFake: p)
        }
    }

    @Test func videoScoreIsTheWorstTrack() throws {
        // Two real faces and one swapped one: the swap must not be averaged away.
        let all = frames(track: 0, [0.1, 0.2, 0.1]) + frames(track: 1, [0.8, 0.9, 0.7])
            + frames(track: 2, [0.2, 0.1, 0.3])
        let result = try Aggregation.video(all, aggregator: .mean, threshold: 0.5)
        #expect(result.tracks.map(\.trackID) == [0, 1, 2])
        #expect(result.tracks.map(\.frameCount) == [3, 3, 3])
        #expect(result.worstTrackID == 1)
        #expect(abs(result.pFake! - 0.8) < 1e-12)
        #expect(result.verdict == .fake)
    }

    @Test func realBelowThresholdFakeAtIt() throws {
        let below = try Aggregation.video(frames(track: 0, [0.49]), threshold: 0.5)
        #expect(below.verdict == .real)
        let at = try Aggregation.video(frames(track: 0, [0.5]), threshold: 0.5)
        #expect(at.verdict == .fake)
        let calibrated = try Aggregation.video(frames(track: 0, [0.5]), threshold: 0.62)
        #expect(calibrated.verdict == .real)
        #expect(calibrated.threshold == 0.62)
    }

    @Test func noFaceIsUnknown() throws {
        let result = try Aggregation.video([], aggregator: .confident, threshold: 0.5)
        #expect(result.pFake == nil)
        #expect(result.verdict == .unknown)
        #expect(result.tracks.isEmpty)
        #expect(Aggregation.verdict(pFake: nil, threshold: 0.5) == .unknown)
    }

    @Test func resultDoesNotDependOnFrameOrder() throws {
        let all = frames(track: 3, [0.4, 0.6, 0.2, 0.9]) + frames(track: 1, [0.9, 0.6, 0.4, 0.2])
        for aggregator in Aggregator.allCases {
            let forward = try Aggregation.video(all, aggregator: aggregator, threshold: 0.5)
            let backward = try Aggregation.video(all.reversed(), aggregator: aggregator, threshold: 0.5)
            #expect(forward == backward)
            // Equal scores: the lower track id is reported.
            #expect(forward.worstTrackID == 1)
        }
    }

    @Test func rejectsScoresOutsideTheUnitIntervalAndNaN() {
        #expect(throws: AggregateError.scoreOutOfRange(frameIndex: 10, trackID: 0, value: 1.5)) {
            try Aggregation.video(frames(track: 0, [0.2, 1.5]))
        }
        #expect(throws: AggregateError.self) { try Aggregation.video(frames(track: 0, [.nan])) }
        #expect(throws: AggregateError.thresholdOutOfRange(2)) {
            try Aggregation.video(frames(track: 0, [0.2]), threshold: 2)
        }
    }

    @Test func voteVerdictIsAMajorityOfFrames() throws {
        let result = try Aggregation.video(frames(track: 0, [0.6, 0.7, 0.1, 0.2, 0.9]), aggregator: .vote)
        #expect(abs(result.pFake! - 0.6) < 1e-12)
        #expect(result.verdict == .fake)
    }
}
