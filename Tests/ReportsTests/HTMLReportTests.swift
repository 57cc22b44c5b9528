import Aggregate
import Foundation
import Imaging
import Testing
@testable import Reports

/// The HTML report's files: escaping, order, the split into card pages, the faces chosen.
@Suite struct HTMLReportTests {
    /// Names a file system allows and a browser would take for markup if pasted in as is.
    static let hostilePaths = [
        "/v/<script>window.pwned=1</script>.mp4",
        "/v/</script><script>window.pwned=2</script>.mp4",
        "/v/a&amp;b \"double\" 'single'.mp4",
        "/v/two\nlines.mp4",
        "/v/<!-- comment.mp4",
        "file:///v/bad_%FF%FE.mp4",  // PathText's form of a name that is not UTF-8
        "/v/\u{2028}separator.mp4",
    ]

    static func row(_ path: String, p: Double?, status: ScanStatus = .ok, error: String? = nil) -> VideoRow {
        VideoRow(path: path, status: status, pFake: p, verdict: Aggregation.verdict(pFake: p, threshold: 0.5),
                 threshold: 0.5, model: "m<b>", aggregator: "mean", framesSampled: 4, framesWithFace: p == nil ? 0 : 4,
                 faceTracks: p == nil ? 0 : 1, durationSeconds: 2, error: error)
    }

    static func faces(_ path: String, scores: [Double], track: Int = 0) -> [FaceRow] {
        scores.enumerated().map { index, p in
            FaceRow(video: path, frameIndex: index * 10, seconds: Double(index) * 0.4, track: track,
                    box: FaceBox(x: 1, y: 2, width: 30, height: 40), pFake: p)
        }
    }

    static func write(_ rows: [VideoRow], settings: HTMLReportWriter.Settings = .init(), folder: URL,
                      evidence: (VideoRow) -> VideoEvidence = { _ in VideoEvidence() }) throws -> (HTMLReportWriter.Files, String) {
        let url = folder.appendingPathComponent("report.html")
        let writer = try HTMLReportWriter(url: url, run: HTMLReportRun(title: "t <i>", source: "/in/<x>.csv"),
                                          rows: rows, settings: settings)
        for row in writer.orderedRows { try writer.add(evidence(row)) }
        let files = try writer.finish()
        return (files, try String(contentsOf: url, encoding: .utf8))
    }

    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("html-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// The JSON data block of an index page, decoded.
    static func tableRows(_ html: String) throws -> [[Any]] {
        let start = try #require(html.range(of: "<script type=\"application/json\" id=\"report-data\">"))
        let end = try #require(html.range(of: "</script>", range: start.upperBound..<html.endIndex))
        let json = try JSONSerialization.jsonObject(with: Data(html[start.upperBound..<end.lowerBound].utf8)) as? [String: Any]
        return try #require(json?["rows"] as? [[Any]])
    }

    @Test func hostileNamesAndErrorsAreTextNotMarkup() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let rows = Self.hostilePaths.enumerated().map { Self.row($1, p: Double($0) / 10) }
            + [Self.row("/v/broken.mp4", p: nil, status: .error, error: "<img src=x onerror=\"window.pwned=3\"> & more")]
        let (_, html) = try Self.write(rows, folder: folder) { VideoEvidence(faces: Self.faces($0.path, scores: [0.2, 0.9])) }
        // Exactly the page's two script elements; no injected element or handler anywhere.
        #expect(html.components(separatedBy: "<script").count - 1 == 2)
        #expect(!html.contains("<img src=x") && !html.contains("<!-- comment") && !html.contains("<i>"))
        #expect(!html.contains("window.pwned=1</script>"))
        // The cards show the names escaped, the table data carries them exactly.
        #expect(html.contains("/v/&lt;script&gt;window.pwned=1&lt;/script&gt;.mp4"))
        #expect(html.contains("/v/a&amp;amp;b &quot;double&quot; &#39;single&#39;.mp4"))
        #expect(html.contains("&lt;img src=x onerror=&quot;window.pwned=3&quot;&gt; &amp; more"))
        #expect(html.contains("t &lt;i&gt;") && html.contains("m&lt;b&gt;"))
        let paths = try Self.tableRows(html).compactMap { $0.first as? String }
        #expect(Set(paths) == Set(rows.map(\.path)))
        // Inside the data block "<" and U+2028 travel as \u escapes.
        let block = try #require(html.components(separatedBy: "id=\"report-data\">").last?.components(separatedBy: "</script>").first)
        #expect(!block.contains("<") && !block.contains("\u{2028}") && block.contains("\\u003c/script\\u003e"))
    }

    /// A CSV cell that is not UTF-8 (written by hand, or by another tool) reads as U+FFFD and
    /// the report stays valid UTF-8.
    @Test func invalidUTF8InTheCSVBecomesReplacementCharacters() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let parts = ReportWriter.csv([Self.row("/v/PLACEHOLDER.mp4", p: 0.7)]).components(separatedBy: "PLACEHOLDER")
        let csv = Data(parts[0].utf8) + Data([0x62, 0xFF, 0xC3, 0x28]) + Data(parts[1].utf8)
        let csvURL = folder.appendingPathComponent("scan.csv")
        try csv.write(to: csvURL)
        let rows = try ReportWriter.readCSV(at: csvURL)
        let url = folder.appendingPathComponent("report.html")
        let writer = try HTMLReportWriter(url: url, run: HTMLReportRun(), rows: rows)
        try writer.finish()
        let bytes = try Data(contentsOf: url)
        #expect(String(validating: Array(bytes), as: UTF8.self) != nil)
        #expect(String(decoding: bytes, as: UTF8.self).contains("/v/b\u{FFFD}\u{FFFD}(.mp4"))
    }

    @Test func mostSuspiciousFirstThenErrorsThenNoFace() throws {
        let rows = [Self.row("/n", p: nil, status: .noFace), Self.row("/e", p: nil, status: .error, error: "x"),
                    Self.row("/b", p: 0.4), Self.row("/a", p: 0.9), Self.row("/c", p: 0.4)]
        let writer = try HTMLReportWriter(url: URL(fileURLWithPath: "/tmp/unused.html"), run: HTMLReportRun(), rows: rows)
        #expect(writer.orderedRows.map(\.path) == ["/a", "/b", "/c", "/e", "/n"])
    }

    /// Cards over the budget go to pages of `cardsPerPage`; the index links there; a later
    /// report that fits in one file removes the pages.
    @Test func cardsOverTheBudgetGoToPagesBesideTheIndex() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let rows = (0..<5).map { Self.row("/v/\($0).mp4", p: Double($0) / 5) }
        let (files, html) = try Self.write(
            rows, settings: .init(inlineBudgetBytes: 3000, cardsPerPage: 2), folder: folder) {
                VideoEvidence(faces: Self.faces($0.path, scores: [0.1, 0.5, 0.8]))
            }
        #expect(files.pages.map(\.lastPathComponent) == ["cards-0001.html", "cards-0002.html", "cards-0003.html"])
        #expect(!html.contains("<article"))
        #expect(html.contains("\"mode\":\"pages\"") && html.contains("\"folder\":\"report_files\""))
        let first = try String(contentsOf: files.pages[0], encoding: .utf8)
        #expect(first.contains("id=\"v1\"") && first.contains("id=\"v2\"") && !first.contains("id=\"v3\""))
        #expect(first.contains("href=\"../report.html\"") && first.contains("href=\"cards-0002.html\""))
        let last = try String(contentsOf: files.pages[2], encoding: .utf8)
        #expect(last.contains("id=\"v5\"") && !last.contains("next page"))

        let (again, single) = try Self.write(rows, folder: folder)
        #expect(again.pages.isEmpty && single.components(separatedBy: "<article").count - 1 == 5)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("report_files").path))
    }

    /// More cards than `inlineCardLimit`, however small, go to pages too.
    @Test func cardsOverTheCardLimitGoToPages() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let rows = (0..<5).map { Self.row("/v/\($0).mp4", p: Double($0) / 5) }
        let (fits, _) = try Self.write(rows, settings: .init(inlineCardLimit: 5, cardsPerPage: 2), folder: folder)
        #expect(fits.pages.isEmpty)
        let (split, _) = try Self.write(rows, settings: .init(inlineCardLimit: 4, cardsPerPage: 2), folder: folder)
        #expect(split.pages.count == 3)
    }

    @Test func picturesOfTheMostAndLeastSuspiciousFramesPerTrackWorstTrackFirst() {
        let calm = Self.faces("/v", scores: [0.1, 0.2, 0.3, 0.15, 0.05], track: 0)
        let wild = Self.faces("/v", scores: [0.5, 0.9, 0.7, 0.95, 0.2, 0.6], track: 1)
        let chosen = ThumbnailChoice.chosen(from: calm + wild)
        #expect(chosen.map { $0.map(\.pFake) } == [[0.95, 0.9, 0.7, 0.2], [0.3, 0.2, 0.15, 0.05]])
        let short = ThumbnailChoice.chosen(from: Self.faces("/v", scores: [0.4, 0.6]))
        #expect(short.map { $0.map(\.pFake) } == [[0.6, 0.4]])
    }

    /// The card: faces with their scores and overlays, the plot's points, threshold and time axis.
    @Test func aCardShowsFacesOverlaysAndThePlot() throws {
        let faces = Self.faces("/v/a.mp4", scores: [0.25, 0.75])
        let thumbnail = FaceThumbnail(face: faces[1], jpeg: [0xFF, 0xD8, 0xFF, 0xD9],
                                      overlays: [FaceOverlay(label: "mask <1>", mimeType: "image/png", bytes: [1, 2, 3])])
        let card = VideoCard.make(rank: 1, row: Self.row("/v/a.mp4", p: 0.5), evidence: VideoEvidence(faces: faces, thumbnails: [thumbnail]))
        let track = try #require(card.tracks.first)
        #expect(track.faces.count == 1 && track.faces[0].source == "data:image/jpeg;base64,/9j/2Q==")
        #expect(track.faces[0].overlays.map(\.label) == ["mask <1>"] && track.faces[0].side == "above")
        // x: 0 s at the left edge, 2 s (the duration) at the right; y: p 0.25 at three quarters down.
        #expect(track.plot.points == "34.0,98.0 137.6,38.0")
        #expect(track.plot.thresholdY == "68.0")
        #expect(track.plot.ticks.map(\.text) == ["0.0", "0.5", "1.0", "1.5", "2.0 s"])
    }

    @Test func longRunTimesReadInMinutesAndHours() {
        #expect(SummaryView.duration(4.96) == "5.0 s")
        #expect(SummaryView.duration(192.4) == "3 min 12 s")
        #expect(SummaryView.duration(29205) == "8 h 6 min")
    }

    @Test func plotTicksAreRoundSteps() {
        #expect(PlotView.tickStep(4) == 1)
        #expect(PlotView.tickStep(3) == 0.5)
        #expect(PlotView.tickStep(60) == 10)
        #expect(abs(PlotView.tickStep(0.3) - 0.05) < 1e-12)
    }
}
