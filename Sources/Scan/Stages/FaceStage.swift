import FaceAlign
import Reports

/// Stage 2 on YuNet: a fresh `FaceExtractor` (tracks, detector buffers) for every video.
public struct FaceStage: FaceTrackerFactory {
    public var options: FaceAlignOptions

    /// Fails at once when libfacedetection is missing, before any video is read.
    public init(options: FaceAlignOptions = FaceAlignOptions()) throws {
        self.options = options
        _ = try FaceExtractor(options: options)
    }

    public func makeTracker() throws -> any FaceTracking {
        ExtractorTracking(extractor: try FaceExtractor(options: options))
    }
}

/// Adapts one video's `FaceExtractor` to the pipeline's crop type.
final class ExtractorTracking: FaceTracking {
    private let extractor: FaceExtractor

    init(extractor: FaceExtractor) {
        self.extractor = extractor
    }

    func crops(in frame: SampledFrame) throws -> [FaceCrop] {
        try extractor.process(frame.image, frameIndex: frame.index, seconds: frame.seconds).map { face in
            FaceCrop(frameIndex: face.frameIndex, seconds: face.seconds, trackID: face.trackID, box: face.box, image: face.crop)
        }
    }
}
