import Foundation
import Testing
@testable import VideoDecode

/// Probe facts, sampling modes and rotation on the generated clips.
extension VideoDecodeSuites {
    @Suite struct ProbeAndSamplingTests {
        let fixtures: Fixtures

        init() throws { fixtures = try Fixtures.shared.get() }

        @Test func probeOfAnH264Clip() throws {
            let info = try VideoReader(path: fixtures.path("h264_gop12.mp4")).info
            #expect(info.container.contains("mp4"))
            #expect(info.codec == "h264" && info.profile == "High" && info.pixelFormat == "yuv420p")
            #expect(info.width == 160 && info.height == 120 && info.rotationDegrees == 0)
            #expect(info.frameCount == 100 && info.containerFrameCount == 100 && !info.frameCountWasCounted)
            #expect(info.keyframeIntervalEstimate == 12)
            #expect(abs((info.durationSeconds ?? 0) - 4) < 0.01)
            #expect(info.averageFrameRate == 25 && info.realFrameRate == 25)
            #expect((info.bitRate ?? 0) > 0)
        }

        @Test func probeCountsFramesTheContainerDoesNotState() throws {
            // Matroska/WebM headers carry no frame count.
            let info = try VideoReader(path: fixtures.path("vp9.webm")).info
            #expect(info.codec == "vp9" && info.containerFrameCount == nil)
            #expect(info.frameCount == 30 && info.frameCountWasCounted)
            #expect(info.keyframeIntervalEstimate == 10)
        }

        @Test func probeOfTenBitHEVC() throws {
            let info = try VideoReader(path: fixtures.path("hevc10.mp4")).info
            #expect(info.codec == "hevc" && info.profile == "Main 10" && info.pixelFormat == "yuv420p10le")
        }

        @Test func rotationIsAppliedToSizeAndPixels() throws {
            // `rotate=90` makes the MP4 muxer store a display matrix of 90° counter-clockwise
            // (ffprobe: rotation=90), which players show turned 270° clockwise.
            let reader = try VideoReader(path: fixtures.path("rotated.mp4"))
            #expect(reader.info.rotationDegrees == 270)
            #expect(reader.info.width == 120 && reader.info.height == 160)
            let rotated = try #require(reader.frames(.evenly(count: 3)).frames.last)
            let upright = try #require(try VideoReader(path: fixtures.path("h264_gop12.mp4")).frames(.evenly(count: 3)).frames.last)
            #expect(rotated.index == upright.index)
            let turnedLikeAPlayer = rotated.image == upright.image.rotated(quarterTurns: 3)
            #expect(turnedLikeAPlayer)
        }

        @Test func variableFrameRateUsesPresentationTimes() throws {
            let reader = try VideoReader(path: fixtures.path("vfr.mp4"))
            #expect(reader.info.frameCount == 40)
            let frames = reader.frames(.evenly(count: 40)).frames
            // Source frames 0,1,2,3,10,11,… at 25 fps: seconds follow the kept frames' times.
            let expected: [Double] = (0..<40).map { (k: Int) -> Double in Double((k / 4) * 10 + k % 4) / 25 }
            #expect(zip(frames.map(\.seconds), expected).allSatisfy { abs($0 - $1) < 0.001 })
        }

        @Test func everySecondsPicksTheFrameOnScreen() throws {
            let reader = try VideoReader(path: fixtures.path("h264_gop12.mp4"))
            let (frames, outcome) = reader.frames(.everySeconds(0.5))
            #expect(outcome.succeeded)
            // 0.5 s = 12.5 frames at 25 fps: the frame on screen is the one that started before.
            #expect(frames.map(\.index) == [0, 12, 25, 37, 50, 62, 75, 87])
            #expect(zip(frames.map(\.seconds), [0, 0.48, 1, 1.48, 2, 2.48, 3, 3.48]).allSatisfy { abs($0 - $1) < 0.001 })
        }

        @Test func keyframesModeIsFastAndApproximate() throws {
            let reader = try VideoReader(path: fixtures.path("h264_gop250.mp4"))
            let (frames, outcome) = reader.frames(.keyframes)
            #expect(outcome.approximate)
            #expect(outcome.succeeded)
            #expect(frames.map(\.index) == [0, 250])
            #expect(frames.allSatisfy { $0.isKeyframe })
        }

        /// The keyframe nearest each of N evenly spaced frames, and only those keyframes decoded.
        @Test func nearestKeyframesDecodesOnlyTheChosenKeyframes() throws {
            let reader = try VideoReader(path: fixtures.path("h264_gop12.mp4"))
            let keyframes = reader.frames(.keyframes).frames.map(\.index)
            #expect(keyframes == Array(stride(from: 0, to: 100, by: 12)))
            let (frames, outcome) = reader.frames(.nearestKeyframes(count: 5))
            // Evenly spaced 0, 25, 50, 74, 99 → the keyframes 0, 24, 48, 72, 96.
            #expect(frames.map(\.index) == [0, 24, 48, 72, 96])
            #expect(frames.allSatisfy { $0.isKeyframe })
            #expect(outcome.approximate && outcome.succeeded)
            #expect(outcome.framesDecoded == 5, "the 4 other keyframes are read, not decoded")
            // More frames asked for than there are keyframes: each keyframe once.
            #expect(reader.frames(.nearestKeyframes(count: 32)).frames.map(\.index) == keyframes)
        }

        @Test func callbackStopsSamplingEarly() throws {
            let reader = try VideoReader(path: fixtures.path("h264_gop12.mp4"))
            var seen: [Int] = []
            let outcome = reader.sample(.evenly(count: 10)) { frame in
                seen.append(frame.index)
                return seen.count < 3
            }
            #expect(seen == [0, 11, 22] && outcome.framesDelivered == 3 && outcome.framesRequested == 10)
        }

        @Test func callbackErrorsPropagate() throws {
            struct Enough: Error {}
            let reader = try VideoReader(path: fixtures.path("h264_gop12.mp4"))
            #expect(throws: Enough.self) {
                try reader.sample(.evenly(count: 4)) { _ in throw Enough() }
            }
        }
    }
}
