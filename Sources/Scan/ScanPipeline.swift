import Aggregate
import Detectors
import FaceAlign
import Foundation
import NN
import VideoDecode

/// decode → faces → model(s), assembled as `scan` and `eval` run it: a detector pool per model
/// (weights chosen by `ModelLocation`), YuNet, the frame sampler (with degradations, if any).
/// Several models score the same crops of one decode.
///
/// A library user gets the CLI's scan from it: `ModelLocation.chooseAll` → `ScanPipeline` →
/// `configuration(…)` into a `ScanRequest` → `ScanJob(request:analyzer: pipeline.analyzer).run()`.
public struct ScanPipeline: Sendable {
    public private(set) var analyzer: StagedAnalyzer<VideoFileSource, FaceStage, ModelPanel>
    /// The first model's card (the only one of a single-model run).
    public var card: ModelCard { cards[0] }
    public let cards: [ModelCard]
    /// The thresholds given with the models (`NAME@T`), in model order; nil: the card's.
    public let givenThresholds: [Double?]
    public let sampling: FrameSampling
    public let faces: FaceAlignOptions
    public private(set) var perturbations: [FramePerturbation]

    /// What `scan` samples without frame options: 32 evenly spaced frames.
    public static let defaultSampling = FrameSampling.evenly(count: 32)

    public enum Problem: Error, CustomStringConvertible {
        case repeated(String)
        public var description: String {
            switch self {
            case let .repeated(name): return "model \(name) is given twice (its CSV columns would collide)"
            }
        }
    }

    /// One model, as `eval` and a single-model `scan` choose it (`ModelLocation.choose`).
    public init(weights: String?, model: String?, sampling: FrameSampling = defaultSampling, decodeThreads: Int? = nil,
                faces: FaceAlignOptions = FaceAlignOptions(), batchSize: Int = 32, jobs: Int = 1,
                perturbations: [FramePerturbation] = [], catalog: () -> ModelCatalog = { .bundled }) throws {
        let choice = try ModelLocation.choose(weights: weights, model: model, catalog: catalog)
        try self.init(models: [ModelLocation.Request(choice: choice, threshold: nil)], sampling: sampling,
                      decodeThreads: decodeThreads, faces: faces, batchSize: batchSize, jobs: jobs, perturbations: perturbations)
    }

    /// Throws when weights or the face detector cannot be loaded, or a model is named twice
    /// (a configuration error). `jobs`: the videos analysed at once; `decodeThreads` (threads
    /// per video) nil: chosen with them (`automaticDecodeThreads`). `batchSize`: crops scored
    /// together in one model call.
    public init(models: [ModelLocation.Request], sampling: FrameSampling = defaultSampling, decodeThreads: Int? = nil,
                faces: FaceAlignOptions = FaceAlignOptions(), batchSize: Int = 32, jobs: Int = 1,
                perturbations: [FramePerturbation] = []) throws {
        FFmpegLog.setLevel(.quiet)
        let pools = try models.map { try DetectorPool(model: $0.choice.architecture, weights: $0.choice.weights) }
        var seen = Set<String>()
        for pool in pools where !seen.insert(pool.card.name).inserted { throw Problem.repeated(pool.card.name) }
        let faceStage = try FaceStage(options: faces)
        let source = VideoFileSource(sampling: sampling, decodeThreads: decodeThreads ?? Self.automaticDecodeThreads(jobs: jobs),
                                     perturbations: perturbations)
        analyzer = StagedAnalyzer(source: source, trackers: faceStage, scorer: ModelPanel(pools: pools), batchSize: batchSize)
        cards = pools.map(\.card)
        givenThresholds = models.map(\.threshold)
        self.sampling = sampling
        self.faces = faces
        self.perturbations = perturbations
    }

    /// One thread per decoder when every core has a video (the default --jobs): frame threads
    /// cost CPU of their own, and on an otherwise idle machine one thread was cheaper and as
    /// fast; on cores shared with other processes it was slower (docs/benchmarks.md).
    public static let minimumAutomaticDecodeThreads = 1
    /// More FFmpeg frame threads than this add memory (a frame each) for little speed.
    public static let maximumAutomaticDecodeThreads = 8

    /// Decoder threads per video: the cores shared out among `jobs` videos decoding at once,
    /// within 1…8 (`--jobs 1` on 16 cores decodes with 8 threads, one video per core with 1).
    public static func automaticDecodeThreads(jobs: Int, cores: Int = ProcessInfo.processInfo.activeProcessorCount) -> Int {
        min(max(minimumAutomaticDecodeThreads, cores / max(1, jobs)), maximumAutomaticDecodeThreads)
    }

    /// Each model with its threshold: the one given with it, else (one model) `threshold`,
    /// else the card's calibrated one, else 0.5.
    public func members(threshold: Double?) -> [ModelMember] {
        zip(cards, givenThresholds).map { card, given in
            ModelMember(name: card.name, threshold: given ?? (cards.count == 1 ? threshold : nil) ?? card.threshold ?? 0.5)
        }
    }

    /// The run configuration (the results store's fingerprint, the CSV's model columns) of a
    /// scan with this pipeline: `threshold` as in `members`; `ensemble` (several models only)
    /// makes the main verdict from theirs, at `ensembleThreshold` or the mean of their own.
    public func configuration(aggregator: Aggregator = .default, threshold: Double? = nil,
                              ensemble: EnsembleRule.Method? = nil, ensembleThreshold: Double? = nil) -> RunConfiguration {
        var configuration = RunConfiguration(
            members: members(threshold: threshold), ensemble: ensemble, ensembleThreshold: ensembleThreshold,
            frames: sampling.reportedFrameCount, aggregator: aggregator, extra: fingerprintFields)
        configuration.manipulationClasses = manipulationClasses
        return configuration
    }

    /// The single model's manipulation classes, which the run's CSV and face rows report (nil
    /// with masks: `scan --masks` takes a masking model, and crops are scored one way only).
    public var manipulationClasses: [String]? {
        analyzer.suspiciousCropsKept == 0 ? analyzer.scorer.manipulationClasses : nil
    }

    /// Crops per video whose mask overlays `scan --masks` writes.
    public static let overlaysPerVideo = 3

    /// Whether the loaded model makes manipulation masks (never with several models).
    public var makesMasks: Bool { analyzer.scorer.makesMasks }

    /// Scores with masks from now on, keeping each video's `overlaysPerVideo` most suspicious crops.
    public mutating func keepMasks() {
        analyzer.suspiciousCropsKept = Self.overlaysPerVideo
    }

    /// Whether the loaded model gives attention maps (never with several models).
    public var makesAttention: Bool { analyzer.scorer.makesAttention }

    /// Scores with attention maps from now on, keeping each video's `overlaysPerVideo` most suspicious crops.
    public mutating func keepAttention() {
        analyzer.suspiciousCropsKept = Self.overlaysPerVideo
        analyzer.keepsAttention = true
    }

    /// The same pipeline with other frame degradations (the weights are loaded once).
    public func perturbed(by perturbations: [FramePerturbation]) -> ScanPipeline {
        var copy = self
        copy.analyzer.source.perturbations = perturbations
        copy.perturbations = perturbations
        return copy
    }

    /// Settings beyond model, frames, aggregator and threshold that change a video's result.
    /// Several models: their architectures and versions in model order, comma separated.
    public var fingerprintFields: [String: String] {
        var fields = [
            "architecture": cards.map(\.architecture).joined(separator: ","),
            "model_version": cards.map(\.version).joined(separator: ","), "sampling": sampling.fingerprintText,
            "detect_size": String(faces.detectSize), "retry_size": String(faces.retrySize ?? 0),
            "search_every": String(faces.searchEvery), "margin": String(faces.margin),
            "crop_size": String(faces.cropSize), "min_size": String(faces.minFaceSize),
            "score_floor": String(faces.scoreFloor),
        ]
        if !perturbations.isEmpty { fields["perturb"] = perturbations.specification }
        // Stored rows of a run without masks have no mask statistics to give back.
        if analyzer.suspiciousCropsKept > 0 {
            fields[analyzer.keepsAttention ? "attention" : "masks"] = String(analyzer.suspiciousCropsKept)
        }
        return fields
    }
}

extension FrameSampling {
    /// The sampling mode as the results store's fingerprint writes it.
    public var fingerprintText: String {
        switch self {
        case let .evenly(count): return "evenly:\(count)"
        case let .everySeconds(interval): return "every:\(interval)s"
        case .keyframes: return "keyframes"
        case let .nearestKeyframes(count): return "nearest-keyframes:\(count)"
        }
    }

    /// The CSV's frames setting: the requested count, 0 for a time interval or keyframes.
    public var reportedFrameCount: Int {
        if case let .evenly(count) = self { return count }
        return 0
    }
}

extension RunConfiguration {
    /// The configuration of a run with `members`: one keeps the single-model configuration as it
    /// always was; several get their columns and the ensemble rule (`ensemble`, at
    /// `ensembleThreshold` or the mean of the members' thresholds).
    public init(members: [ModelMember], ensemble: EnsembleRule.Method?, ensembleThreshold: Double?, frames: Int,
                aggregator: Aggregator, extra: [String: String] = [:]) {
        if members.count == 1 {
            self.init(model: members[0].name, frames: frames, aggregator: aggregator, threshold: members[0].threshold, extra: extra)
        } else {
            let rule = ensemble.map {
                EnsembleRule(method: $0, threshold: ensembleThreshold ?? EnsembleRule.defaultThreshold(of: members))
            }
            self.init(models: members, ensemble: rule, frames: frames, aggregator: aggregator, extra: extra)
        }
    }
}
