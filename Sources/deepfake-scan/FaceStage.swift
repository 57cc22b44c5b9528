import FaceAlign
import Reports
import Scan

/// The scan pipeline's face stage (Scan.FaceTrackerFactory) backed by FaceAlign: a fresh
/// `FaceExtractor` per video, since it holds that video's tracks and detector buffers.
struct FaceStage: FaceTrackerFactory {
    var options: FaceAlignOptions

    func makeTracker() throws -> any FaceTracking {
        FaceStageTracking(extractor: try FaceExtractor(options: options))
    }
}

/// One video's face stage: aligned crops of each sampled frame, linked into tracks.
final class FaceStageTracking: FaceTracking {
    private let extractor: FaceExtractor

    init(extractor: FaceExtractor) {
        self.extractor = extractor
    }

    func crops(in frame: SampledFrame) throws -> [FaceCrop] {
        try extractor.process(frame.image, frameIndex: frame.index, seconds: frame.seconds).map { face in
            FaceCrop(frameIndex: face.frameIndex, seconds: face.seconds, trackID: face.trackID,
                     box: FaceBox(x: face.box.x, y: face.box.y, width: face.box.width, height: face.box.height),
                     image: face.crop)
        }
    }
}
