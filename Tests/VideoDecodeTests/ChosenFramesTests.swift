import Foundation
import Imaging
import Testing
@testable import VideoDecode

/// The HTML report fetches a scan's chosen frames again by index, and encodes face pictures as JPEG.
extension VideoDecodeSuites {
    @Suite struct ChosenFramesTests {
        let fixtures: Fixtures

        init() throws { fixtures = try Fixtures.shared.get() }

        /// Frames asked for by index (unordered, repeated, out of range) are the frames an even
        /// sampling delivers at those indices, byte for byte, in ascending order.
        @Test(arguments: ["h264_gop12.mp4", "h264_gop250.mp4", "h264.ts", "rotated.mp4"])
        func framesByIndexAreTheSampledFrames(name: String) throws {
            let sampled = try VideoReader(path: fixtures.path(name)).frames(.evenly(count: 7)).frames
            let wanted = [sampled[5].index, sampled[1].index, sampled[5].index, -3, 1_000_000]
            var fetched: [VideoFrame] = []
            let outcome = try VideoReader(path: fixtures.path(name)).sample(indices: wanted) { frame in
                fetched.append(frame)
                return true
            }
            #expect(outcome.framesRequested == 2 && outcome.framesDelivered == 2 && outcome.error == nil)
            #expect(fetched.map(\.index) == [sampled[1].index, sampled[5].index])
            #expect(fetched.map(\.image) == [sampled[1].image, sampled[5].image])
        }

        /// A 128×128 picture becomes a baseline JPEG of the same size that decodes back close to it.
        @Test func thumbnailsAreJPEGsOfTheirOwnSize() throws {
            var pixels = [UInt8](repeating: 0, count: 128 * 128 * 3)
            for y in 0..<128 { for x in 0..<128 { pixels[(y * 128 + x) * 3] = UInt8(x * 2); pixels[(y * 128 + x) * 3 + 2] = UInt8(y * 2) } }
            let image = RGBImage(width: 128, height: 128, pixels: pixels)
            let jpeg = try StillImage.encodeJPEG(image, quality: 80)
            #expect(jpeg.prefix(2) == [0xFF, 0xD8] && jpeg.suffix(2) == [0xFF, 0xD9])
            #expect(jpeg.count < 128 * 128 * 3 / 4)
            let file = fixtures.path("thumbnail-\(UUID().uuidString).jpg")
            try Data(jpeg).write(to: URL(fileURLWithPath: file))
            defer { try? FileManager.default.removeItem(atPath: file) }
            let back = try StillImage.read(path: file)
            #expect(back.width == 128 && back.height == 128)
            let meanError = zip(back.pixels, image.pixels).map { abs(Int($0) - Int($1)) }.reduce(0, +) / image.pixels.count
            #expect(meanError < 8, "mean absolute error \(meanError)")
        }
    }
}
