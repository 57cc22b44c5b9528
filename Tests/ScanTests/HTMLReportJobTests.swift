import Foundation
import Testing
import Aggregate
import Reports
@testable import Scan

/// `scan --html`: the report of a scan, its faces from the store or from memory, and again on
/// a resumed run where every row comes from the store.
@Suite struct HTMLReportJobTests {
    static let configuration = RunConfiguration(model: "text", frames: 8, aggregator: .mean, threshold: 0.5)

    /// Plot points in the report (one SVG circle per scored face).
    static func plottedFaces(_ path: String) throws -> Int {
        try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "<circle").count - 1
    }

    @Test(arguments: [true, false])
    func theScanWritesItsReportWithEveryFace(withStore: Bool) async throws {
        let fixture = try TextVideoFixture()
        defer { fixture.remove() }
        let html = fixture.root + "/report.html"
        let request = ScanRequest(
            paths: [fixture.videos], options: ScanOptions(configuration: Self.configuration, jobs: 2),
            csvPath: fixture.root + "/out.csv",
            storePath: withStore ? ScanRequest.defaultStorePath(csvPath: fixture.root + "/out.csv") : nil,
            html: HTMLReportJob(path: html, run: HTMLReportRun(title: "text scan"), thumbnails: nil, jobs: 2))
        let result = try await ScanJob(request: request, analyzer: TextAnalyzer()).run()
        let text = try String(contentsOfFile: html, encoding: .utf8)
        #expect(text.components(separatedBy: "<article").count - 1 == result.rows.count)
        #expect(try Self.plottedFaces(html) == 80, "the fixture's 80 faces, whether kept in memory or read from the store")
        #expect(text.contains("videos/min"), "a report straight from a scan gives its speed")

        guard withStore else { return }
        try FileManager.default.removeItem(atPath: html)
        let analyzer = TextAnalyzer()
        let again = try await ScanJob(request: request, analyzer: analyzer).run()
        #expect(again.reused > 0 && again.reused + analyzer.calls.byPath.count == result.rows.count, "reused \(again.reused), analysed \(analyzer.calls.byPath.count)")
        #expect(try Self.plottedFaces(html) == 80)
    }
}
