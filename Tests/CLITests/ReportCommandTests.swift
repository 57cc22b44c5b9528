import Foundation
import Imaging
import Reports
import Testing

/// `deepfake-scan report` from the files alone (no videos, no browser): exit codes, refusals,
/// the cards without a JSONL, and the split into card pages.
@Suite struct ReportCommandTests {
    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("report-command-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    static func rows(_ count: Int) -> [VideoRow] {
        (0..<count).map {
            VideoRow(path: "/nowhere/v\($0).mp4", status: .ok, pFake: Double($0) / Double(count), verdict: .real, threshold: 0.99,
                     model: "m", aggregator: "mean", framesSampled: 2, framesWithFace: 2, faceTracks: 1, durationSeconds: 1)
        }
    }

    /// Writes `rows` and `faces` into `folder` as a scan would and runs `report` on them.
    static func report(_ rows: [VideoRow], faces: [FaceRow], in folder: URL) throws
        -> (UsageErrorTests.Output, (csv: URL, jsonl: URL, html: URL)) {
        let files = (csv: folder.appendingPathComponent("scan.csv"), jsonl: folder.appendingPathComponent("scan.jsonl"),
                     html: folder.appendingPathComponent("report.html"))
        try ReportWriter.writeCSV(rows, to: files.csv)
        try ReportWriter.writeJSONL(faces, to: files.jsonl)
        let result = try UsageErrorTests.run(["report", files.csv.path, "--faces", files.jsonl.path, "--out", files.html.path,
                                              "--jobs", "1"])
        return (result, files)
    }

    @Test(.disabled(if: ExitCodeTests.binary == nil, "deepfake-scan not built"))
    func aMissingCSVIsExitTwoOnOneLine() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try UsageErrorTests.run(["report", folder.appendingPathComponent("none.csv").path,
                                              "--out", folder.appendingPathComponent("r.html").path])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("error: ") && result.stderr.contains("none.csv") && result.stderr.split(separator: "\n").count == 1)
    }

    @Test(.disabled(if: ExitCodeTests.binary == nil, "deepfake-scan not built"))
    func theReportNeverReplacesItsCSV() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = folder.appendingPathComponent("scan.csv")
        try ReportWriter.writeCSV(Self.rows(2), to: csv)
        let before = try Data(contentsOf: csv)
        let result = try UsageErrorTests.run(["report", csv.path, "--out", csv.path])
        #expect(result.status == 2 && result.stderr.contains("--out"))
        #expect(try Data(contentsOf: csv) == before)
    }

    /// Without --faces a card says where plots and faces would come from; videos that are not
    /// there are never opened without a JSONL (nothing to show of them).
    @Test(.disabled(if: ExitCodeTests.binary == nil, "deepfake-scan not built"))
    func withoutTheJSONLCardsSayWhatIsMissing() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = folder.appendingPathComponent("scan.csv"), html = folder.appendingPathComponent("report.html")
        try ReportWriter.writeCSV(Self.rows(3), to: csv)
        let result = try UsageErrorTests.run(["report", csv.path, "--out", html.path])
        #expect(result.status == 0, "\(result.stderr)")
        let text = try String(contentsOf: html, encoding: .utf8)
        #expect(text.components(separatedBy: "<article").count - 1 == 3)
        #expect(text.contains("No per-face scores: give the scan&#39;s JSONL"))
    }

    /// With faces of videos that are not there: plots, and a note instead of pictures.
    @Test(.disabled(if: ExitCodeTests.binary == nil, "deepfake-scan not built"))
    func missingVideosGetPlotsAndANote() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let rows = Self.rows(1)
        let (result, files) = try Self.report(rows, faces: [0, 1].map {
            FaceRow(video: rows[0].path, frameIndex: $0, seconds: Double($0) / 2, track: 0,
                    box: FaceBox(x: 0, y: 0, width: 10, height: 10), pFake: 0.5)
        }, in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        let text = try String(contentsOf: files.html, encoding: .utf8)
        #expect(text.contains("<svg class=\"plot\"") && text.contains("No face pictures: the video cannot be read here"))
    }

    /// Names equal as Swift strings but not as bytes (`café` composed and decomposed) are two
    /// videos with their own faces; `--out` may not replace a video; a bad faces file names its line.
    @Test(.disabled(if: ExitCodeTests.binary == nil, "deepfake-scan not built"))
    func facesFollowTheExactNameAndOutputsSpareTheVideos() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let names = ["/nowhere/caf\u{E9}.mp4", "/nowhere/cafe\u{301}.mp4"]
        var rows = Self.rows(2)
        for index in 0..<2 { rows[index].path = names[index] }
        let (result, files) = try Self.report(rows, faces: names.enumerated().flatMap { index, name in
            (0..<(index + 1)).map {
                FaceRow(video: name, frameIndex: $0, seconds: Double($0), track: 0,
                        box: FaceBox(x: 0, y: 0, width: 10, height: 10), pFake: index == 0 ? 0.1 : 0.9)
            }
        }, in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        let text = try String(contentsOf: files.html, encoding: .utf8)
        let (csv, jsonl, html) = files
        #expect(text.contains("mean p_fake 0.100 over 1 frame") && text.contains("mean p_fake 0.900 over 2 frames"))

        let video = folder.appendingPathComponent("v.mp4")
        try Data("not really a video".utf8).write(to: video)
        try ReportWriter.writeCSV([VideoRow(path: video.path, status: .noFace, pFake: nil, verdict: .unknown, threshold: 0.5,
                                            model: "m", aggregator: "mean", framesSampled: 2, framesWithFace: 0,
                                            faceTracks: 0, durationSeconds: 1)], to: csv)
        let refused = try UsageErrorTests.run(["report", csv.path, "--out", video.path])
        #expect(refused.status == 2 && refused.stderr.contains("is one of the inputs"), "\(refused.stderr)")
        #expect(try String(contentsOf: video, encoding: .utf8) == "not really a video")

        try Data("{\"bad\": 1}\n".utf8).write(to: jsonl)
        let bad = try UsageErrorTests.run(["report", csv.path, "--faces", jsonl.path, "--out", html.path])
        #expect(bad.status == 2 && bad.stderr.contains("line 1: no \"video\""), "\(bad.stderr)")
    }

    @Test(.disabled(if: ExitCodeTests.binary == nil, "deepfake-scan not built"))
    func cardsOverTheInlineCountGoToPages() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = folder.appendingPathComponent("scan.csv"), html = folder.appendingPathComponent("report.html")
        try ReportWriter.writeCSV(Self.rows(150), to: csv)
        let result = try UsageErrorTests.run(["report", csv.path, "--out", html.path, "--inline-cards", "100"])
        #expect(result.status == 0 && result.stdout.contains("cards on 2 pages"), "\(result.stdout) \(result.stderr)")
        let pages = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("report_files").path).sorted()
        #expect(pages == ["cards-0001.html", "cards-0002.html"])
    }
}
