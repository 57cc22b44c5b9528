import Foundation

/// A generated benchmark clip: 10 s at 30 fps of ffmpeg's testsrc2 pattern, H.264 with B-frames.
struct BenchClip {
    var name: String
    var width: Int
    var height: Int
    var gop: Int

    static let all = [
        BenchClip(name: "720p_gop12", width: 1280, height: 720, gop: 12),
        BenchClip(name: "720p_gop250", width: 1280, height: 720, gop: 250),
        BenchClip(name: "1080p_gop12", width: 1920, height: 1080, gop: 12),
        BenchClip(name: "1080p_gop250", width: 1920, height: 1080, gop: 250),
    ]

    func path(in folder: String) -> String { "\(folder)/\(name).mp4" }

    /// Encodes the clip unless an earlier run left it there.
    func make(in folder: String) throws {
        let path = path(in: folder)
        if FileManager.default.fileExists(atPath: path) { return }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try runFFmpeg([
            "-f", "lavfi", "-i", "testsrc2=size=\(width)x\(height):rate=30,trim=end_frame=300",
            "-c:v", "libx264", "-preset", "veryfast", "-bf", "3", "-g", "\(gop)", "-sc_threshold", "0",
            "-pix_fmt", "yuv420p", path + ".part.mp4",
        ])
        try FileManager.default.moveItem(atPath: path + ".part.mp4", toPath: path)
    }
}
