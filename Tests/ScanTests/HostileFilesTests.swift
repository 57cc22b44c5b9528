import Foundation
import Testing
import Aggregate
import Reports
@testable import Scan

/// Files that are not what a scan expects: special files inside a folder, and a file still
/// being written while it is scanned (issue 16, 7 and 10).
@Suite struct HostileFilesTests {
    static let configuration = RunConfiguration(model: "text", frames: 8, aggregator: .mean, threshold: 0.5)

    @Test func specialFilesInAFolderGetAnErrorRowAndNothingBlocks() async throws {
        let root = try RawNames.temporaryDirectory("special")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try RawNames.save(PathBytesTests.video(pFake: 0.3), to: RawNames.bytes(root + "/a.mp4"))
        #expect(mkfifo(root + "/pipe.mp4", 0o600) == 0)
        #expect(mkfifo(root + "/pipe-without-extension", 0o600) == 0)
        let socket = try RawNames.bindSocket(at: root + "/sock.mkv")
        defer { close(socket) }
        try FileManager.default.createSymbolicLink(atPath: root + "/null.mp4", withDestinationPath: "/dev/null")

        let items = try Discovery().discover(paths: [root])
        // Like any other file, a special file without a video extension is not a candidate.
        #expect(items.map { URL(fileURLWithPath: $0.path).lastPathComponent } == ["a.mp4", "null.mp4", "pipe.mp4", "sock.mkv"])
        #expect(items.map(\.problem) == [
            nil, "not a regular file (a character device)", "not a regular file (a FIFO)", "not a regular file (a socket)",
        ])
        let analyzer = TextAnalyzer()
        let result = try await ScanRunner(analyzer: analyzer, store: nil, options: ScanOptions(configuration: Self.configuration)).run(items)
        #expect(result.rows.map(\.status) == [.ok, .error, .error, .error])
        #expect(result.outcome == .completedWithErrors)
        #expect(analyzer.calls.byPath.keys.sorted() == [root + "/a.mp4"])
    }

    @Test func aFileReplacedByAFIFOAfterDiscoveryIsNeverOpened() async throws {
        let root = try RawNames.temporaryDirectory("replaced")
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(mkfifo(root + "/was-a-video.mp4", 0o600) == 0)
        let analyzer = TextAnalyzer()
        let result = try await ScanRunner(analyzer: analyzer, store: nil, options: ScanOptions(configuration: Self.configuration))
            .run([DiscoveredItem(path: root + "/was-a-video.mp4")])
        #expect(result.rows.map(\.error) == ["not a regular file (a FIFO)"])
        #expect(analyzer.calls.byPath.isEmpty)
    }

    @Test func aFileThatGrowsWhileScannedIsAnErrorNotStoredAndScannedAgain() async throws {
        let root = try RawNames.temporaryDirectory("growing")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try RawNames.save(PathBytesTests.video(pFake: 0.3), to: RawNames.bytes(root + "/done.mp4"))
        // The analyzer appends to this one while it reads it, as a recorder still writing would.
        try RawNames.save("grow\n" + PathBytesTests.video(pFake: 0.7), to: RawNames.bytes(root + "/growing.mp4"))
        let items = try Discovery().discover(paths: [root])
        let storePath = root + "/store.sqlite"
        let options = ScanOptions(configuration: Self.configuration)

        let first = try await ScanRunner(analyzer: TextAnalyzer(), store: try ResultStore(path: storePath), options: options).run(items)
        #expect(first.rows.map(\.status) == [.ok, .error])
        #expect(first.rows[1].error == ScanRunner<TextAnalyzer>.changedWhileScanned)
        #expect(first.rows[1].pFake == nil)
        #expect(first.outcome == .completedWithErrors)
        #expect(try ResultStore(path: storePath).completedKeys(configuration: Self.configuration.fingerprint).keys.map(\.path)
            == [root + "/done.mp4"])

        // The next (nightly) run takes it up again; written out by now, it is scored and stored.
        let analyzer = TextAnalyzer()
        let second = try await ScanRunner(analyzer: analyzer, store: try ResultStore(path: storePath), options: options).run(items)
        #expect(analyzer.calls.byPath == [root + "/growing.mp4": 1])
        #expect(second.rows.map(\.status) == [.ok, .ok])
        #expect(second.rows[1].pFake == 0.7)
        #expect(second.outcome == .completed)
    }
}
