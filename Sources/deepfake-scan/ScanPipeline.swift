import Detectors
import FaceAlign
import Foundation
import NN
import Scan
import VideoDecode

/// decode → faces → model as `scan` and `eval` run it, built from their options: the weights
/// chosen (ModelLocation), a detector pool, YuNet, the frame sampler (with `eval --perturb`'s
/// degradations, if any).
struct ScanPipeline {
    private(set) var analyzer: StagedAnalyzer<VideoFileSource, FaceStage, DetectorPool>
    let card: ModelCard
    let sampling: SamplingOptions
    let faces: FaceOptions
    private(set) var perturbations: [FramePerturbation]

    /// Throws when the weights or the face detector cannot be loaded (a configuration error).
    /// `jobs`: the videos analysed at once, which the decoder threads per video are chosen with.
    init(weights: String?, model: String?, sampling: SamplingOptions, faces: FaceOptions, batchSize: Int, jobs: Int,
         perturbations: [FramePerturbation] = [], catalog: () -> ModelCatalog = { .bundled }) throws {
        FFmpegLog.setLevel(.quiet)
        let choice = try ModelLocation.choose(weights: weights, model: model, catalog: catalog)
        let scorer = try DetectorPool(model: choice.architecture, weights: choice.weights)
        let faceStage = try FaceStage(options: faces.alignOptions)
        let source = VideoFileSource(sampling: sampling.sampling, decodeThreads: sampling.decodeThreadCount(jobs: jobs),
                                     perturbations: perturbations)
        analyzer = StagedAnalyzer(source: source, trackers: faceStage, scorer: scorer, batchSize: batchSize)
        card = scorer.card
        self.sampling = sampling
        self.faces = faces
        self.perturbations = perturbations
    }

    /// Crops per video whose mask overlays `scan --masks` writes.
    static let overlaysPerVideo = 3

    /// Whether the loaded model makes manipulation masks.
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
    var fingerprintFields: [String: String] {
        let align = faces.alignOptions
        var fields = [
            "architecture": card.architecture, "model_version": card.version, "sampling": sampling.description,
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
