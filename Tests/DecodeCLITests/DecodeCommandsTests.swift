import ArgumentParser
import Foundation
import Scan
import Testing
import VideoDecode
@testable import deepfake_scan

/// `probe`, `frames` and the shared sampling options, on the committed sample video.
@Suite struct DecodeCommandsTests {
    static let sample = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Samples/astronaut_real.mp4").path

    static let yuface = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(".deps/yuface/libfacedetection.so").path

    @Test func samplingDefaultsToThirtyTwoEvenlySpacedFrames() throws {
        #expect(try SamplingOptions.parse([]).sampling == .evenly(count: 32))
        #expect(try SamplingOptions.parse(["--frames", "8"]).sampling == .evenly(count: 8))
        #expect(try SamplingOptions.parse(["--fps", "4"]).sampling == .everySeconds(0.25))
        #expect(try SamplingOptions.parse(["--keyframes"]).sampling == .nearestKeyframes(count: 32))
        #expect(try SamplingOptions.parse(["--keyframes", "--frames", "8"]).sampling == .nearestKeyframes(count: 8))
        #expect(try SamplingOptions.parse([]).decodeThreads == nil)
    }

    /// Without --decode-threads the cores are shared out among the videos run at once, within
    /// 1…8 (1 at the default --jobs = cores); --decode-threads always wins.
    @Test func decodeThreadsAreChosenWithTheJobs() throws {
        let automatic = try SamplingOptions.parse([])
        #expect(automatic.decodeThreadCount(jobs: 2, cores: 2) == 1)
        #expect(automatic.decodeThreadCount(jobs: 16, cores: 16) == 1)
        #expect(automatic.decodeThreadCount(jobs: 1, cores: 2) == 2)
        #expect(automatic.decodeThreadCount(jobs: 4, cores: 16) == 4)
        #expect(automatic.decodeThreadCount(jobs: 2, cores: 12) == 6)
        #expect(automatic.decodeThreadCount(jobs: 1, cores: 12) == ScanPipeline.maximumAutomaticDecodeThreads)
        #expect(automatic.decodeThreadCount(jobs: 8, cores: 2) == 1)
        #expect(automatic.decodeThreadCount(jobs: 1, cores: 64) == ScanPipeline.maximumAutomaticDecodeThreads)
        let given = try SamplingOptions.parse(["--decode-threads", "3"])
        #expect(given.decodeThreadCount(jobs: 2, cores: 2) == 3)
        #expect(given.decodeThreadCount(jobs: 1, cores: 64) == 3)
    }

    /// The scan pipeline's decoder gets the threads chosen with --jobs (it had 2 per video at any --jobs).
    @Test(.enabled(if: FileManager.default.fileExists(atPath: yuface), "needs `make setup-yuface`"))
    func theScanPipelineDecodesWithTheThreadsChosenWithTheJobs() throws {
        let sampling = try SamplingOptions.parse([])
        for jobs in [1, 2, 64] {
            let pipeline = try ScanPipeline(weights: nil, model: "sbi-meso4", sampling: sampling,
                                            faces: try FaceOptions.parse([]), batchSize: 8, jobs: jobs)
            #expect(pipeline.analyzer.source.decodeThreads == sampling.decodeThreadCount(jobs: jobs))
        }
    }

    @Test(arguments: [["--frames", "8", "--fps", "2"], ["--fps", "2", "--keyframes"], ["--frames", "0"],
                      ["--fps", "-1"], ["--decode-threads", "0"]])
    func conflictingOrOutOfRangeSamplingIsRejected(arguments: [String]) {
        #expect(throws: (any Error).self) { try SamplingOptions.parse(arguments) }
    }

    @Test func probeJSONCarriesEveryFieldOrTheError() throws {
        let info = try VideoReader(path: Self.sample).info
        let line = try ProbeLine(path: "a.mp4", result: .success(info)).jsonText()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["path"] as? String == "a.mp4")
        #expect(object["codec"] as? String == "h264")
        #expect(object["frameCount"] as? Int == 100)
        #expect(object["frameCountWasCounted"] as? Bool == false)
        let failed = try ProbeLine(path: "b.mp4", result: .failure(.emptyFile)).jsonText()
        #expect(failed == #"{"error":"empty file (0 bytes)","path":"b.mp4"}"#)
    }

    @Test func probeTableNamesTheCountedFrames() throws {
        let text = ProbeTable.text(path: "a.mp4", info: try VideoReader(path: Self.sample).info)
        #expect(text.hasPrefix("a.mp4\n"))
        #expect(text.contains("480×480") && text.contains("100 (counted, matches header)"))
    }

    @Test func framesWritesPNGsAndOneJSONLinePerFrame() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("frames-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let command = try Frames.parse([Self.sample, "--out", out, "--frames", "3"])
        try command.run()
        let lines = try String(contentsOfFile: out + "/frames.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines.first == #"{"index":0,"pts":0,"seconds":0.0,"keyframe":true,"approximate":false,"file":"frame-00000.png"}"#)
        let names = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(names == ["frame-00000.png", "frame-00050.png", "frame-00099.png", "frames.jsonl"])
        let decoded = try StillImage.read(path: out + "/frame-00099.png")
        let expected = try #require(try VideoReader(path: Self.sample).frames(.evenly(count: 3)).frames.last)
        let identical = decoded == expected.image
        #expect(identical)
    }

    @Test func framesFailsWithExitCodeOneOnABadVideo() throws {
        let command = try Frames.parse([Self.sample + ".missing", "--out", "/tmp/unused-frames"])
        #expect(throws: ExitCode(1)) { try command.run() }
    }
}
