import Foundation
import Imaging
import Reports
import Aggregate

/// One decoded frame chosen by the sampler.
public struct SampledFrame: Sendable {
    /// Index in the video's frame order.
    public var index: Int
    /// Presentation time in seconds.
    public var seconds: Double
    public var image: RGBImage

    public init(index: Int, seconds: Double, image: RGBImage) {
        self.index = index
        self.seconds = seconds
        self.image = image
    }
}

/// An aligned face crop ready for the model, with the track it was linked to.
public struct FaceCrop: Sendable {
    public var frameIndex: Int
    public var seconds: Double
    public var trackID: Int
    public var box: FaceBox
    public var image: RGBImage

    public init(frameIndex: Int, seconds: Double, trackID: Int, box: FaceBox, image: RGBImage) {
        self.frameIndex = frameIndex
        self.seconds = seconds
        self.trackID = trackID
        self.box = box
        self.image = image
    }
}

/// Stage 1 (VideoDecode): decodes the sampled frames of a video and hands them to `onFrame`
/// one at a time, in presentation order, so only one full-size frame needs to be alive; stops
/// early when `onFrame` returns false. Returns what it learnt of the stream.
/// (Synchronous like `VideoReader.sample(_:onFrame:)`: decoding is blocking C work.)
public protocol FrameSource: Sendable {
    func sampleFrames(path: String, onFrame: (SampledFrame) throws -> Bool) throws
        -> (probe: VideoProbe, framesSampled: Int)
}

/// Stage 2 (FaceAlign): finds, aligns and links faces frame after frame within one video.
/// Holds per-video state (tracks, detector buffers); never shared between tasks.
public protocol FaceTracking: AnyObject {
    func crops(in frame: SampledFrame) throws -> [FaceCrop]
}

/// Makes a fresh `FaceTracking` for each video.
public protocol FaceTrackerFactory: Sendable {
    func makeTracker() throws -> any FaceTracking
}

/// Stage 3 (Detectors): p_fake in [0, 1] of each crop, in order. Called from several
/// threads at once (one per video in flight).
public protocol CropScoring: Sendable {
    func pFake(of crops: [RGBImage]) throws -> [Double]
}

/// Errors of the staged pipeline itself.
public enum PipelineError: Error, Equatable, CustomStringConvertible {
    case scoreCountMismatch(expected: Int, got: Int)
    case timedOut(seconds: Double)

    public var description: String {
        switch self {
        case let .scoreCountMismatch(expected, got): return "model returned \(got) scores for \(expected) crops"
        case let .timedOut(seconds): return "timed out after \(seconds) s"
        }
    }
}

/// decode → faces → model for one video, crops batched across frames.
///
/// Crops wait until `batchSize` have gathered (or the video ends) and then go through the
/// model together; memory holds one frame and about one batch of crops. The stages are
/// blocking work, so each video runs on a thread of its own rather than on one of the few
/// threads Swift concurrency shares; cancelling the calling task stops it at the next frame.
public struct StagedAnalyzer<Source: FrameSource, Trackers: FaceTrackerFactory, Scorer: CropScoring>: VideoAnalyzer {
    public var source: Source
    public var trackers: Trackers
    public var scorer: Scorer
    public var batchSize: Int

    public init(source: Source, trackers: Trackers, scorer: Scorer, batchSize: Int = 32) {
        precondition(batchSize > 0, "batchSize must be positive")
        self.source = source
        self.trackers = trackers
        self.scorer = scorer
        self.batchSize = batchSize
    }

    public func analyze(path: String) async throws -> AnalyzedVideo {
        let cancelled = StopSignal()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                Thread.detachNewThread {
                    continuation.resume(with: Result { try self.analyzeBlocking(path: path, cancelled: cancelled) })
                }
            }
        } onCancel: {
            cancelled.request("cancelled")
        }
    }

    /// The whole pipeline on the current thread.
    public func analyzeBlocking(path: String, cancelled: StopSignal = StopSignal()) throws -> AnalyzedVideo {
        let tracker = try trackers.makeTracker()
        var pending: [FaceCrop] = []
        var faces: [ScoredFace] = []

        func flush() throws {
            guard !pending.isEmpty else { return }
            let scores = try scorer.pFake(of: pending.map(\.image))
            guard scores.count == pending.count else {
                throw PipelineError.scoreCountMismatch(expected: pending.count, got: scores.count)
            }
            for (crop, p) in zip(pending, scores) {
                faces.append(ScoredFace(
                    score: FrameScore(frameIndex: crop.frameIndex, seconds: crop.seconds, trackID: crop.trackID, pFake: p),
                    box: crop.box))
            }
            pending.removeAll(keepingCapacity: true)
        }

        let (probe, framesSampled) = try source.sampleFrames(path: path) { frame in
            if cancelled.isRequested { throw CancellationError() }
            pending += try tracker.crops(in: frame)
            if pending.count >= batchSize { try flush() }
            return true
        }
        if cancelled.isRequested { throw CancellationError() }
        try flush()
        return AnalyzedVideo(probe: probe, framesSampled: framesSampled, faces: faces)
    }
}
