/// Why a video could not be opened or decoded, with a one-line message for people.
///
/// Paths are not part of the error: callers already know which file they asked for.
public enum VideoDecodeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No file at the path.
    case notFound
    /// The file exists but has zero bytes.
    case emptyFile
    /// The file could not be read (permissions, a directory, an I/O error).
    case unreadable(reason: String)
    /// No container format recognised: not a video at all (random bytes, a text file).
    case notAVideo(reason: String)
    /// The container was recognised but cannot be opened (e.g. an MP4 cut before its moov box).
    case damagedContainer(format: String, reason: String)
    /// The container holds no video stream (audio only, subtitles, a cover picture).
    case noVideoStream(found: String)
    /// A single picture (PNG, JPEG …) rather than a video.
    case stillImage(codec: String)
    /// FFmpeg has no decoder for the stream's codec, or the decoder refused to open.
    case unsupportedCodec(String)
    /// The stream's pictures exceed `StreamDecoder.maxPixels`: refused before decoding.
    case frameTooLarge(width: Int, height: Int)
    /// Decoding failed or was concealed at a frame; earlier frames were still delivered.
    case corruptData(frame: Int, reason: String)
    /// Seeking inside the file failed.
    case seekFailed(reason: String)
    /// A still image could not be written.
    case encodeFailed(reason: String)

    public var description: String {
        switch self {
        case .notFound: return "no such file"
        case .emptyFile: return "empty file (0 bytes)"
        case let .unreadable(reason): return "cannot read file: \(reason)"
        case let .notAVideo(reason): return "not a video file: \(reason)"
        case let .damagedContainer(format, reason):
            return "damaged or incomplete \(format) file (truncated?): \(reason)"
        case let .noVideoStream(found): return "no video stream (found: \(found))"
        case let .stillImage(codec): return "a still image (\(codec)), not a video"
        case let .unsupportedCodec(codec): return "unsupported video codec: \(codec)"
        case let .frameTooLarge(width, height):
            return "frames too large: \(width)×\(height) pixels, at most \(StreamDecoder.maxPixels) (8192×4352)"
        case let .corruptData(frame, reason): return "corrupt data at frame \(frame): \(reason)"
        case let .seekFailed(reason): return "seek failed: \(reason)"
        case let .encodeFailed(reason): return "cannot write image: \(reason)"
        }
    }
}
