import Aggregate
import Foundation
import Imaging
import Testing
@testable import Reports

/// A report of a model without attention maps or manipulation classes comes out byte for byte as
/// the report did before those were added (Fixtures/report-plain*.html were written by the code
/// of commit c696443). After a deliberate change to the report's look, rewrite them with
/// `UPDATE_REPORT_GOLDEN=1 swift test --skip-build --filter HTMLReportUnchangedTests` and check the diff.
@Suite struct HTMLReportUnchangedTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// Every kind of card: two tracks with pictures (one with a mask overlay), a missing
    /// picture's note, an error, a video without a face, one without per-face scores.
    static func rows() -> [VideoRow] {
        [HTMLReportTests.row("/v/two-tracks.mp4", p: 0.82), HTMLReportTests.row("/v/calm.mp4", p: 0.12),
         HTMLReportTests.row("/v/no-jsonl.mp4", p: 0.4),
         HTMLReportTests.row("/v/broken.mp4", p: nil, status: .error, error: "cannot open <x>"),
         HTMLReportTests.row("/v/empty.mp4", p: nil, status: .noFace)]
    }

    static func evidence(_ row: VideoRow) -> VideoEvidence {
        switch row.path {
        case "/v/two-tracks.mp4":
            let faces = HTMLReportTests.faces(row.path, scores: [0.2, 0.82, 0.7, 0.9, 0.1], track: 0)
                + HTMLReportTests.faces(row.path, scores: [0.3, 0.4], track: 1)
            let thumbnails = faces.prefix(4).enumerated().map { index, face in
                FaceThumbnail(face: face, jpeg: [0xFF, 0xD8, UInt8(index), 0xFF, 0xD9],
                              overlays: index == 3 ? [FaceOverlay(label: "manipulation mask, 40 % of the face flagged",
                                                                  mimeType: "image/jpeg", bytes: [9, 8, 7])] : [])
            }
            return VideoEvidence(faces: faces, thumbnails: thumbnails,
                                 thumbnailNote: "2 of 6 chosen faces were not found again in their frames; they have no picture.")
        case "/v/calm.mp4":
            return VideoEvidence(faces: HTMLReportTests.faces(row.path, scores: [0.1, 0.12, 0.05]))
        default:
            return VideoEvidence()
        }
    }

    static func render(settings: HTMLReportWriter.Settings, folder: URL) throws -> HTMLReportWriter.Files {
        let writer = try HTMLReportWriter(
            url: folder.appendingPathComponent("report.html"),
            run: HTMLReportRun(title: "plain", generated: Date(timeIntervalSince1970: 1_796_000_000), source: "/in/scan.csv"),
            rows: rows(), settings: settings)
        for row in writer.orderedRows { try writer.add(evidence(row)) }
        return try writer.finish()
    }

    static func expectSame(_ url: URL, as golden: String) throws {
        let actual = try Data(contentsOf: url)
        let goldenURL = fixtures.appendingPathComponent(golden)
        if ProcessInfo.processInfo.environment["UPDATE_REPORT_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: fixtures, withIntermediateDirectories: true)
            try actual.write(to: goldenURL)
        }
        let expected = try Data(contentsOf: goldenURL)
        #expect(actual == expected, "\(url.path) differs from \(goldenURL.path): diff them")
    }

    @Test func aReportWithoutTheNewFieldsIsByteForByteAsBefore() throws {
        let folder = try HTMLReportTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try Self.render(settings: .init(), folder: folder)
        try Self.expectSame(files.index, as: "report-plain.html")
    }

    @Test func itsCardPagesAreByteForByteAsBefore() throws {
        let folder = try HTMLReportTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try Self.render(settings: .init(inlineCardLimit: 0, cardsPerPage: 3), folder: folder)
        #expect(files.pages.count == 2)
        try Self.expectSame(files.index, as: "report-plain-split.html")
        try Self.expectSame(files.pages[0], as: "report-plain-cards-0001.html")
    }
}
