import Foundation
import Imaging
import Reports
import Aggregate
import FaceAlign

/// Stage 1 (VideoDecode): decodes the sampled frames of a video and hands them to `onFrame`
/// one at a time, in presentation order, so only a few full-size frames need to be alive;
/// stops early when `onFrame` returns false. Returns what it learnt of the stream.
/// (Synchronous like `VideoReader.sample(_:onFrame:)`: decoding is blocking C work. The
/// analyzer calls it on a decoding thread of its own, one call per video.)
public protocol FrameSource: Sendable {
    func sampleFrames(path: String, onFrame: (VideoFrame) throws -> Bool) throws
        -> (probe: VideoProbe, framesSampled: Int)
}

/// Stage 2 (FaceAlign): finds, aligns and links faces frame after frame within one video.
/// Holds per-video state (tracks, detector buffers); never shared between tasks.
public protocol FaceTracking: AnyObject {
    func faces(in frame: VideoFrame) throws -> [AlignedFace]
}

/// Makes a fresh `FaceTracking` for each video.
public protocol FaceTrackerFactory: Sendable {
    func makeTracker() throws -> any FaceTracking
}

/// Stage 3 (Detectors): p_fake in [0, 1] of each crop, in order. Called from several
/// threads at once (one per video in flight).
public protocol CropScoring: Sendable {
    func pFake(of crops: [RGBImage]) throws -> [Double]
    /// Each model's p_fake of each crop, `[model][crop]`, for a scorer of several models
    /// that all score the same crops. One model: `[pFake(of:)]`.
    func pFakeByModel(of crops: [RGBImage]) throws -> [[Double]]
}

extension CropScoring {
    public func pFakeByModel(of crops: [RGBImage]) throws -> [[Double]] { [try pFake(of: crops)] }
}

/// Stage 3 for a model with manipulation classes (AMTENnet): class probabilities per crop.
public protocol CropClassifying: CropScoring {
    /// The single model's classes ("real" first), nil when it has none (or there are several models).
    var manipulationClasses: [String]? { get }
    /// Per crop, the probabilities of `manipulationClasses`; p_fake is 1 − the first.
    func classProbabilities(of crops: [RGBImage]) throws -> [[Double]]
}

/// Errors of the staged pipeline itself.
public enum PipelineError: Error, Equatable, CustomStringConvertible {
    case scoreCountMismatch(expected: Int, got: Int)
    case timedOut(seconds: Double)
    /// The run was asked to stop (Ctrl-C) before this video finished: no result, redone on resume.
    case stopped
    /// Masks were asked for, but the model makes none.
    case noMasks
    /// Attention maps were asked for, but the model gives none.
    case noAttention

    public var description: String {
        switch self {
        case let .scoreCountMismatch(expected, got): return "model returned \(got) scores for \(expected) crops"
        case let .timedOut(seconds): return "timed out after \(seconds) s"
        case .stopped: return "stopped before it finished"
        case .noMasks: return "masks were asked for, but the model makes none (only classnseg does)"
        case .noAttention: return "attention maps were asked for, but the model gives none (only mat does)"
        }
    }
}

/// decode → faces → model for one video, decoding overlapped with the rest.
///
/// The source decodes on a thread of its own into a handoff of `queueCapacity` frames while
/// the video's own thread finds faces and runs the model on the frames before. Crops wait
/// until `batchSize` have gathered (or the video ends) and then go through the model
/// together. Memory holds at most `queueCapacity` + 2 full-size frames (waiting, being
/// decoded, being searched for faces) and about one batch of crops. The stages are blocking
/// work, so they run on threads of their own rather than on the few threads Swift concurrency
/// shares; cancelling the calling task stops both at the next frame.
public struct StagedAnalyzer<Source: FrameSource, Trackers: FaceTrackerFactory, Scorer: CropScoring>: VideoAnalyzer {
    public var source: Source
    public var trackers: Trackers
    public var scorer: Scorer
    public var batchSize: Int
    /// Decoded frames that may wait for the face stage.
    public var queueCapacity: Int
    /// When positive, crops are scored with their manipulation masks (the scorer must be a
    /// `CropMasking` that makes them): each face gets mask statistics, and the video keeps
    /// this many most suspicious crops with their masks for overlays.
    public var suspiciousCropsKept = 0
    /// With `suspiciousCropsKept`: keep the crops' attention maps (`scan --attention`) instead of masks.
    public var keepsAttention = false

    public init(source: Source, trackers: Trackers, scorer: Scorer, batchSize: Int = 32, queueCapacity: Int = 2) {
        precondition(batchSize > 0, "batchSize must be positive")
        precondition(queueCapacity > 0, "queueCapacity must be positive")
        self.source = source
        self.trackers = trackers
        self.scorer = scorer
        self.batchSize = batchSize
        self.queueCapacity = queueCapacity
    }

    /// Crops scored between two looks at the cancel flag.
    static var cancellationSlice: Int { 8 }

    public func analyze(path: String) async throws -> AnalyzedVideo {
        let cancelled = StopSignal()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                AnalysisThreads.detach {
                    continuation.resume(with: Result { try self.analyzeBlocking(path: path, cancelled: cancelled) })
                }
            }
        } onCancel: {
            cancelled.request("cancelled")
        }
    }

    /// Faces and model on the current thread, decoding on another one that is stopped and
    /// gone before this returns, whether it returns or throws.
    public func analyzeBlocking(path: String, cancelled: StopSignal = StopSignal()) throws -> AnalyzedVideo {
        let clock = ContinuousClock()
        let started = clock.now
        let frames = FrameHandoff<VideoFrame, DecodedStream>(capacity: queueCapacity)
        startDecoding(path: path, into: frames, cancelled: cancelled)
        defer {
            frames.stop()
            frames.waitForProducer()
        }
        let tracker = try trackers.makeTracker()
        var pending: [AlignedFace] = []
        var faces: [ScoredFace] = []
        var facesTime = Duration.zero
        var modelTime = Duration.zero
        var waitTime = Duration.zero
        var suspicious = SuspiciousCrops(limit: suspiciousCropsKept)
        let masking = suspiciousCropsKept > 0 && !keepsAttention ? scorer as? any CropMasking : nil
        if suspiciousCropsKept > 0 && !keepsAttention && masking?.makesMasks != true { throw PipelineError.noMasks }
        let attending = suspiciousCropsKept > 0 && keepsAttention ? scorer as? any CropMasking : nil
        if suspiciousCropsKept > 0 && keepsAttention && attending?.makesAttention != true { throw PipelineError.noAttention }
        let classifying = (scorer as? any CropClassifying).flatMap { $0.manipulationClasses == nil ? nil : $0 }

        func flush() throws {
            guard !pending.isEmpty else { return }
            let began = clock.now
            // In slices, to notice a cancel between them: a whole batch through a large model can
            // take seconds, and a crop's score does not depend on the slice it is in.
            var scores: [Double] = []
            var masks: [MaskSummary?] = []
            // Per crop, every model's score (several models only).
            var byModel: [[Double]] = []
            // Per crop, the class probabilities (a model with manipulation classes only).
            var classes: [[Double]] = []
            for start in stride(from: 0, to: pending.count, by: Self.cancellationSlice) {
                if cancelled.isRequested { throw CancellationError() }
                let slice = pending[start ..< min(start + Self.cancellationSlice, pending.count)]
                if let masking {
                    let results = try masking.pFakeAndMasks(of: slice.map(\.crop))
                    for (crop, result) in zip(slice, results) {
                        suspicious.offer(SuspiciousCrop(frameIndex: crop.frameIndex, trackID: crop.trackID,
                                                        pFake: result.pFake, image: crop.crop, mask: result.mask))
                    }
                    scores += results.map(\.pFake)
                    masks += results.map { MaskSummary($0.mask) }
                } else if let attending {
                    let results = try attending.pFakeAndAttention(of: slice.map(\.crop))
                    for (crop, result) in zip(slice, results) {
                        suspicious.offer(SuspiciousCrop(frameIndex: crop.frameIndex, trackID: crop.trackID, pFake: result.pFake,
                                                        image: crop.crop, mask: nil, attention: result.attention))
                    }
                    scores += results.map(\.pFake)
                } else if let classifying {
                    let probabilities = try classifying.classProbabilities(of: slice.map(\.crop))
                    scores += probabilities.map { 1 - ($0.first ?? 1) }
                    classes += probabilities
                } else {
                    let perModel = try scorer.pFakeByModel(of: slice.map(\.crop))
                    scores += perModel.first ?? []
                    if perModel.count > 1 {
                        if let short = perModel.first(where: { $0.count != slice.count }) {
                            throw PipelineError.scoreCountMismatch(expected: slice.count, got: short.count)
                        }
                        byModel += (0..<slice.count).map { i in perModel.map { $0[i] } }
                    }
                }
            }
            modelTime += began.duration(to: clock.now)
            guard scores.count == pending.count else {
                throw PipelineError.scoreCountMismatch(expected: pending.count, got: scores.count)
            }
            for (index, (crop, p)) in zip(pending, scores).enumerated() {
                faces.append(ScoredFace(
                    score: FrameScore(frameIndex: crop.frameIndex, seconds: crop.seconds, trackID: crop.trackID, pFake: p),
                    box: crop.box, mask: index < masks.count ? masks[index] : nil,
                    modelScores: index < byModel.count ? byModel[index] : [],
                    classProbabilities: index < classes.count ? classes[index] : []))
            }
            pending.removeAll(keepingCapacity: true)
        }

        var stream: DecodedStream
        frameLoop: while true {
            if cancelled.isRequested { throw CancellationError() }
            let waitBegan = clock.now
            let next = try frames.next()
            waitTime += waitBegan.duration(to: clock.now)
            switch next {
            case let .item(frame):
                let began = clock.now
                pending += try tracker.faces(in: frame)
                facesTime += began.duration(to: clock.now)
                if pending.count >= batchSize { try flush() }
            case let .end(decoded):
                stream = decoded
                break frameLoop
            }
        }
        if cancelled.isRequested { throw CancellationError() }
        try flush()
        let wall = started.duration(to: clock.now)
        let times = StageTimes(
            decodeSeconds: stream.decodeSeconds, facesSeconds: facesTime.seconds, modelSeconds: modelTime.seconds,
            otherSeconds: max(0, (wall - waitTime - facesTime - modelTime).seconds))
        var video = AnalyzedVideo(probe: stream.probe, framesSampled: stream.framesSampled, faces: faces, stageTimes: times)
        video.suspicious = suspicious.kept
        return video
    }

    /// Runs the source on a new thread, handing its frames to `frames` and finishing it with
    /// what the source learnt, or its error. Stops at the next frame on `cancelled` or once
    /// the consumer stopped taking frames.
    private func startDecoding(path: String, into frames: FrameHandoff<VideoFrame, DecodedStream>, cancelled: StopSignal) {
        let source = self.source
        Thread.detachNewThread {
            let clock = ContinuousClock()
            let started = clock.now
            // Time blocked on a full handoff is the consumer's slowness, not decoding.
            var handingOver = Duration.zero
            do {
                let (probe, framesSampled) = try source.sampleFrames(path: path) { frame in
                    guard !cancelled.isRequested else { return false }
                    let began = clock.now
                    defer { handingOver += began.duration(to: clock.now) }
                    return frames.put(frame)
                }
                if cancelled.isRequested { throw CancellationError() }
                let decodeSeconds = (started.duration(to: clock.now) - handingOver).seconds
                frames.finish(.success(DecodedStream(probe: probe, framesSampled: framesSampled, decodeSeconds: decodeSeconds)))
            } catch {
                frames.finish(.failure(error))
            }
        }
    }
}

/// What the decoding thread reports once the stream is done.
struct DecodedStream: Sendable {
    var probe: VideoProbe
    var framesSampled: Int
    var decodeSeconds: Double
}
