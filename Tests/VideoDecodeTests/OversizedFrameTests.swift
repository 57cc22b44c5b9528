import Foundation
import Testing
@testable import VideoDecode

/// A decompression bomb: a few hundred KB of PNG-in-Matroska that decodes to 8200 × 4400
/// pixels (16000 × 16000 took 1.8 GB to scan). Refused before anything is decoded.
extension VideoDecodeSuites {
    @Suite struct OversizedFrameTests {
        @Test func framesAboveTheLimitAreRefusedBeforeDecoding() throws {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("oversized-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let path = folder.appendingPathComponent("bomb.mkv").path
            // Grey, PNG level 1, one thread: about 2 s and 150 MB for ffmpeg to write.
            try FFmpegTool.run(["-f", "lavfi", "-i", "color=c=gray:s=8200x4400:r=1,format=gray", "-frames:v", "1",
                                "-c:v", "png", "-compression_level", "1", "-threads", "1", path])
            #expect(8200 * 4400 > StreamDecoder.maxPixels)
            do {
                let reader = try VideoReader(path: path)
                Issue.record("opened a \(reader.info.width)×\(reader.info.height) stream")
            } catch {
                #expect(error == .frameTooLarge(width: 8200, height: 4400))
                #expect(!error.description.contains("\n"), "one line: \(error.description)")
            }
        }
    }
}
