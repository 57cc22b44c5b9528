/// What `probe` reports about a video: container, stream parameters and the counted frames.
public struct VideoInfo: Sendable, Equatable, Codable {
    /// Demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2" or "matroska,webm".
    public var container: String
    /// Codec name, e.g. "h264", "hevc", "vp9".
    public var codec: String
    /// Codec profile, e.g. "High", "Main 10"; nil when the codec has none.
    public var profile: String?
    /// Pixel format of the decoded frames, e.g. "yuv420p", "yuv420p10le".
    public var pixelFormat: String
    /// Display size, after the display rotation.
    public var width: Int
    public var height: Int
    /// Clockwise rotation applied to the coded frames for display: 0, 90, 180 or 270.
    public var rotationDegrees: Int
    public var durationSeconds: Double?
    /// Container's average frame rate (frames / duration); nil when unknown.
    public var averageFrameRate: Double?
    /// Lowest frame rate that represents all timestamps (FFmpeg's r_frame_rate).
    public var realFrameRate: Double?
    /// Frames of the video stream, counted by reading every packet.
    public var frameCount: Int
    /// What the container's header claimed; nil when it says nothing.
    public var containerFrameCount: Int?
    /// Bits per second of the file (or the stream when the file has no figure).
    public var bitRate: Int?
    /// Median distance between keyframes in frames; nil with fewer than two keyframes.
    public var keyframeIntervalEstimate: Int?

    public init(container: String, codec: String, profile: String?, pixelFormat: String, width: Int, height: Int,
                rotationDegrees: Int, durationSeconds: Double?, averageFrameRate: Double?, realFrameRate: Double?,
                frameCount: Int, containerFrameCount: Int?, bitRate: Int?, keyframeIntervalEstimate: Int?) {
        self.container = container
        self.codec = codec
        self.profile = profile
        self.pixelFormat = pixelFormat
        self.width = width
        self.height = height
        self.rotationDegrees = rotationDegrees
        self.durationSeconds = durationSeconds
        self.averageFrameRate = averageFrameRate
        self.realFrameRate = realFrameRate
        self.frameCount = frameCount
        self.containerFrameCount = containerFrameCount
        self.bitRate = bitRate
        self.keyframeIntervalEstimate = keyframeIntervalEstimate
    }

    /// True when the frame count had to be counted because the header was silent or wrong.
    public var frameCountWasCounted: Bool { containerFrameCount != frameCount }
}
