import Aggregate
import Imaging
import Reports

/// What is known about a video's stream, whatever happened to its faces.
public struct VideoProbe: Sendable, Equatable {
    public var durationSeconds: Double?
    public var width: Int?
    public var height: Int?
    public var codec: String?
    /// A decoding problem after some frames were obtained (e.g. corrupt data mid-stream): the
    /// video is still scored on those frames, and the row's error column says what happened.
    public var decodeWarning: String?

    public init(durationSeconds: Double? = nil, width: Int? = nil, height: Int? = nil, codec: String? = nil,
                decodeWarning: String? = nil) {
        self.durationSeconds = durationSeconds
        self.width = width
        self.height = height
        self.codec = codec
        self.decodeWarning = decodeWarning
    }
}

/// One scored face crop: where it was and what the model said.
public struct ScoredFace: Sendable, Equatable {
    public var score: FrameScore
    public var box: FaceBox
    /// Statistics of the crop's manipulation mask, when the run makes masks (`scan --masks`).
    public var mask: MaskSummary?
    /// Each model's p_fake of the crop in a run with several models, in model order (the
    /// first is `score.pFake`); empty with one model.
    public var modelScores: [Double]
    /// A model with manipulation classes: each class's probability, in the model's class order;
    /// empty otherwise.
    public var classProbabilities: [Double]

    public init(score: FrameScore, box: FaceBox, mask: MaskSummary? = nil, modelScores: [Double] = [],
                classProbabilities: [Double] = []) {
        self.score = score
        self.box = box
        self.mask = mask
        self.modelScores = modelScores
        self.classProbabilities = classProbabilities
    }
}

/// The analysis of one video before aggregation.
public struct AnalyzedVideo: Sendable, Equatable {
    public var probe: VideoProbe
    public var framesSampled: Int
    /// Scored crops of all sampled frames, in frame order.
    public var faces: [ScoredFace]
    /// Where the time went (zero when the analyzer does not measure it).
    public var stageTimes: StageTimes
    /// The crops with the highest p_fake and their masks, most suspicious first (empty unless
    /// the analyzer keeps them: `StagedAnalyzer.suspiciousCropsKept`).
    public var suspicious: [SuspiciousCrop] = []

    public init(probe: VideoProbe, framesSampled: Int, faces: [ScoredFace], stageTimes: StageTimes = StageTimes()) {
        self.probe = probe
        self.framesSampled = framesSampled
        self.faces = faces
        self.stageTimes = stageTimes
    }

    /// Frames that had at least one face.
    public var framesWithFace: Int { Set(faces.map(\.score.frameIndex)).count }
}

/// Turns one video file into scored faces. The runner calls it from several tasks at once,
/// so an implementation keeps its per-video state (decoder, detector buffers) inside the
/// call. It should check `Task.isCancelled` now and then: a timed-out call is cancelled.
public protocol VideoAnalyzer: Sendable {
    func analyze(path: String) async throws -> AnalyzedVideo
}
