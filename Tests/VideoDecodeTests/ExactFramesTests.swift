import Foundation
import Imaging
import Testing
@testable import VideoDecode

/// Sampled frames are the very frames ffmpeg decodes at those indices, byte for byte.
extension VideoDecodeSuites {
    @Suite struct ExactFramesTests {
        let fixtures: Fixtures

        init() throws { fixtures = try Fixtures.shared.get() }

        /// Checks `frames` against ffmpeg's RGB for the same indices.
        private func expectMatchesFFmpeg(_ name: String, _ frames: [VideoFrame]) throws {
            let reference = try FFmpegTool.referenceFrames(fixtures.path(name), indices: frames.map(\.index))
            let ours = frames.reduce(into: Data()) { $0.append(contentsOf: $1.image.pixels) }
            #expect(ours.count == reference.count, "\(name): \(ours.count) bytes vs ffmpeg \(reference.count)")
            #expect(ours == reference, "\(name): RGB differs from ffmpeg at indices \(frames.map(\.index))")
        }

        @Test(arguments: ["h264_gop12.mp4", "h264_gop250.mp4", "hevc10.mp4", "vp9.webm", "mpeg4.avi", "mjpeg.mov",
                          "vfr.mp4", "rotated.mp4", "h264.ts", "mpeg4_bframes.avi"])
        func evenlySpacedFramesEqualFFmpeg(name: String) throws {
            let reader = try VideoReader(path: fixtures.path(name))
            let (frames, outcome) = reader.frames(.evenly(count: 7))
            #expect(outcome.succeeded)
            #expect(outcome.framesDelivered == 7 && frames.count == 7)
            let n = reader.info.frameCount
            #expect(frames.map(\.index) == (0..<7).map { Int((Double($0) * Double(n - 1) / 6).rounded()) })
            try expectMatchesFFmpeg(name, frames)
        }

        @Test(arguments: ["h264_gop12.mp4", "h264_gop250.mp4", "h264.ts"])
        func seekPerFrameGivesTheSameFrames(name: String) throws {
            let reader = try VideoReader(path: fixtures.path(name))
            let gopAware = reader.frames(.evenly(count: 9)).frames
            let naive = try VideoReader(path: fixtures.path(name)).frames(.evenly(count: 9), seekPolicy: .seekPerFrame)
            #expect(naive.outcome.succeeded)
            #expect(naive.frames.map(\.index) == gopAware.map(\.index))
            let sameImages = naive.frames.map(\.image) == gopAware.map(\.image)
            #expect(sameImages)
            try expectMatchesFFmpeg(name, naive.frames)
        }

        @Test func gopAwareNeverDecodesAFrameTwiceAndSkipsWholeGroups() throws {
            // GOP 12, 100 frames, 5 targets 0,25,50,74,99: each needs at most its own GOP's prefix.
            let gopAware = try VideoReader(path: fixtures.path("h264_gop12.mp4")).frames(.evenly(count: 5)).outcome
            #expect(gopAware.framesDecoded <= 5 * 12 && gopAware.framesDecoded >= 5)
            // GOP 250 of 300 frames, 9 targets: one forward pass at most (no frame decoded twice) …
            let long = try VideoReader(path: fixtures.path("h264_gop250.mp4")).frames(.evenly(count: 9)).outcome
            #expect(long.framesDecoded <= 300)
            // … while seeking back to the keyframe for every target decodes the same frames again.
            let naive = try VideoReader(path: fixtures.path("h264_gop250.mp4"))
                .frames(.evenly(count: 9), seekPolicy: .seekPerFrame).outcome
            #expect(naive.framesDecoded > 600)
        }

        @Test func adjacentAndRepeatedTargetsInOneGroupOfPictures() throws {
            // 40 of 100 frames: several targets per GOP of 12, decoded forward without seeking back.
            let reader = try VideoReader(path: fixtures.path("h264_gop12.mp4"))
            let (frames, outcome) = reader.frames(.evenly(count: 40))
            #expect(outcome.succeeded && frames.count == 40)
            try expectMatchesFFmpeg("h264_gop12.mp4", frames)
        }

        @Test func everyFrameWhenMoreAreAskedThanExist() throws {
            let reader = try VideoReader(path: fixtures.path("mjpeg.mov"))
            let (frames, outcome) = reader.frames(.evenly(count: 50))
            #expect(outcome.framesRequested == 20 && frames.map(\.index) == Array(0..<20))
            try expectMatchesFFmpeg("mjpeg.mov", frames)
        }

        @Test func readersOnSeveralThreadsAtOnceAgree() throws {
            // One reader per thread (the scan runs videos in parallel): no shared FFmpeg state.
            let path = fixtures.path("h264_gop250.mp4")
            let expected = try VideoReader(path: path).frames(.evenly(count: 6)).frames.map(\.image)
            let lock = NSLock()
            nonisolated(unsafe) var all: [[VideoFrame]] = [] // guarded by `lock`
            DispatchQueue.concurrentPerform(iterations: 4) { _ in
                let frames = (try? VideoReader(path: path).frames(.evenly(count: 6)).frames) ?? []
                lock.withLock { all.append(frames) }
            }
            let allAgree = all.count == 4 && all.allSatisfy { $0.map(\.image) == expected }
            #expect(allAgree)
        }

        @Test func sampleCanBeCalledAgainOnTheSameReader() throws {
            let reader = try VideoReader(path: fixtures.path("h264_gop12.mp4"))
            let first = reader.frames(.evenly(count: 5)).frames
            let second = reader.frames(.evenly(count: 5)).frames
            let sameImages = first.map(\.image) == second.map(\.image)
            #expect(sameImages)
            let keyframes = reader.frames(.keyframes).frames
            #expect(keyframes.map(\.index) == Array(stride(from: 0, to: 100, by: 12)))
        }

        @Test(arguments: ["still.png", "still.jpg"])
        func stillImageReadsWhatFFmpegReads(name: String) throws {
            let image = try StillImage.read(path: fixtures.path(name))
            let reference = try FFmpegTool.run(["-i", fixtures.path(name), "-sws_flags", "bicubic", "-pix_fmt", "rgb24",
                                                "-f", "rawvideo", "-"])
            #expect(image.width == 160 && image.height == 120)
            #expect(Data(image.pixels) == reference)
        }

        @Test func writtenPNGReadsBackIdentical() throws {
            let frame = try #require(try VideoReader(path: fixtures.path("hevc10.mp4")).frames(.evenly(count: 1)).frames.first)
            let path = fixtures.path("roundtrip-\(UUID().uuidString).png")
            try StillImage.writePNG(frame.image, to: path)
            let readBack = try StillImage.read(path: path)
            let identical = readBack == frame.image
            #expect(identical)
        }
    }
}
