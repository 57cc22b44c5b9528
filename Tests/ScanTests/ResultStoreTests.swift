import Foundation
import Imaging
import Testing
import Aggregate
import Reports
@testable import Scan

@Suite struct ResultStoreTests {
    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static let configuration = RunConfiguration(model: "meso4", frames: 32, aggregator: .mean, threshold: 0.5)

    static func row(_ path: String, _ pFake: Double?) -> VideoRow {
        VideoRow(
            path: path, status: pFake == nil ? .noFace : .ok, pFake: pFake,
            verdict: Aggregation.verdict(pFake: pFake, threshold: 0.5), threshold: 0.5, model: "meso4",
            aggregator: "mean", framesSampled: 32, framesWithFace: pFake == nil ? 0 : 2,
            faceTracks: pFake == nil ? 0 : 1, durationSeconds: 2.5, width: 320, height: 240, codec: "h264",
            elapsedSeconds: 0.75)
    }

    static func faces(_ path: String, _ scores: [Double]) -> [FaceRow] {
        scores.enumerated().map { i, p in
            FaceRow(video: path, frameIndex: i * 5, seconds: Double(i) * 0.2, track: i % 2,
                    box: FaceBox(x: 1, y: 2, width: 30, height: 40), pFake: p)
        }
    }

    @Test func storesRowsAndFacesAndSurvivesReopening() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fingerprint = Self.configuration.fingerprint
        let key = FileKey(path: "/v/a,\"b\"\n東京.mp4", size: 1234, modificationNanoseconds: 1_700_000_000_123_456_789)
        do {
            let store = try ResultStore(path: directory + "/results.sqlite")
            #expect(try store.journalMode() == "wal")
            try store.commit(key: key, configuration: fingerprint, row: Self.row(key.path, 0.7), faces: Self.faces(key.path, [0.6, 0.8]))
        }
        // A new connection (as after a crash and restart) sees exactly what was committed.
        let reopened = try ResultStore(path: directory + "/results.sqlite")
        #expect(try reopened.completedKeys(configuration: fingerprint) == [PathKey(key.path): key])
        #expect(try reopened.rows(configuration: fingerprint) == [PathKey(key.path): Self.row(key.path, 0.7)])
        #expect(try reopened.faces(path: key.path, configuration: fingerprint) == Self.faces(key.path, [0.6, 0.8]))
    }

    @Test func recommittingReplacesWithoutDuplicates() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try ResultStore(path: directory + "/results.sqlite")
        let fingerprint = Self.configuration.fingerprint
        let old = FileKey(path: "/v/a.mp4", size: 10, modificationNanoseconds: 1)
        let changed = FileKey(path: "/v/a.mp4", size: 12, modificationNanoseconds: 2)
        try store.commit(key: old, configuration: fingerprint, row: Self.row(old.path, 0.2), faces: Self.faces(old.path, [0.1, 0.3, 0.2]))
        try store.commit(key: changed, configuration: fingerprint, row: Self.row(old.path, 0.9), faces: Self.faces(old.path, [0.9]))
        #expect(try store.completedKeys(configuration: fingerprint) == [PathKey(old.path): changed])
        #expect(try store.rows(configuration: fingerprint)[PathKey(old.path)]?.pFake == 0.9)
        #expect(try store.faces(path: old.path, configuration: fingerprint).count == 1)
    }

    @Test func aFailedCommitLeavesNothingBehind() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try ResultStore(path: directory + "/results.sqlite")
        let fingerprint = Self.configuration.fingerprint
        let key = FileKey(path: "/v/a.mp4", size: 10, modificationNanoseconds: 1)
        // SQLite stores NaN as NULL, which the NOT NULL p_fake column refuses: the last face
        // fails after the video row and the first face were inserted.
        let error = #expect(throws: StoreError.self) {
            try store.commit(key: key, configuration: fingerprint, row: Self.row(key.path, 0.5), faces: Self.faces(key.path, [0.5, .nan]))
        }
        #expect(error?.description.contains("NOT NULL constraint failed: face.p_fake") == true)
        #expect(try store.completedKeys(configuration: fingerprint).isEmpty)
        #expect(try store.faces(path: key.path, configuration: fingerprint).isEmpty)
    }

    @Test func configurationsAreSeparateAndClearable() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try ResultStore(path: directory + "/results.sqlite")
        var other = Self.configuration
        other.frames = 16
        #expect(other.fingerprint != Self.configuration.fingerprint)
        #expect(Self.configuration.fingerprint == "aggregator=mean;frames=32;model=meso4;threshold=0.5")
        let key = FileKey(path: "/v/a.mp4", size: 10, modificationNanoseconds: 1)
        try store.commit(key: key, configuration: Self.configuration.fingerprint, row: Self.row(key.path, 0.5), faces: Self.faces(key.path, [0.5]))
        try store.commit(key: key, configuration: other.fingerprint, row: Self.row(key.path, nil), faces: [])
        #expect(try store.rows(configuration: other.fingerprint)[PathKey(key.path)]?.status == .noFace)
        #expect(try store.clear(configuration: other.fingerprint) == 1)
        #expect(try store.rows(configuration: other.fingerprint).isEmpty)
        #expect(try store.rows(configuration: Self.configuration.fingerprint).count == 1)
        #expect(try store.clear() == 1)
        #expect(try store.faces(path: key.path, configuration: Self.configuration.fingerprint).isEmpty)
    }

    /// A store written before runs' ends were recorded counts as reported up to its newest row,
    /// so the first `--new-csv` after the upgrade does not list every stored video as new.
    @Test func aStoreFromBeforeRunEndsCountsAsReported() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/results.sqlite", fingerprint = Self.configuration.fingerprint
        do {
            let store = try ResultStore(path: path)
            #expect(try store.lastCompletedRun(configuration: fingerprint) == nil)
            for name in ["a", "b"] {
                try store.commit(key: FileKey(path: "/v/\(name).mp4", size: 10, modificationNanoseconds: 1),
                                 configuration: fingerprint, row: Self.row("/v/\(name).mp4", 0.5), faces: [])
            }
            // As the store was before the migration: no table, no record of it.
            try store.execute(sql: "DROP TABLE completed_run")
            try store.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v6-completed-runs'")
        }
        let store = try ResultStore(path: path)
        let newest = try #require(try store.results(configuration: fingerprint).byPath.values.map(\.finishedAt).max())
        #expect(try store.lastCompletedRun(configuration: fingerprint) == newest)
        try store.recordCompletedRun(configuration: fingerprint, finishedAt: newest + 5)
        #expect(try store.lastCompletedRun(configuration: fingerprint) == newest + 5)
    }

    @Test func aFolderThatDoesNotExistIsAnError() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(throws: StoreError.self) { try ResultStore(path: directory + "/missing/dir/x.sqlite") }
    }

    @Test func fileKeyFollowsContentChanges() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/v.mp4"
        try Data("abc".utf8).write(to: URL(fileURLWithPath: path))
        let before = try #require(FileKey.current(path: path))
        #expect(before.size == 3)
        try Data("abcd".utf8).write(to: URL(fileURLWithPath: path))
        let after = try #require(FileKey.current(path: path))
        #expect(after.size == 4)
        #expect(after != before)
        #expect(FileKey.current(path: directory + "/none.mp4") == nil)
    }
}
