import Aggregate
import Foundation
import Imaging
import Testing
@testable import Reports

/// The report of a model with manipulation classes (AMTENnet), made as `report` makes it from a
/// scan's CSV (with the `manipulation` columns) and JSONL (`manipulation_probabilities`): a
/// sortable, filterable table column and, on the card, the class and the worst track's bars.
@Suite struct HTMLReportClassesTests {
    static let classes = ["real", "face_swap", "lip_sync"]

    /// One crop's class probabilities: 1 − p real, the rest split `swap` : 1 − `swap`.
    static func probabilities(_ p: Double, swap: Double) -> [String: Double] {
        ["real": 1 - p, "face_swap": swap * p, "lip_sync": (1 - swap) * p]
    }

    /// A CSV and JSONL as `scan --model amtennet` writes them: /v/a.mp4 has a face-swap-like
    /// track 0 (its worst) and a lip-sync-like track 1; /v/b.mp4 a calm lip-sync track; /v/c.mp4 no face.
    static func scanFiles(in folder: URL) throws -> (csv: URL, jsonl: URL) {
        func row(_ path: String, p: Double?, manipulation: String?, manipulationP: Double?) -> VideoRow {
            var row = HTMLReportTests.row(path, p: p, status: p == nil ? .noFace : .ok)
            row.manipulation = manipulation
            row.manipulationP = manipulationP
            return row
        }
        let rows = [row("/v/a.mp4", p: 0.8, manipulation: "face_swap", manipulationP: 0.64),
                    row("/v/b.mp4", p: 0.2, manipulation: "lip_sync", manipulationP: 0.18),
                    row("/v/c.mp4", p: nil, manipulation: nil, manipulationP: nil)]
        var faces: [FaceRow] = []
        for (track, scores, swap) in [(0, [0.7, 0.9], 0.8), (1, [0.3, 0.4], 0.25)] {
            faces += HTMLReportTests.faces("/v/a.mp4", scores: scores, track: track).map {
                var face = $0
                face.manipulationProbabilities = probabilities(face.pFake, swap: swap)
                return face
            }
        }
        faces += HTMLReportTests.faces("/v/b.mp4", scores: [0.1, 0.3]).map {
            var face = $0
            face.manipulationProbabilities = probabilities(face.pFake, swap: 0.1)
            return face
        }
        let csv = folder.appendingPathComponent("scan.csv"), jsonl = folder.appendingPathComponent("scan.jsonl")
        try ReportWriter.writeCSV(rows, manipulation: true, to: csv)
        try ReportWriter.writeJSONL(faces, to: jsonl)
        return (csv, jsonl)
    }

    /// The report as `deepfake-scan report CSV --faces JSONL` writes it.
    static func report(csv: URL, jsonl: URL, folder: URL) throws -> String {
        let rows = try ReportWriter.readCSV(at: csv)
        let faces = Dictionary(grouping: try FaceRow.parseLines(String(contentsOf: jsonl, encoding: .utf8)), by: \.video)
        let url = folder.appendingPathComponent("report.html")
        let writer = try HTMLReportWriter(url: url, run: HTMLReportRun(), rows: rows)
        for row in writer.orderedRows { try writer.add(VideoEvidence(faces: faces[row.path] ?? [])) }
        try writer.finish()
        return try String(contentsOf: url, encoding: .utf8)
    }

    @Test func theTableGetsAManipulationColumnAndFilter() throws {
        let folder = try HTMLReportTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (csv, jsonl) = try Self.scanFiles(in: folder)
        let html = try Self.report(csv: csv, jsonl: jsonl, folder: folder)
        #expect(html.contains(#"<th><button data-key="verdict">verdict</button></th>"# + "\n"
                              + #"<th><button data-key="manipulation">manipulation</button></th>"#))
        #expect(html.contains(#"<select id="f-manipulation"><option value="">any</option><option>face_swap</option><option>lip_sync</option></select>"#))
        // Each row's class and probability after the nine cells of every report; null without a face.
        let cells = try HTMLReportTests.tableRows(html)
        #expect(cells.map(\.count) == [11, 11, 11])
        #expect(cells[0][9] as? String == "face_swap" && cells[0][10] as? Double == 0.64)
        #expect(cells[1][9] as? String == "lip_sync" && cells[1][10] as? Double == 0.18)
        #expect(cells[2][9] is NSNull && cells[2][10] is NSNull)
        // The script sorts by the column (its data-key) and filters by the select.
        let script = ReportScript.javaScript(manipulation: true)
        #expect(html.contains(script))
        #expect(script.contains("manipulation: function (x) { return x.r[MANIPULATION]; }"))
        #expect(script.contains(#"if (manipulation && r[MANIPULATION] !== manipulation) return false;"#))
        #expect(script.contains(#"["f-verdict", "f-status", "f-manipulation", "f-min""#))
    }

    @Test func theCardShowsTheClassAndTheWorstTracksMeanProbabilities() throws {
        let folder = try HTMLReportTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (csv, jsonl) = try Self.scanFiles(in: folder)
        let html = try Self.report(csv: csv, jsonl: jsonl, folder: folder)
        let card = try #require(html.components(separatedBy: "<article").dropFirst().first)
        #expect(card.contains("<dt>manipulation</dt><dd>face_swap (p 0.640)</dd>"))
        // Track 0 (mean p_fake 0.8): real 0.2, face_swap 0.8 · 0.8, lip_sync 0.2 · 0.8; not track 1's.
        #expect(card.contains("<h3>Manipulation classes of track 0 (mean over 2 crops)</h3>"))
        #expect(card.contains(#"<li class="fake"><span>face_swap</span><span class="cbar" style="width:77px"></span><span class="num">0.640</span></li>"#
            + #"<li class="real"><span>real</span><span class="cbar" style="width:24px"></span><span class="num">0.200</span></li>"#
            + #"<li class="fake"><span>lip_sync</span><span class="cbar" style="width:19px"></span><span class="num">0.160</span></li>"#))
        #expect(html.contains("ul.bars{"), "the bars' CSS comes with them")
        // The video without a face has neither.
        let noFace = try #require(html.components(separatedBy: "<article").last)
        #expect(!noFace.contains("manipulation") && !noFace.contains("class=\"bars\""))
    }

    /// A JSONL without class probabilities (scan without --jsonl's classes, another model): no bars.
    @Test func noBarsWithoutProbabilities() {
        let faces = HTMLReportTests.faces("/v", scores: [0.9, 0.8])
        #expect(ClassBars.make(faces: faces, aggregator: .mean, threshold: 0.5) == nil)
        var withClasses = faces
        withClasses[0].manipulationProbabilities = Self.probabilities(0.9, swap: 1)
        let bars = ClassBars.make(faces: withClasses, aggregator: .mean, threshold: 0.5)
        #expect(bars?.title == "Manipulation classes of track 0 (mean over 1 crop)")
        #expect(bars?.bars.map(\.name) == ["face_swap", "real", "lip_sync"])
    }
}
