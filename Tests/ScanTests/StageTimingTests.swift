import Foundation
import Imaging
import Testing
import Aggregate
import Reports
@testable import Scan

/// Reports fixed stage times for every video; a path containing "fail" fails.
struct FixedTimeAnalyzer: VideoAnalyzer {
    struct Failure: Error {}

    static let perVideo = StageTimes(decodeSeconds: 1, facesSeconds: 2, modelSeconds: 0.5, otherSeconds: 0.25)

    func analyze(path: String) async throws -> AnalyzedVideo {
        if path.contains("fail") { throw Failure() }
        let face = ScoredFace(score: FrameScore(frameIndex: 0, seconds: 0, trackID: 0, pFake: 0.5), box: FaceBox(x: 0, y: 0, width: 1, height: 1))
        return AnalyzedVideo(probe: VideoProbe(), framesSampled: 1, faces: [face], stageTimes: Self.perVideo)
    }
}

@Suite struct StageTimingTests {
    @Test(arguments: [1, 2]) func theRunSumsEachVideosStages(jobs: Int) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("timing-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for name in ["a.mp4", "b.mp4", "c.mp4", "fail.mp4"] {
            FileManager.default.createFile(atPath: directory + "/" + name, contents: Data("x".utf8))
        }
        let items = try Discovery().discover(paths: [directory])
        let configuration = RunConfiguration(model: "fixed", frames: 1, aggregator: .mean, threshold: 0.5)
        let result = try await ScanRunner(
            analyzer: FixedTimeAnalyzer(), store: nil, options: ScanOptions(configuration: configuration, jobs: jobs)
        ).run(items)
        let timing = result.timing
        #expect(timing.videosAnalysed == 4)
        #expect(timing.stages.decodeSeconds == 3)
        #expect(timing.stages.facesSeconds == 6)
        #expect(timing.stages.modelSeconds == 1.5)
        // Plus aggregating and the failed video's time, which go to "other".
        #expect(timing.stages.otherSeconds >= 0.75)
        #expect(timing.wallSeconds > 0)
        #expect(result.summary.timing == timing)
        #expect(result.summary.text.contains("Stages:   decode 3.0 s"))
    }

    @Test func aRunThatAnalysedNothingPrintsNoTiming() async throws {
        let configuration = RunConfiguration(model: "fixed", frames: 1, aggregator: .mean, threshold: 0.5)
        let result = try await ScanRunner(analyzer: FixedTimeAnalyzer(), store: nil, options: ScanOptions(configuration: configuration))
            .run([])
        #expect(result.summary.timing == nil)
        #expect(!result.summary.text.contains("Stages:"))
    }
}
