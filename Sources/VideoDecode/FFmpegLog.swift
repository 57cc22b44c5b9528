import CFFmpeg

/// FFmpeg's own logging, which otherwise prints decoder chatter to stderr.
///
/// The level lives inside libavutil (process-wide); this type only wraps it.
public enum FFmpegLog {
    public enum Level: Int32, Sendable {
        case quiet = -8, error = 16, warning = 24, info = 32, debug = 48
    }

    /// Sets FFmpeg's log level for the whole process.
    public static func setLevel(_ level: Level) {
        av_log_set_level(level.rawValue)
    }

    /// Silences FFmpeg unless someone already chose a level: libavutil starts at `info`,
    /// so any other level was set on purpose (e.g. `--ffmpeg-log debug`) and is kept.
    static func silenceUnlessChosen() {
        if av_log_get_level() == Level.info.rawValue {
            av_log_set_level(Level.quiet.rawValue)
        }
    }
}

/// FFmpeg's message for an AVERROR code.
func ffmpegErrorMessage(_ code: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    return buffer.withUnsafeMutableBufferPointer { bytes in
        cffmpeg_error_string(code, bytes.baseAddress, bytes.count)
        return String(cString: bytes.baseAddress!)
    }
}

let ffmpegAgain = cffmpeg_error_again()
let ffmpegEndOfFile = cffmpeg_error_eof()
let ffmpegNoTimestamp = cffmpeg_no_pts()
