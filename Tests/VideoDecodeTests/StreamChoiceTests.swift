import Foundation
import Testing
@testable import VideoDecode

/// A file with several video streams is read on its main picture, not on a small thumbnail
/// track written first (which muxers flag "default") nor on a cover picture (issue 16, defect 8).
extension VideoDecodeSuites {
    @Suite struct StreamChoiceTests {
        let folder: String

        init() throws { folder = try Fixtures.shared.get().folder }

        /// 64×64 grey for 1 s (25 frames), then the 320×240 test pattern for 2 s (50 frames).
        private static let thumbnailThenMain = [
            "-f", "lavfi", "-i", "color=c=gray:s=64x64:r=25:d=1",
            "-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=2",
            "-map", "0:v", "-map", "1:v", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-preset", "veryfast",
        ]

        /// Generated on first use into the shared fixture folder (the suite runs serially).
        private func clip(_ name: String, _ arguments: [String]) throws -> String {
            let path = folder + "/" + name
            if !FileManager.default.fileExists(atPath: path) { try FFmpegTool.run(arguments + [path]) }
            return path
        }

        @Test(arguments: ["mp4", "mkv"])
        func aThumbnailTrackWrittenFirstIsPassedOver(_ container: String) throws {
            let path = try clip("thumbnail_first.\(container)", Self.thumbnailThenMain)
            let reader = try VideoReader(path: path)
            #expect(reader.info.width == 320 && reader.info.height == 240)
            #expect(reader.info.frameCount == 50)
            let (frames, outcome) = reader.frames(.evenly(count: 3))
            #expect(outcome.error == nil)
            #expect(frames.map(\.image.width) == [320, 320, 320])
        }

        /// A still written as a one-frame video track (Matroska has no cover flag for it) is
        /// larger than the video but is no video: FFmpeg ranks streams with several frames first.
        @Test func aLargerOneFrameTrackDoesNotWin() throws {
            let path = try clip("still_track_first.mkv", [
                "-f", "lavfi", "-i", "testsrc2=s=640x480:r=25,trim=end_frame=1",
                "-f", "lavfi", "-i", "testsrc2=s=160x120:r=25:d=2",
                "-map", "0:v", "-map", "1:v", "-c:v:0", "mjpeg", "-c:v:1", "libx264", "-pix_fmt:v:1", "yuv420p",
            ])
            let reader = try VideoReader(path: path)
            #expect(reader.info.width == 160 && reader.info.frameCount == 50)
        }

        @Test func aCoverPictureIsNeverTheVideo() throws {
            let cover = try clip("cover.png", ["-f", "lavfi", "-i", "testsrc2=s=640x480", "-frames:v", "1"])
            let path = try clip("with_cover.mp4", [
                "-i", cover, "-f", "lavfi", "-i", "testsrc2=s=160x120:r=25:d=2",
                "-map", "0", "-map", "1", "-c:v:0", "png", "-c:v:1", "libx264", "-pix_fmt:v:1", "yuv420p",
                "-disposition:v:0", "attached_pic",
            ])
            let reader = try VideoReader(path: path)
            #expect(reader.info.width == 160 && reader.info.frameCount == 50)

            let audioWithCover = try clip("audio_with_cover.mp4", [
                "-i", cover, "-f", "lavfi", "-i", "sine=duration=1",
                "-map", "0", "-map", "1", "-c:v", "png", "-c:a", "aac", "-disposition:v:0", "attached_pic",
            ])
            #expect(throws: VideoDecodeError.noVideoStream(found: "audio, cover picture")) {
                try VideoReader(path: audioWithCover)
            }
        }
    }
}
