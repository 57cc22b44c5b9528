import Foundation
import Testing
import VideoDecode
@testable import deepfake_scan
import TestSupport

/// A face video stored as the second video stream, behind a faceless 64×64 thumbnail track:
/// the faces are still found (issue 16, defect 8; the first stream used to be analysed).
@Suite struct MultiStreamFacesTests {
    @Test(.enabled(if: FacesCommandTests.haveYuFace && ChildProcess.hasFFmpeg, "needs `make setup-yuface` and ffmpeg"))
    func facesAreFoundInTheMainStreamBehindAThumbnailTrack() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("multistream-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let video = folder + "/thumbnail_then_face.mp4"
        try ChildProcess.ffmpeg([
            "-f", "lavfi", "-i", "color=c=gray:s=64x64:r=25:d=4", "-i", FacesCommandTests.realVideo,
            "-map", "0:v", "-map", "1:v", "-c:v:0", "libx264", "-pix_fmt:v:0", "yuv420p", "-c:v:1", "copy", video,
        ])
        let info = try VideoReader(path: video).info
        #expect(info.width == 480 && info.height == 480 && info.frameCount == 100)

        let out = folder + "/out"
        try Faces.parse([video, "--out", out, "--frames", "4"]).run()
        let lines = try String(contentsOfFile: out + "/faces.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 4, "one face on each of the 4 sampled frames")
    }
}
