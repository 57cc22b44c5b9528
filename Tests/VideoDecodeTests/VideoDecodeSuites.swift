import Testing

/// All suites of this target, one test at a time: each test blocks its thread (decoding,
/// ffmpeg), and Swift Testing shares only as many threads as there are cores between all
/// concurrently running tests, async ones of other modules included. Serialising leaves them one.
@Suite(.serialized, .enabled(if: FFmpegTool.isAvailable, "needs the ffmpeg command-line tool"))
enum VideoDecodeSuites {}
