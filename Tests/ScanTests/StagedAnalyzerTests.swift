import Foundation
import Testing
import Imaging
import Aggregate
import Reports
import FaceAlign
@testable import Scan

/// Frames of one grey level each, read from a text file of levels ("10 200 30").
struct GreyFrameSource: FrameSource {
    struct BadLevel: Error {}

    func sampleFrames(path: String, onFrame: (VideoFrame) throws -> Bool) throws -> (probe: VideoProbe, framesSampled: Int) {
        let levels = try String(contentsOfFile: path, encoding: .utf8).split(whereSeparator: \.isWhitespace).map {
            guard let level = UInt8($0) else { throw BadLevel() }
            return level
        }
        for (i, level) in levels.enumerated() {
            let image = RGBImage(width: 8, height: 6, pixels: [UInt8](repeating: level, count: 8 * 6 * 3))
            guard try onFrame(VideoFrame(index: i * 3, seconds: Double(i) * 0.5, image: image)) else { break }
        }
        return (VideoProbe(durationSeconds: Double(levels.count) * 0.5, width: 8, height: 6, codec: "grey"), levels.count)
    }
}

/// "Finds" a face in frames brighter than 0: the left half as track 0, and in frames
/// brighter than 100 also the right half as track 1. Counts the frames it saw.
final class HalvesTracker: FaceTracking {
    var framesSeen = 0

    func faces(in frame: VideoFrame) throws -> [AlignedFace] {
        framesSeen += 1
        let level = frame.image.pixels[0]
        guard level > 0 else { return [] }
        let half = RGBImage(width: 4, height: 6, pixels: [UInt8](repeating: level, count: 4 * 6 * 3))
        var crops = [AlignedFace.fake(in: frame, trackID: 0, box: FaceBox(x: 0, y: 0, width: 4, height: 6), crop: half)]
        if level > 100 {
            var dimmer = half
            dimmer.pixels = dimmer.pixels.map { $0 / 2 }
            crops.append(.fake(in: frame, trackID: 1, box: FaceBox(x: 4, y: 0, width: 4, height: 6), crop: dimmer))
        }
        return crops
    }
}

struct HalvesTrackers: FaceTrackerFactory {
    func makeTracker() throws -> any FaceTracking { HalvesTracker() }
}

/// p_fake = mean brightness / 255; records each batch size.
final class BrightnessScorer: CropScoring, @unchecked Sendable {
    // `lock` guards `batches`.
    private let lock = NSLock()
    private(set) var batches: [Int] = []
    var dropOne = false

    func pFake(of crops: [RGBImage]) throws -> [Double] {
        lock.withLock { batches.append(crops.count) }
        let scores = crops.map { Double($0.pixels.reduce(0) { $0 + Int($1) }) / Double($0.pixels.count) / 255 }
        return dropOne ? Array(scores.dropLast()) : scores
    }
}

@Suite struct StagedAnalyzerTests {
    func file(_ levels: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("grey-\(UUID().uuidString).txt").path
        try levels.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func batchesCropsAcrossFramesAndKeepsTheirOrder() async throws {
        let path = try file("0 51 204 102 255 0 153")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let scorer = BrightnessScorer()
        let analyzer = StagedAnalyzer(source: GreyFrameSource(), trackers: HalvesTrackers(), scorer: scorer, batchSize: 3)
        let video = try await analyzer.analyze(path: path)
        #expect(video.framesSampled == 7)
        #expect(video.probe.codec == "grey")
        // Crops: 51 → 1, 204 → 2, 102 → 2, 255 → 2, 153 → 2 = 9, flushed whenever ≥ 3 wait.
        #expect(scorer.batches == [3, 4, 2])
        #expect(video.faces.count == 9)
        #expect(video.framesWithFace == 5)
        #expect(video.faces.map(\.score.frameIndex) == [3, 6, 6, 9, 9, 12, 12, 18, 18])
        #expect(video.faces.map(\.score.trackID) == [0, 0, 1, 0, 1, 0, 1, 0, 1])
        #expect(video.faces[0].score.pFake == 0.2)
        #expect(video.faces[2].score.pFake == 102.0 / 255)
        #expect(video.faces[2].box == FaceBox(x: 4, y: 0, width: 4, height: 6))
        let verdict = try Aggregation.video(video.faces.map(\.score))
        #expect(verdict.tracks.count == 2)
        #expect(verdict.worstTrackID == 0)
    }

    @Test func cancellationStopsAtTheNextFrame() throws {
        let path = try file("10 20 30 40")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let cancelled = StopSignal()
        cancelled.request()
        let analyzer = StagedAnalyzer(source: GreyFrameSource(), trackers: HalvesTrackers(), scorer: BrightnessScorer())
        #expect(throws: CancellationError.self) { try analyzer.analyzeBlocking(path: path, cancelled: cancelled) }
    }

    @Test func aScorerReturningTheWrongCountIsAnError() async throws {
        let path = try file("200")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let scorer = BrightnessScorer()
        scorer.dropOne = true
        let analyzer = StagedAnalyzer(source: GreyFrameSource(), trackers: HalvesTrackers(), scorer: scorer)
        await #expect(throws: PipelineError.scoreCountMismatch(expected: 2, got: 1)) { try await analyzer.analyze(path: path) }
    }

    @Test func runsInsideTheScanRunner() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("staged-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "0 0 0".write(toFile: directory + "/dark.mp4", atomically: true, encoding: .utf8)
        try "200 220".write(toFile: directory + "/bright.mp4", atomically: true, encoding: .utf8)
        try "12 x".write(toFile: directory + "/garbled.mp4", atomically: false, encoding: .utf8)
        let analyzer = StagedAnalyzer(source: GreyFrameSource(), trackers: HalvesTrackers(), scorer: BrightnessScorer())
        let configuration = RunConfiguration(model: "brightness", frames: 3, aggregator: .max, threshold: 0.8)
        let items = try Discovery().discover(paths: [directory + "/dark.mp4", directory + "/bright.mp4", directory + "/garbled.mp4"])
        let result = try await ScanRunner(analyzer: analyzer, store: nil, options: ScanOptions(configuration: configuration)).run(items)
        #expect(result.rows.map(\.status) == [.noFace, .ok, .error])
        #expect(result.rows[1].pFake == 220.0 / 255)
        #expect(result.rows[1].verdict == .fake)
        #expect(result.rows[1].faceTracks == 2)
        #expect(result.rows[1].framesWithFace == 2)
    }
}
