import Imaging
import VideoDecode

/// Stage 1 on FFmpeg: opens the file with `VideoReader` and streams the sampled frames.
///
/// A decoder is made per call (per video), so the source itself holds no C state and can be
/// shared by all workers.
public struct VideoFileSource: FrameSource {
    public var sampling: FrameSampling
    public var decodeThreads: Int
    /// Degradations applied to each decoded frame before faces (`eval --perturb`); noise is
    /// seeded by the path and frame index, so a rerun sees the same frames.
    public var perturbations: [FramePerturbation]

    public init(sampling: FrameSampling = .evenly(count: 32), decodeThreads: Int = 2,
                perturbations: [FramePerturbation] = []) {
        self.sampling = sampling
        self.decodeThreads = decodeThreads
        self.perturbations = perturbations
    }

    /// Throws the decoder's error when not a single frame came out; a later problem (corrupt
    /// packets mid-stream) keeps the frames obtained and is reported as the probe's warning.
    public func sampleFrames(path: String, onFrame: (VideoFrame) throws -> Bool) throws
        -> (probe: VideoProbe, framesSampled: Int) {
        // `path` is a PathText: open the exact bytes it stands for.
        let reader = try VideoReader(fileSystemPath: PathText.bytes(of: path), decodeThreads: decodeThreads)
        let perturber = perturbations.isEmpty ? nil : try FramePerturber(perturbations)
        let outcome = try reader.sample(sampling) { frame in
            let image = try perturber?.apply(frame.image, noiseSeed: SplitMix64.seed(name: path, index: frame.index))
            return try onFrame(VideoFrame(index: frame.index, seconds: frame.seconds, image: image ?? frame.image))
        }
        if let error = outcome.error, outcome.framesDelivered == 0 { throw error }
        // No frame at all is never "no face": nothing was looked at.
        if outcome.framesDelivered == 0 {
            throw VideoDecodeError.corruptData(
                frame: 0, reason: outcome.framesRequested > 0 ? "no frame could be decoded" : "no frame to sample in this stream")
        }
        let info = reader.info
        let warning = outcome.error.map {
            "partial decode (\(outcome.framesDelivered) of \(outcome.framesRequested) frames): \($0)"
        }
        let probe = VideoProbe(
            durationSeconds: info.durationSeconds, width: info.width, height: info.height,
            codec: info.codec, decodeWarning: warning)
        return (probe, outcome.framesDelivered)
    }
}
