import Foundation
import Testing
import Reports
@testable import Scan

/// Nightly runs recognise a video by its bytes: a renamed or copied file takes over its stored
/// result instead of being analysed again; a file whose bytes changed is analysed again.
@Suite struct ContentHashTests {
    @Test func theHashIsSHA256OfTheBytes() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hash-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("abc".utf8).write(to: URL(fileURLWithPath: path))
        #expect(ContentHash.sha256(ofFileAt: path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(ContentHash.sha256(ofFileAt: path + "-missing") == nil)
    }

    @Test func renamedAndCopiedVideosAreNotAnalysedAgain() async throws {
        let fixture = try TextVideoFixture()
        defer { fixture.remove() }
        let csv = fixture.root + "/out.csv"
        let request = ScanRequest(
            paths: [fixture.videos], options: ScanOptions(configuration: ScanJobTests.configuration, jobs: 2), csvPath: csv,
            jsonlPath: fixture.root + "/faces.jsonl", storePath: ScanRequest.defaultStorePath(csvPath: csv),
            newCSVPath: fixture.root + "/new.csv")
        let first = try await ScanJob(request: request, analyzer: TextAnalyzer()).run()
        let before = Dictionary(uniqueKeysWithValues: first.rows.map { ($0.path, $0) })
        let newPaths = { try ReportWriter.readCSV(at: URL(fileURLWithPath: fixture.root + "/new.csv")).map(\.path) }
        #expect(try newPaths() == first.rows.map(\.path))

        let videos = fixture.videos + "/"
        try FileManager.default.moveItem(atPath: videos + "12 fake.mp4", toPath: videos + "12 fake, renamed.mp4")
        try FileManager.default.copyItem(atPath: videos + "07 two tracks.mp4", toPath: videos + "07 copy.mp4")
        try "probe 1 64 64 h264\nframes 8\nface 0 0 0.6\n".write(toFile: videos + "11 real.mp4", atomically: true, encoding: .utf8)

        let analyzer = TextAnalyzer()
        let second = try await ScanJob(request: request, analyzer: analyzer).run()
        #expect(Set(analyzer.calls.byPath.keys) == [videos + "11 real.mp4"])
        #expect(second.analysed == 1 && second.reused == 12)
        #expect(try newPaths() == [videos + "11 real.mp4"])  // taken-over rows are not new tonight
        let after = Dictionary(uniqueKeysWithValues: second.rows.map { ($0.path, $0) })
        var renamed = try #require(before[videos + "12 fake.mp4"])
        renamed.path = videos + "12 fake, renamed.mp4"
        #expect(after[renamed.path] == renamed)
        #expect(after[videos + "07 copy.mp4"]?.pFake == before[videos + "07 two tracks.mp4"]?.pFake)
        #expect(after[videos + "11 real.mp4"]?.pFake == 0.6)
        let faces = try FaceRow.parseLines(String(contentsOfFile: request.jsonlPath!, encoding: .utf8))
        #expect(faces.filter { $0.video == renamed.path }.count == 8)
        #expect(faces.filter { $0.video == videos + "07 copy.mp4" }.count == 8)

        // A third run finds every file stored under its own path now.
        let third = TextAnalyzer()
        _ = try await ScanJob(request: request, analyzer: third).run()
        #expect(third.calls.byPath.isEmpty)
    }
}
