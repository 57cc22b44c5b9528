import Foundation
import Testing
@testable import Scan
import TestSupport

/// A video from which the sampling gets no frame at all is an error row, not "no face": no
/// frame was looked at. Found by the hostile corpus: `--keyframes` on an MP4 whose edit list
/// starts between two keyframes chose no frame and the video was reported `no_face`.
@Suite struct NoFrameTests {
    @Test func noFrameSampledIsAnError() throws {
        let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Samples/astronaut_real.mp4")
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("noframe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let clip = root.appendingPathComponent("edit_list.mp4").path
        try ChildProcess.ffmpeg(["-ss", "1.3", "-i", sample.path, "-t", "1.5", "-c", "copy", clip])
        var source = VideoFileSource()
        source.sampling = .keyframes
        var delivered = 0
        #expect(throws: (any Error).self) {
            _ = try source.sampleFrames(path: clip) { _ in delivered += 1; return true }
        }
        #expect(delivered == 0)
        // The same clip sampled evenly has frames.
        let (_, frames) = try VideoFileSource().sampleFrames(path: clip) { _ in true }
        #expect(frames > 0)
    }
}
