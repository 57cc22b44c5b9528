import Detectors
import Scan
import VideoDecode

/// The library's scan pipeline built from the CLI's option groups (`scan`, `eval`).
extension ScanPipeline {
    /// One model, as `eval` and a single-model `scan` choose it.
    init(weights: String?, model: String?, sampling: SamplingOptions, faces: FaceOptions, batchSize: Int, jobs: Int,
         perturbations: [FramePerturbation] = [], catalog: () -> ModelCatalog = { .bundled }) throws {
        try self.init(weights: weights, model: model, sampling: sampling.sampling, decodeThreads: sampling.decodeThreads,
                      faces: faces.alignOptions, batchSize: batchSize, jobs: jobs, perturbations: perturbations, catalog: catalog)
    }

    init(models: [ModelLocation.Request], sampling: SamplingOptions, faces: FaceOptions, batchSize: Int, jobs: Int,
         perturbations: [FramePerturbation] = []) throws {
        try self.init(models: models, sampling: sampling.sampling, decodeThreads: sampling.decodeThreads,
                      faces: faces.alignOptions, batchSize: batchSize, jobs: jobs, perturbations: perturbations)
    }
}
