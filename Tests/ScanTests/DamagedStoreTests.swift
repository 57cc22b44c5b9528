import Foundation
import Testing
import Aggregate
import Reports
@testable import Scan

/// A results store damaged on disk or by hand never stops a run, and none of its bad values
/// reaches the CSV (issue 16, 9).
@Suite struct DamagedStoreTests {
    static let configuration = RunConfiguration(model: "text", frames: 8, aggregator: .mean, threshold: 0.5)

    @Test func aFileThatIsNotADatabaseIsKeptAsideAndANewStoreStarts() throws {
        let root = try RawNames.temporaryDirectory("notadb")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/results.sqlite"
        let garbage = Data(repeating: 0x41, count: 4096)
        try garbage.write(to: URL(fileURLWithPath: path))
        try Data("wal".utf8).write(to: URL(fileURLWithPath: path + "-wal"))

        let store = try ResultStore(path: path)
        let aside = try #require(store.damagedFileKeptAt)
        #expect(aside.hasPrefix(path + ".corrupt-"))
        #expect(aside.count == (path + ".corrupt-20261205T071500").count)
        #expect(try Data(contentsOf: URL(fileURLWithPath: aside)) == garbage)
        #expect(try Data(contentsOf: URL(fileURLWithPath: aside + "-wal")) == Data("wal".utf8))
        #expect(store.damageWarning == "results store \(path) was damaged; kept it as \(aside) and started a new one")
        #expect(try store.journalMode() == "wal")
        #expect(try store.completedKeys(configuration: Self.configuration.fingerprint).isEmpty)
        // Opened again, the new store is healthy: nothing more is moved.
        #expect(try ResultStore(path: path).damagedFileKeptAt == nil)
    }

    @Test func aFileOfAnotherKindIsRefusedAndLeftAsItIs() throws {
        let root = try RawNames.temporaryDirectory("notastore")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let video = root + "/clip.mp4"
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: video))
        let error = #expect(throws: StoreError.self) { try ResultStore(path: video) }
        #expect(error?.description.contains("not a SQLite database") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root) == ["clip.mp4"])
    }

    @Test func aStoreWithOverwrittenPagesIsKeptAside() throws {
        let root = try RawNames.temporaryDirectory("torn")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/results.sqlite"
        let fingerprint = Self.configuration.fingerprint
        do {
            let store = try ResultStore(path: path)
            for i in 0..<300 {
                let key = FileKey(path: "/v/\(i).mp4", size: Int64(i), modificationNanoseconds: 1)
                try store.commit(key: key, configuration: fingerprint, row: ResultStoreTests.row(key.path, 0.5),
                                 faces: ResultStoreTests.faces(key.path, [0.5, 0.6]))
            }
        }
        // Pages 3 and 4 (of a file of several dozen) overwritten, the header left intact.
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        try handle.seek(toOffset: 2 * 4096)
        try handle.write(contentsOf: Data(repeating: 0x5A, count: 2 * 4096))
        try handle.close()

        let store = try ResultStore(path: path)
        #expect(store.damagedFileKeptAt != nil)
        #expect(try store.completedKeys(configuration: fingerprint).isEmpty)
    }

    @Test func rescanGetsPastADamagedStoreWithOneWarning() async throws {
        let fixture = try TextVideoFixture()
        defer { fixture.remove() }
        let storePath = fixture.root + "/store.sqlite"
        try Data("this is not SQLite".utf8).write(to: URL(fileURLWithPath: storePath))
        let progress = WarningLog()
        let request = ScanRequest(
            paths: [fixture.videos], options: ScanOptions(configuration: Self.configuration, rescan: true),
            csvPath: fixture.root + "/out.csv", storePath: storePath)
        let result = try await ScanJob(request: request, analyzer: TextAnalyzer()).run(progress: progress)
        #expect(result.outcome == .completedWithErrors)  // "09 broken" is an error row, as always
        #expect(result.rows.count == 12)
        #expect(result.warnings.count == 1)
        #expect(result.warnings.first?.contains("was damaged; kept it as \(storePath).corrupt-") == true)
        #expect(progress.messages == result.warnings)
    }

    @Test func invalidStoredValuesAreRescannedNotReported() async throws {
        let fixture = try TextVideoFixture()
        defer { fixture.remove() }
        let items = try Discovery().discover(paths: [fixture.videos])
        let options = ScanOptions(configuration: Self.configuration)
        let storePath = fixture.root + "/store.sqlite"
        let reference = try await ScanRunner(analyzer: TextAnalyzer(), store: try ResultStore(path: storePath), options: options).run(items)

        let store = try ResultStore(path: storePath)
        let edits = [
            ("12 fake", "UPDATE video SET p_fake = 17"),
            ("01 plain", "UPDATE video SET status = 'bogus'"),
            ("11 real", "UPDATE video SET frames_sampled = -3"),
            ("10 confident", "UPDATE video SET p_fake = 'abc'"),
            ("06 =formula", "UPDATE video SET verdict = 'real', p_fake = 0.99"),
            ("07 two tracks", "UPDATE face SET p_fake = 5"),
            ("05 東京", "UPDATE video SET threshold = 0.25"),
        ]
        for (name, sql) in edits { try store.execute(sql: sql + " WHERE path LIKE '%/videos/\(name)%'") }

        let progress = WarningLog()
        let analyzer = TextAnalyzer()
        let resumed = try await ScanRunner(analyzer: analyzer, store: store, options: options, progress: progress).run(items)
        // Every edited video is analysed again, and the CSV rows are those of a clean run.
        let again = analyzer.calls.byPath.keys.map { URL(fileURLWithPath: $0).lastPathComponent }.sorted()
        #expect(again == ["01 plain.mp4", "05 東京 ünï 😀.mp4", "06 =formula.mp4", "07 two tracks.mp4", "10 confident.mp4",
                          "11 real.mp4", "12 fake.mp4"])
        #expect(resumed.rows.map(\.timeless) == reference.rows.map(\.timeless))
        #expect(resumed.rows.allSatisfy { ($0.pFake ?? 0) <= 1 })
        #expect(progress.messages.count == 1)
        #expect(progress.messages.first?.contains("6 stored results with invalid values") == true)
        // Re-analysed videos replaced the bad rows: the next run reuses all of them.
        let third = try await ScanRunner(analyzer: TextAnalyzer(), store: store, options: options).run(items)
        #expect(third.reused == 12)
        #expect(third.warnings.isEmpty)
    }
}

/// Progress that keeps the warnings it is given.
final class WarningLog: ScanProgress, @unchecked Sendable {
    // `lock` guards `stored`.
    private let lock = NSLock()
    private var stored: [String] = []

    var messages: [String] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }

    func started(total: Int, alreadyDone: Int) {}
    func began(path: String) {}
    func finished(_ row: VideoRow, done: Int, total: Int) {}
    func ended(interrupted: Bool) {}
    func warning(_ message: String) {
        lock.lock()
        defer { lock.unlock() }
        stored.append(message)
    }
}
