import Foundation
import Imaging
import XCTest
import TestSupport

/// Fixture images for the tests: the committed PNG and ffmpeg-generated frames, read as raw
/// RGB24 through the ffmpeg CLI (FaceAlign itself decodes nothing).
enum TestImages {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
    static let sharedData = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data")

    /// The 256×256 astronaut portrait (one face).
    static func astronaut() throws -> RGBImage {
        try decode(input: ["-i", fixtures.appendingPathComponent("astronaut-256.png").path],
                   width: 256, height: 256)
    }

    /// The astronaut scaled to `faceSide` and placed at (x, y) on a `width`×`height` grey frame.
    static func astronaut(on width: Int, _ height: Int, faceSide: Int, x: Int, y: Int) throws -> RGBImage {
        let png = fixtures.appendingPathComponent("astronaut-256.png").path
        return try decode(input: [
            "-f", "lavfi", "-i", "color=c=gray:s=\(width)x\(height):d=1", "-i", png,
            "-filter_complex", "[1:v]scale=\(faceSide):\(faceSide)[face];[0:v][face]overlay=\(x):\(y)",
        ], width: width, height: height)
    }

    /// ffmpeg's test pattern (colour bars, gradients, no face).
    static func testPattern(width: Int, height: Int) throws -> RGBImage {
        try decode(input: ["-f", "lavfi", "-i", "testsrc=s=\(width)x\(height):d=1"], width: width, height: height)
    }

    /// The first frame of `input` (ffmpeg input arguments) as packed RGB24 of the given size.
    static func decode(input: [String], width: Int, height: Int) throws -> RGBImage {
        let bytes = try ffmpeg(input + ["-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        XCTAssertEqual(bytes.count, width * height * 3, "ffmpeg returned an unexpected frame size")
        return RGBImage(width: width, height: height, pixels: [UInt8](bytes))
    }

    /// Runs ffmpeg quietly and returns its standard output; throws on a non-zero exit.
    static func ffmpeg(_ arguments: [String]) throws -> Data {
        try ChildProcess.ffmpeg(arguments)
    }

    /// Skips the calling test when `make setup-yuface` has not been run.
    static func requireYuFace() throws {
        let library = packageRoot.appendingPathComponent(".deps/yuface/libfacedetection.so").path
        let override = ProcessInfo.processInfo.environment["DEEPFAKE_SCAN_YUFACE"] ?? ""
        if override.isEmpty && !FileManager.default.fileExists(atPath: library) {
            throw XCTSkip("libfacedetection missing: run `make setup-yuface` to run this test")
        }
    }
}

extension TestImages {
    /// `count` frames at indices round(linspace(0, n − 1, count)) of a video, decoded by the
    /// ffmpeg CLI (the project's sampling rule, without depending on VideoDecode).
    static func sampledFrames(of video: URL, count: Int) throws -> [(index: Int, image: RGBImage)] {
        let probe = try ffprobe(["-select_streams", "v:0", "-show_entries", "stream=width,height,nb_frames",
                                 "-of", "csv=p=0", video.path])
        let fields = probe.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        guard fields.count == 3, fields[2] > 0 else { throw XCTSkip("cannot probe \(video.lastPathComponent): \(probe)") }
        let (width, height, frames) = (fields[0], fields[1], fields[2])
        let indices = (0..<count).map { Int((Double($0) * Double(frames - 1) / Double(count - 1)).rounded()) }
        let unique = Array(Set(indices)).sorted()
        let select = unique.map { "eq(n\\,\($0))" }.joined(separator: "+")
        let data = try ffmpeg(["-noautorotate", "-i", video.path, "-vf", "select='\(select)'", "-fps_mode", "passthrough",
                               "-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        let frameBytes = width * height * 3
        let bytes = [UInt8](data)
        return unique.enumerated().compactMap { position, index in
            let start = position * frameBytes
            guard start + frameBytes <= bytes.count else { return nil }
            return (index, RGBImage(width: width, height: height, pixels: Array(bytes[start..<start + frameBytes])))
        }
    }

    static func ffprobe(_ arguments: [String]) throws -> String {
        String(decoding: try ChildProcess.check("ffprobe", ["-v", "error"] + arguments), as: UTF8.self)
    }
}
