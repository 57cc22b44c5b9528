import Foundation
import Testing
import Aggregate
import Reports
@testable import Scan

@Suite struct ScanJobTests {
    static let configuration = RunConfiguration(model: "text", frames: 8, aggregator: .confident, threshold: 0.5)

    @Test func writesCSVJSONLAndStoreAndResumes() async throws {
        let fixture = try TextVideoFixture()
        defer { fixture.remove() }
        try "\(fixture.videos)/01 plain.mp4\n\(fixture.root)/nowhere.mp4\n".write(
            toFile: fixture.root + "/list.txt", atomically: true, encoding: .utf8)
        var request = ScanRequest(
            paths: [fixture.videos], listFile: fixture.root + "/list.txt",
            options: ScanOptions(configuration: Self.configuration, jobs: 2), csvPath: fixture.root + "/out.csv",
            jsonlPath: fixture.root + "/faces.jsonl",
            storePath: ScanRequest.defaultStorePath(csvPath: fixture.root + "/out.csv"))
        let result = try await ScanJob(request: request, analyzer: TextAnalyzer()).run()
        #expect(result.outcome == .completedWithErrors)
        // 12 videos (01 again from the list is the same file) + the missing one.
        let rows = try ReportWriter.readCSV(at: URL(fileURLWithPath: request.csvPath))
        #expect(rows.count == 13)
        #expect(rows.last?.path == fixture.root + "/nowhere.mp4")
        #expect(rows.last?.status == .error)
        #expect(rows.allSatisfy { $0.aggregator == "confident" })
        // With a store the faces come back from it, not from memory.
        #expect(result.faces.isEmpty)
        let faces = try FaceRow.parseLines(String(contentsOfFile: request.jsonlPath!, encoding: .utf8))
        let inMemory = try await ScanRunner(analyzer: TextAnalyzer(), store: nil, options: request.options)
            .run(try Discovery().discover(paths: request.paths, fromList: request.listFile))
        #expect(faces == inMemory.faces)
        #expect(faces.count == 80)
        #expect(FileManager.default.fileExists(atPath: fixture.root + "/out.csv.store.sqlite"))

        // Same request again: everything comes from the store; Kaggle layout this time.
        request.layout = .kaggle
        let analyzer = TextAnalyzer()
        let again = try await ScanJob(request: request, analyzer: analyzer).run()
        #expect(analyzer.calls.byPath.isEmpty)
        #expect(again.reused == 12)
        let kaggle = try CSV.parse(String(contentsOfFile: request.csvPath, encoding: .utf8))
        #expect(kaggle.first == ["filename", "label"])
        #expect(kaggle.count == 14)
        #expect(kaggle.dropFirst().first { $0[0] == "08 no face.mp4" }?[1] == "0.500000")
        #expect(try FaceRow.parseLines(String(contentsOfFile: request.jsonlPath!, encoding: .utf8)) == faces)
    }

    @Test func withoutAStoreFacesComeFromMemory() async throws {
        let fixture = try TextVideoFixture()
        defer { fixture.remove() }
        let request = ScanRequest(
            paths: [fixture.videos], options: ScanOptions(configuration: Self.configuration, jobs: 3),
            csvPath: fixture.root + "/out.csv", jsonlPath: fixture.root + "/faces.jsonl")
        let result = try await ScanJob(request: request, analyzer: TextAnalyzer()).run()
        let faces = try FaceRow.parseLines(String(contentsOfFile: request.jsonlPath!, encoding: .utf8))
        #expect(faces.count == 80)
        #expect(faces == result.faces)
        #expect(Set(faces.map(\.video)).count == 10)
    }

    @Test func anInterruptedJobStillWritesItsCSV() async throws {
        let fixture = try TextVideoFixture()
        defer { fixture.remove() }
        let stop = StopSignal()
        stop.request("before start")
        let request = ScanRequest(
            paths: [fixture.videos, fixture.root + "/missing.mp4"], options: ScanOptions(configuration: Self.configuration),
            csvPath: fixture.root + "/out.csv")
        let result = try await ScanJob(request: request, analyzer: TextAnalyzer()).run(stop: stop)
        #expect(result.outcome == .interrupted)
        #expect(result.notReached == 12)
        let rows = try ReportWriter.readCSV(at: URL(fileURLWithPath: request.csvPath))
        #expect(rows.map(\.status) == [.error])
    }

    @Test func configurationProblemsThrow() async throws {
        let fixture = try TextVideoFixture()
        defer { fixture.remove() }
        let options = ScanOptions(configuration: Self.configuration)
        await #expect(throws: DiscoveryError.self) {
            try await ScanJob(request: ScanRequest(paths: [], listFile: fixture.root + "/no-list", options: options, csvPath: fixture.root + "/o.csv"), analyzer: TextAnalyzer()).run()
        }
        // Without a store, the run's lock beside the CSV is the first file it writes.
        await #expect(throws: RunLockError.self) {
            try await ScanJob(request: ScanRequest(paths: [fixture.videos], options: options, csvPath: fixture.root + "/no/dir/o.csv"), analyzer: TextAnalyzer()).run()
        }
        await #expect(throws: StoreError.self) {
            try await ScanJob(request: ScanRequest(paths: [fixture.videos], options: options, csvPath: fixture.root + "/o.csv", storePath: fixture.videos + "/01 plain.mp4"), analyzer: TextAnalyzer()).run()
        }
    }
}
