/// Frame scores → track scores → the video's verdict.
///
/// A video's score is its worst (highest) track score, so one swapped face among several
/// real ones is not averaged away.
public enum Aggregation {
    /// One score per track, ordered by track id. Throws on a score outside [0, 1] or NaN,
    /// which would otherwise silently bend every aggregate.
    public static func tracks(
        _ frames: [FrameScore], aggregator: Aggregator, threshold: Double
    ) throws -> [TrackScore] {
        try checkThreshold(threshold)
        var byTrack: [Int: [Double]] = [:]
        for frame in frames {
            guard frame.pFake >= 0, frame.pFake <= 1 else {
                throw AggregateError.scoreOutOfRange(
                    frameIndex: frame.frameIndex, trackID: frame.trackID, value: frame.pFake)
            }
            byTrack[frame.trackID, default: []].append(frame.pFake)
        }
        return byTrack.keys.sorted().map { id in
            let scores = byTrack[id]!
            return TrackScore(
                trackID: id, frameCount: scores.count,
                pFake: aggregator.score(scores, threshold: threshold)!)
        }
    }

    /// The verdict of a video from all its frame scores. No scores (no face) → `unknown`.
    /// A score at or above the threshold is `fake`.
    public static func video(
        _ frames: [FrameScore], aggregator: Aggregator = .default, threshold: Double = 0.5
    ) throws -> VideoVerdict {
        let tracks = try tracks(frames, aggregator: aggregator, threshold: threshold)
        return verdict(tracks: tracks, threshold: threshold)
    }

    /// The verdict from already aggregated tracks.
    public static func verdict(tracks: [TrackScore], threshold: Double) -> VideoVerdict {
        // Ties go to the lowest track id so the result does not depend on input order.
        let worst = tracks.max { a, b in a.pFake < b.pFake || (a.pFake == b.pFake && a.trackID > b.trackID) }
        guard let worst else {
            return VideoVerdict(pFake: nil, verdict: .unknown, threshold: threshold, tracks: [], worstTrackID: nil)
        }
        return VideoVerdict(
            pFake: worst.pFake, verdict: verdict(pFake: worst.pFake, threshold: threshold),
            threshold: threshold, tracks: tracks, worstTrackID: worst.trackID)
    }

    /// `fake` at or above the threshold, `real` below, `unknown` without a score.
    public static func verdict(pFake: Double?, threshold: Double) -> Verdict {
        guard let pFake else { return .unknown }
        return pFake >= threshold ? .fake : .real
    }

    static func checkThreshold(_ threshold: Double) throws {
        guard threshold >= 0, threshold <= 1 else { throw AggregateError.thresholdOutOfRange(threshold) }
    }
}
