import Foundation
import Reports
import Testing
@testable import Evaluation

@Suite struct LabelTableTests {
    @Test func readsTabSeparatedLabelsWithCategories() throws {
        let table = try LabelTable(text: "path\tlabel\tdataset\tmethod\nffpp/1.mp4\treal\tFF\toriginal\r\nffpp/2.mp4\tFAKE\tFF\tDeepfakes\n\n")
        #expect(table.categoryColumns == ["dataset", "method"])
        #expect(table.videos == [
            LabelledVideo(path: "ffpp/1.mp4", isFake: false, categories: ["dataset": "FF", "method": "original"]),
            LabelledVideo(path: "ffpp/2.mp4", isFake: true, categories: ["dataset": "FF", "method": "Deepfakes"]),
        ])
    }

    @Test func readsQuotedCSVWithNumericLabels() throws {
        let table = try LabelTable(text: "label,filename\r\n1,\"a, b.mp4\"\r\n0,\"two\nlines.mp4\"\r\n")
        #expect(table.videos.map(\.path) == ["a, b.mp4", "two\nlines.mp4"])
        #expect(table.videos.map(\.isFake) == [true, false])
        #expect(table.categoryColumns.isEmpty)
    }

    @Test func rejectsBadRowsNamingTheRow() {
        #expect(throws: EvaluationError.badTable(name: "l", row: 3, reason: "label 'maybe' is not real, fake, 0 or 1")) {
            try LabelTable(text: "path\tlabel\na\treal\nb\tmaybe\n", name: "l")
        }
        #expect(throws: EvaluationError.badTable(name: "l", row: 3, reason: "'a' already on row 2")) {
            try LabelTable(text: "path,label\na,real\na,fake\n", name: "l")
        }
        #expect(throws: EvaluationError.missingColumn(name: "l", column: "label", found: ["path", "class"])) {
            try LabelTable(text: "path,class\na,real\n", name: "l")
        }
        #expect(throws: EvaluationError.badTable(name: "l", row: 2, reason: "1 cells, the header has 2")) {
            try LabelTable(text: "path\tlabel\nno-label\n", name: "l")
        }
    }

    @Test func spreadsheetByteOrderMarkIsIgnored() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("labels-bom-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data("\u{FEFF}path,label\r\nv.mp4,fake\r\n".utf8).write(to: file)
        #expect(try LabelTable.read(path: file.path).videos == [LabelledVideo(path: "v.mp4", isFake: true)])
    }

    @Test func missingFileIsAOneLineError() {
        #expect(throws: EvaluationError.unreadable(path: "/nonexistent/labels.tsv", reason: "no such file")) {
            try LabelTable.read(path: "/nonexistent/labels.tsv")
        }
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: devLabels), "../shared/data/dev-videos/labels.tsv absent"))
    func readsTheDevVideoLabels() throws {
        let table = try LabelTable.read(path: devLabels)
        #expect(table.videos.count > 10)
        #expect(table.categoryColumns.contains("method"))
        #expect(table.videos.contains { $0.isFake } && table.videos.contains { !$0.isFake })
    }
}

@Suite struct ScanCSVTests {
    @Test func readsTheContractCSVByColumnName() throws {
        let rows = [
            VideoRow(path: "v/a,1.mp4", status: .ok, pFake: 0.25, verdict: .real, threshold: 0.6, model: "m", aggregator: "mean"),
            VideoRow(path: "=cmd.mp4", status: .noFace, pFake: nil, verdict: .unknown, threshold: 0.6, model: "m", aggregator: "mean"),
            .failure(path: "line\nbreak.mp4", message: "bad, \"really\"", threshold: 0.6, model: "m", aggregator: "mean"),
        ]
        let text = CSV.document(header: VideoRow.csvHeader, rows: rows.map(\.csvFields))
        let scores = try VideoScore.parseCSV(text)
        #expect(scores == [
            VideoScore(path: "v/a,1.mp4", status: .ok, pFake: 0.25, threshold: 0.6),
            VideoScore(path: "=cmd.mp4", status: .noFace, pFake: nil, threshold: 0.6),
            VideoScore(path: "line\nbreak.mp4", status: .error, pFake: nil, threshold: 0.6),
        ])
    }

    @Test func readsKaggleAndMinimalLayouts() throws {
        #expect(try VideoScore.parseCSV("filename,label\nx.mp4,0.75\n")
            == [VideoScore(path: "x.mp4", status: .ok, pFake: 0.75)])
        #expect(try VideoScore.parseCSV("p_fake,path\n,y.mp4\n0.1,z.mp4\n") == [
            VideoScore(path: "y.mp4", status: .noFace, pFake: nil), VideoScore(path: "z.mp4", status: .ok, pFake: 0.1),
        ])
    }

    @Test func rejectsWhatItCannotScore() {
        #expect(throws: EvaluationError.badTable(name: "s", row: 2, reason: "p_fake '1.5' is not a number in 0…1")) {
            try VideoScore.parseCSV("path,p_fake\na,1.5\n", name: "s")
        }
        #expect(throws: EvaluationError.badTable(name: "s", row: 2, reason: "status ok without a p_fake")) {
            try VideoScore.parseCSV("path,status,p_fake\na,ok,\n", name: "s")
        }
        #expect(throws: EvaluationError.missingColumn(name: "s", column: "p_fake", found: ["path", "score"])) {
            try VideoScore.parseCSV("path,score\na,0.1\n", name: "s")
        }
        #expect(throws: (any Error).self) { try VideoScore.parseCSV("path,p_fake\n\"open,0.1\n") }
    }
}

/// The package root, found from this file's path (Tests/EvaluationTests/…).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The dev-video labels of ../shared, when this checkout has them.
let devLabels = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data/dev-videos/labels.tsv").path
