/// One detector output: the p_fake of one face crop in one sampled frame.
public struct FrameScore: Sendable, Equatable, Hashable, Codable {
    /// Index of the frame in the video's decoding order (not the sample number).
    public var frameIndex: Int
    /// Presentation time of the frame in seconds.
    public var seconds: Double
    /// The face track the crop belongs to; crops of one person across frames share it.
    public var trackID: Int
    /// Probability that the crop is manipulated, in [0, 1]; 1 = fake.
    public var pFake: Double

    public init(frameIndex: Int, seconds: Double, trackID: Int, pFake: Double) {
        self.frameIndex = frameIndex
        self.seconds = seconds
        self.trackID = trackID
        self.pFake = pFake
    }
}

/// The aggregated score of one face track.
public struct TrackScore: Sendable, Equatable, Hashable, Codable {
    public var trackID: Int
    /// Number of frame scores the track had.
    public var frameCount: Int
    /// The aggregator's output for this track, in [0, 1].
    public var pFake: Double

    public init(trackID: Int, frameCount: Int, pFake: Double) {
        self.trackID = trackID
        self.frameCount = frameCount
        self.pFake = pFake
    }
}

/// What a video is judged to be.
public enum Verdict: String, Sendable, Equatable, Hashable, Codable, CaseIterable {
    case fake, real
    /// No score: no face was found, or the video could not be analysed.
    case unknown
}

/// The outcome for one video: its score (the worst track's), the verdict and every track.
public struct VideoVerdict: Sendable, Equatable, Codable {
    /// The highest track score; nil when there was no face.
    public var pFake: Double?
    public var verdict: Verdict
    public var threshold: Double
    /// Tracks ordered by track id.
    public var tracks: [TrackScore]
    /// The track that decided the video's score.
    public var worstTrackID: Int?

    public init(pFake: Double?, verdict: Verdict, threshold: Double, tracks: [TrackScore], worstTrackID: Int?) {
        self.pFake = pFake
        self.verdict = verdict
        self.threshold = threshold
        self.tracks = tracks
        self.worstTrackID = worstTrackID
    }
}

/// Input the aggregation refuses, with the value that was wrong.
public enum AggregateError: Error, Equatable, CustomStringConvertible {
    case scoreOutOfRange(frameIndex: Int, trackID: Int, value: Double)
    case thresholdOutOfRange(Double)
    case unknownAggregator(String)

    public var description: String {
        switch self {
        case let .scoreOutOfRange(frame, track, value):
            return "p_fake \(value) of frame \(frame), track \(track) is not in [0, 1]"
        case let .thresholdOutOfRange(value):
            return "threshold \(value) is not in [0, 1]"
        case let .unknownAggregator(name):
            let known = Aggregator.allCases.map(\.rawValue).joined(separator: ", ")
            return "unknown aggregator '\(name)' (known: \(known))"
        }
    }
}
