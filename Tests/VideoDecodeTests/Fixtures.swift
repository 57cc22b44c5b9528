import Foundation
import Imaging
import TestSupport

/// Runs the ffmpeg command-line tool (test fixtures and reference frames only).
enum FFmpegTool {
    static var isAvailable: Bool { ChildProcess.hasFFmpeg }

    /// Runs `ffmpeg -nostdin -y -loglevel error ARGS` and returns its stdout.
    @discardableResult
    static func run(_ arguments: [String]) throws -> Data { try ChildProcess.ffmpeg(arguments) }

    /// Packed RGB24 bytes of frames `indices` (decoder order of presentation), as ffmpeg converts them.
    /// ffmpeg stops after the last of them, so early indices cost little.
    static func referenceFrames(_ path: String, indices: [Int], autorotate: Bool = true) throws -> Data {
        let select = indices.map { "eq(n\\,\($0))" }.joined(separator: "+")
        return try run((autorotate ? [] : ["-noautorotate"]) + [
            "-i", path, "-map", "0:v:0", "-vf", "select=\(select)", "-fps_mode", "passthrough",
            "-frames:v", "\(indices.count)",
            "-sws_flags", "bicubic", "-pix_fmt", "rgb24", "-f", "rawvideo", "-",
        ])
    }
}

enum FixtureError: Error, CustomStringConvertible {
    case patternMissing(String)

    var description: String {
        switch self {
        case let .patternMissing(what): return "fixture pattern not found: \(what)"
        }
    }
}

/// Small clips generated once per test process into a temporary folder.
struct Fixtures: Sendable {
    let folder: String

    static let shared: Result<Fixtures, any Error> = Result { try Fixtures.generate() }

    func path(_ name: String) -> String { folder + "/" + name }

    /// 160×120 test pattern with a frame counter, `frames` frames at 25 fps.
    private static func pattern(_ frames: Int, rate: Int = 25) -> [String] {
        ["-f", "lavfi", "-i", "testsrc2=size=160x120:rate=\(rate),trim=end_frame=\(frames)"]
    }

    private static func generate() throws -> Fixtures {
        let temporary = FileManager.default.temporaryDirectory
        removeFoldersOfFinishedRuns(in: temporary)
        let folder = temporary.appendingPathComponent("\(prefix)\(getpid())").path
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let fixtures = Fixtures(folder: folder)
        let x264 = ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-preset", "veryfast", "-sc_threshold", "0"]
        try FFmpegTool.run(pattern(100) + x264 + ["-g", "12", "-bf", "2", fixtures.path("h264_gop12.mp4")])
        try FFmpegTool.run(pattern(300) + x264 + ["-g", "250", "-bf", "3", fixtures.path("h264_gop250.mp4")])
        // MPEG-TS starts at 1.4 s and seeks by scanning timestamps: seeks may land late.
        try FFmpegTool.run(pattern(100) + x264 + ["-g", "12", "-bf", "2", fixtures.path("h264.ts")])
        try FFmpegTool.run(pattern(30) + ["-c:v", "libx265", "-pix_fmt", "yuv420p10le", "-preset", "ultrafast",
                                          "-x265-params", "log-level=error", fixtures.path("hevc10.mp4")])
        try FFmpegTool.run(pattern(30) + ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8",
                                          "-g", "10", fixtures.path("vp9.webm")])
        try FFmpegTool.run(pattern(50) + ["-c:v", "mpeg4", "-g", "15", fixtures.path("mpeg4.avi")])
        // B-frames in AVI: packets carry decode times only, so pictures are counted.
        try FFmpegTool.run(pattern(50) + ["-c:v", "mpeg4", "-g", "15", "-bf", "2", fixtures.path("mpeg4_bframes.avi")])
        try FFmpegTool.run(pattern(20) + ["-c:v", "mjpeg", fixtures.path("mjpeg.mov")])
        try FFmpegTool.run(["-i", fixtures.path("h264_gop12.mp4"), "-c", "copy", "-metadata:s:v", "rotate=90",
                            fixtures.path("rotated.mp4")])
        // Keeps 4 of every 10 frames with their original times: gaps of 1 and 7 frame periods.
        try FFmpegTool.run(pattern(100) + ["-vf", "select=lt(mod(n\\,10)\\,4)", "-fps_mode", "vfr"] + x264
                           + ["-g", "12", fixtures.path("vfr.mp4")])
        try makeBadInputs(fixtures)
        return fixtures
    }

    private static let prefix = "videodecode-fixtures-"

    /// Test processes cannot clean up at exit, so each removes what dead ones left behind.
    private static func removeFoldersOfFinishedRuns(in temporary: URL) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? []
        for name in names where name.hasPrefix(prefix) {
            guard let pid = Int32(name.dropFirst(prefix.count)), kill(pid, 0) != 0, errno == ESRCH else { continue }
            try? FileManager.default.removeItem(at: temporary.appendingPathComponent(name))
        }
    }

    private static func makeBadInputs(_ fixtures: Fixtures) throws {
        try (Data()).write(to: URL(fileURLWithPath: fixtures.path("empty.mp4")))
        var generator = SplitMix64(seed: 42)
        let noise = Data((0..<65_536).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
        try (noise).write(to: URL(fileURLWithPath: fixtures.path("random.mp4")))
        // The MP4 muxer writes the moov box last: the first half has none.
        let whole = try Data(contentsOf: URL(fileURLWithPath: fixtures.path("h264_gop250.mp4")))
        try (whole.prefix(whole.count / 2)).write(to: URL(fileURLWithPath: fixtures.path("truncated.mp4")))
        try FFmpegTool.run(["-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", fixtures.path("audio.m4a")])
        try FFmpegTool.run(pattern(1) + ["-frames:v", "1", fixtures.path("still.png")])
        try FFmpegTool.run(pattern(1) + ["-frames:v", "1", fixtures.path("still.jpg")])
        // Index at the front (faststart), media data cut in half: the first frames still decode.
        try FFmpegTool.run(pattern(100) + ["-c:v", "libx264", "-preset", "veryfast", "-movflags", "+faststart",
                                           fixtures.path("faststart.mp4")])
        let faststart = try Data(contentsOf: URL(fileURLWithPath: fixtures.path("faststart.mp4")))
        try faststart.prefix(faststart.count / 2).write(to: URL(fileURLWithPath: fixtures.path("faststart_cut.mp4")))
        // Garbage over the middle of the media data: decoding goes on with errors.
        var corrupt = whole
        let start = corrupt.count / 2
        for offset in 0..<4_000 { corrupt[start + offset] = UInt8(truncatingIfNeeded: generator.next()) }
        try (corrupt).write(to: URL(fileURLWithPath: fixtures.path("corrupt.mp4")))
        // A Matroska track whose codec ID FFmpeg does not know (same length as the real one).
        try FFmpegTool.run(pattern(5) + ["-c:v", "mpeg4", fixtures.path("mpeg4.mkv")])
        var unknown = try Data(contentsOf: URL(fileURLWithPath: fixtures.path("mpeg4.mkv")))
        guard let range = unknown.range(of: Data("V_MPEG4/ISO/ASP".utf8)) else {
            throw FixtureError.patternMissing("V_MPEG4/ISO/ASP")
        }
        unknown.replaceSubrange(range, with: Data("V_NOSUCH/CODEC1".utf8))
        try (unknown).write(to: URL(fileURLWithPath: fixtures.path("unknown_codec.mkv")))
    }
}

