import Detectors
import FaceAlign
import Foundation
import NN
import Scan
import VideoDecode

/// decode → faces → model(s) as `scan` and `eval` run it, built from their options: the weights
/// chosen (ModelLocation), a detector pool per model, YuNet, the frame sampler (with `eval
/// --perturb`'s degradations, if any). Several models score the same crops of one decode.
struct ScanPipeline {
    private(set) var analyzer: StagedAnalyzer<VideoFileSource, FaceStage, ModelPanel>
    /// The first model's card (the only one of a single-model run).
    var card: ModelCard { cards[0] }
    let cards: [ModelCard]
    /// The thresholds given with the models (`NAME@T`), in model order; nil: the card's.
    let givenThresholds: [Double?]
    let sampling: SamplingOptions
    let faces: FaceOptions
    private(set) var perturbations: [FramePerturbation]

    enum Problem: Error, CustomStringConvertible {
        case repeated(String)
        var description: String {
            switch self {
            case let .repeated(name): return "model \(name) is given twice (its CSV columns would collide)"
            }
        }
    }

    /// One model, as `eval` and a single-model `scan` choose it.
    init(weights: String?, model: String?, sampling: SamplingOptions, faces: FaceOptions, batchSize: Int, jobs: Int,
         perturbations: [FramePerturbation] = [], catalog: () -> ModelCatalog = { .bundled }) throws {
        let choice = try ModelLocation.choose(weights: weights, model: model, catalog: catalog)
        try self.init(models: [ModelLocation.Request(choice: choice, threshold: nil)], sampling: sampling, faces: faces,
                      batchSize: batchSize, jobs: jobs, perturbations: perturbations)
    }

    /// Throws when weights or the face detector cannot be loaded, or a model is named twice
    /// (a configuration error). `jobs`: the videos analysed at once, which the decoder threads
    /// per video are chosen with.
    init(models: [ModelLocation.Request], sampling: SamplingOptions, faces: FaceOptions, batchSize: Int, jobs: Int,
         perturbations: [FramePerturbation] = []) throws {
        FFmpegLog.setLevel(.quiet)
        let pools = try models.map { try DetectorPool(model: $0.choice.architecture, weights: $0.choice.weights) }
        var seen = Set<String>()
        for pool in pools where !seen.insert(pool.card.name).inserted { throw Problem.repeated(pool.card.name) }
        let faceStage = try FaceStage(options: faces.alignOptions)
        let source = VideoFileSource(sampling: sampling.sampling, decodeThreads: sampling.decodeThreadCount(jobs: jobs),
                                     perturbations: perturbations)
        analyzer = StagedAnalyzer(source: source, trackers: faceStage, scorer: ModelPanel(pools: pools), batchSize: batchSize)
        cards = pools.map(\.card)
        givenThresholds = models.map(\.threshold)
        self.sampling = sampling
        self.faces = faces
        self.perturbations = perturbations
    }

    /// Each model with its threshold: the one given with it, else (one model) `--threshold`,
    /// else the card's calibrated one, else 0.5.
    func members(threshold: Double?) -> [ModelMember] {
        zip(cards, givenThresholds).map { card, given in
            ModelMember(name: card.name, threshold: given ?? (cards.count == 1 ? threshold : nil) ?? card.threshold ?? 0.5)
        }
    }

    /// Crops per video whose mask overlays `scan --masks` writes.
    static let overlaysPerVideo = 3

    /// Whether the loaded model makes manipulation masks (never with several models).
    var makesMasks: Bool { analyzer.scorer.makesMasks }

    /// Scores with masks from now on, keeping each video's `overlaysPerVideo` most suspicious crops.
    mutating func keepMasks() {
        analyzer.suspiciousCropsKept = Self.overlaysPerVideo
    }

    /// The same pipeline with other frame degradations (the weights are loaded once).
    func perturbed(by perturbations: [FramePerturbation]) -> ScanPipeline {
        var copy = self
        copy.analyzer.source.perturbations = perturbations
        copy.perturbations = perturbations
        return copy
    }

    /// Settings beyond model, frames, aggregator and threshold that change a video's result.
    /// Several models: their architectures and versions in model order, comma separated.
    var fingerprintFields: [String: String] {
        let align = faces.alignOptions
        var fields = [
            "architecture": cards.map(\.architecture).joined(separator: ","),
            "model_version": cards.map(\.version).joined(separator: ","), "sampling": sampling.description,
            "detect_size": String(align.detectSize), "retry_size": String(align.retrySize ?? 0),
            "search_every": String(align.searchEvery), "margin": String(align.margin),
            "crop_size": String(align.cropSize), "min_size": String(align.minFaceSize),
            "score_floor": String(align.scoreFloor),
        ]
        if !perturbations.isEmpty { fields["perturb"] = perturbations.specification }
        // Stored rows of a run without masks have no mask statistics to give back.
        if analyzer.suspiciousCropsKept > 0 { fields["masks"] = String(analyzer.suspiciousCropsKept) }
        return fields
    }
}
