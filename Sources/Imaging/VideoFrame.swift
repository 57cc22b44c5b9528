/// One frame of a video, as the decoder hands it on and every later stage reads it.
public struct VideoFrame: Sendable {
    /// Frame number in presentation order, 0-based.
    public var index: Int
    /// Seconds since the first frame.
    public var seconds: Double
    /// Display orientation (rotation applied), packed RGB.
    public var image: RGBImage
    /// Presentation timestamp in the stream's time base (0 for a frame not read from a stream).
    public var pts: Int64
    /// Whether the stream coded this frame as a keyframe (false for a frame not read from a stream).
    public var isKeyframe: Bool

    public init(index: Int, seconds: Double, image: RGBImage, pts: Int64 = 0, isKeyframe: Bool = false) {
        self.index = index
        self.seconds = seconds
        self.image = image
        self.pts = pts
        self.isKeyframe = isKeyframe
    }
}
