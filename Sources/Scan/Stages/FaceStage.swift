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
        try FaceExtractor(options: options)
    }
}

extension FaceExtractor: FaceTracking {}
