import Detectors
import Foundation
import Reports
import Scan
import Testing
import TestSupport

/// A scan driven through the library alone, as a program embedding it would: models chosen by
/// `ModelLocation`, the pipeline `ScanPipeline` assembles, its configuration, `ScanJob`. No
/// executable is involved; the videos are made with ffmpeg lavfi (a face pasted on grey, and a
/// test pattern without one).
@Suite struct LibraryScanTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let sample = packageRoot.appendingPathComponent("Samples/astronaut_real.mp4").path

    static var missing: String? {
        if !FileManager.default.fileExists(atPath: packageRoot.appendingPathComponent(".deps/yuface/libfacedetection.so").path) {
            return "no libfacedetection (make setup-yuface)"
        }
        if !ChildProcess.hasFFmpeg { return "no ffmpeg" }
        return nil
    }

    @Test(.disabled(if: missing != nil, "\(missing ?? "")"))
    func aScanThroughTheLibraryWritesTheVerdicts() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("library-scan-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder + "/videos", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try ChildProcess.ffmpeg([
            "-f", "lavfi", "-i", "color=c=gray:s=320x320:r=25:d=2", "-i", Self.sample, "-filter_complex",
            "[1:v]scale=220:220[f];[0:v][f]overlay=50:50:shortest=1", "-c:v", "libx264", "-pix_fmt", "yuv420p",
            folder + "/videos/face.mp4",
        ])
        try ChildProcess.ffmpeg(["-f", "lavfi", "-i", "testsrc=s=160x120:r=25:d=1", "-pix_fmt", "yuv420p",
                                 folder + "/videos/pattern.mp4"])

        let models = try ModelLocation.chooseAll(models: ["sbi-meso4@0.4"], weights: [])
        let pipeline = try ScanPipeline(models: models, sampling: .evenly(count: 3))
        let configuration = pipeline.configuration()
        #expect(configuration.model == "sbi-meso4" && configuration.threshold == 0.4 && configuration.frames == 3)
        #expect(configuration.extra["sampling"] == "evenly:3" && configuration.extra["architecture"] == "meso4")
        let request = ScanRequest(paths: [folder + "/videos"], options: ScanOptions(configuration: configuration),
                                  csvPath: folder + "/out.csv", jsonlPath: folder + "/out.jsonl")
        let result = try await ScanJob(request: request, analyzer: pipeline.analyzer).run()

        #expect(result.outcome == .completed)
        let rows = Dictionary(uniqueKeysWithValues: result.rows.map { (URL(fileURLWithPath: $0.path).lastPathComponent, $0) })
        let face = try #require(rows["face.mp4"])
        #expect(face.status == .ok && face.pFake != nil && face.framesSampled == 3 && face.model == "sbi-meso4")
        #expect(rows["pattern.mp4"]?.status == .noFace)
        let csv = try CSV.parse(String(contentsOfFile: folder + "/out.csv", encoding: .utf8))
        #expect(csv.first == VideoRow.csvHeader && csv.count == 3)
        let faces = try FaceRow.parseLines(String(contentsOfFile: folder + "/out.jsonl", encoding: .utf8))
        #expect(!faces.isEmpty && faces.allSatisfy { $0.video.hasSuffix("face.mp4") })
    }
}
