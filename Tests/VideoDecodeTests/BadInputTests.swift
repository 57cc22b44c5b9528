import Foundation
import Testing
@testable import VideoDecode

/// Every kind of bad input ends in its own typed error with a one-line message; nothing crashes.
extension VideoDecodeSuites {
    @Suite struct BadInputTests {
        let fixtures: Fixtures

        init() throws { fixtures = try Fixtures.shared.get() }

        private func openingError(_ name: String) -> VideoDecodeError? {
            do {
                _ = try VideoReader(path: fixtures.path(name))
                return nil
            } catch {
                #expect(!error.description.contains("\n"), "one line: \(error.description)")
                return error
            }
        }

        @Test func missingFile() {
            #expect(openingError("no-such-file.mp4") == .notFound)
        }

        @Test func zeroBytes() {
            #expect(openingError("empty.mp4") == .emptyFile)
        }

        @Test func aDirectory() {
            #expect(openingError("") == .unreadable(reason: "is a directory"))
        }

        @Test func randomBytes() {
            guard case .notAVideo = openingError("random.mp4") else {
                Issue.record("random bytes: \(String(describing: openingError("random.mp4")))")
                return
            }
        }

        @Test func truncatedMP4WithoutMoov() {
            guard case let .damagedContainer(format, _) = openingError("truncated.mp4") else {
                Issue.record("truncated: \(String(describing: openingError("truncated.mp4")))")
                return
            }
            #expect(format == "mov")
        }

        @Test func audioOnly() {
            #expect(openingError("audio.m4a") == .noVideoStream(found: "audio"))
        }

        @Test func stillPicture() {
            #expect(openingError("still.png") == .stillImage(codec: "png"))
        }

        @Test func unknownCodec() {
            #expect(openingError("unknown_codec.mkv") == .unsupportedCodec("none"))
        }

        @Test func corruptPacketsGiveThePartialFramesAndTheError() throws {
            let reader = try VideoReader(path: fixtures.path("corrupt.mp4"))
            let (frames, outcome) = reader.frames(.evenly(count: 300))
            guard case let .corruptData(frame, _) = outcome.error else {
                Issue.record("corrupt: \(String(describing: outcome.error))")
                return
            }
            #expect(frames.count == outcome.framesDelivered)
            #expect(frames.count > 100, "frames before the damage are delivered")
            #expect(frames.contains { $0.index > frame }, "decoding goes on after the damage")
        }

        @Test func mediaDataCutShortGivesTheFramesThereAreAndTheError() throws {
            let reader = try VideoReader(path: fixtures.path("faststart_cut.mp4"))
            #expect(reader.info.containerFrameCount == 100)
            #expect(reader.info.frameCount < 100 && reader.info.frameCount > 10 && reader.info.frameCountWasCounted)
            let (frames, outcome) = reader.frames(.evenly(count: 5))
            #expect(frames.count == 5 && frames.last?.index == reader.info.frameCount - 1)
            guard case .corruptData = outcome.error else {
                Issue.record("cut short: \(String(describing: outcome.error))")
                return
            }
        }

        @Test func stillImageReaderRejectsNonPictures() {
            #expect(throws: VideoDecodeError.emptyFile) { try StillImage.read(path: fixtures.path("empty.mp4")) }
            #expect(throws: VideoDecodeError.noVideoStream(found: "no picture")) {
                try StillImage.read(path: fixtures.path("audio.m4a"))
            }
        }
    }
}
