import Foundation
import GRDB
import Aggregate
import Reports

/// Failures of the results store, with the database file.
public enum StoreError: Error, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case database(path: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason): return "cannot open results store \(path): \(reason)"
        case let .database(path, reason): return "results store \(path): \(reason)"
        }
    }
}

/// The SQLite file where each finished video is committed, so an interrupted run resumes
/// where it stopped.
///
/// Each video's row and all its face rows go in one transaction: after `kill -9` a video is
/// either wholly stored or not at all, and a restart neither loses nor repeats one. WAL mode
/// (GRDB's `DatabasePool`) lets readers run while a video is committed. Safe to share
/// between tasks: GRDB serialises the writes.
public final class ResultStore: Sendable {
    public let path: String
    private let pool: DatabasePool

    /// Set when the file at `path` was damaged (not a database, or failing SQLite's quick
    /// check): where it was moved to before a new store was started there.
    public let damagedFileKeptAt: String?

    /// Opens (or creates) the store. A damaged store is renamed aside, with its -wal and
    /// -shm, to `PATH.corrupt-YYYYmmddTHHMMSS` and a new store takes its place: losing the
    /// cache of finished videos costs a rescan, refusing to run would cost the whole night.
    /// A damaged store is a SQLite file that SQLite finds malformed, or a file of another kind
    /// named like a database (`.sqlite`, `.sqlite3`, `.db`); any other file (a video named by
    /// mistake) is not moved, and this throws, as do a missing folder or no permission.
    public init(path: String) throws {
        self.path = path
        var aside: String? = nil
        if let header = Self.header(of: path), !header.starts(with: Self.sqliteMagic) {
            guard Self.namedLikeADatabase(path) else {
                throw StoreError.cannotOpen(path: path, reason: "not a SQLite database (a file of another kind: left as it is)")
            }
            aside = try Self.moveAside(path)
        }
        do {
            do {
                pool = try Self.open(path)
            } catch let error as DatabaseError where aside == nil && Self.meansDamaged(error) {
                aside = try Self.moveAside(path)
                pool = try Self.open(path)
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.cannotOpen(path: path, reason: Self.reason(error))
        }
        damagedFileKeptAt = aside
    }

    /// The one warning line to show when the store was damaged; nil otherwise.
    public var damageWarning: String? {
        damagedFileKeptAt.map { "results store \(path) was damaged; kept it as \($0) and started a new one" }
    }

    private static func open(_ path: String) throws -> DatabasePool {
        var configuration = Configuration()
        configuration.label = "ResultStore"
        configuration.busyMode = .timeout(10)
        let pool = try DatabasePool(path: path, configuration: configuration)
        // quick_check reads every page once (no index cross-checks): a torn or overwritten
        // page is found here rather than half-way through the night.
        let check = try pool.read { db in try String.fetchAll(db, sql: "PRAGMA quick_check") }
        guard check == ["ok"] else {
            throw DatabaseError(resultCode: .SQLITE_CORRUPT, message: "quick_check: \(check.prefix(3).joined(separator: "; "))")
        }
        try migrator.migrate(pool)
        return pool
    }

    private static let sqliteMagic = Array("SQLite format 3\0".utf8)

    /// The first bytes of a non-empty file; nil when there is none (SQLite makes it) or it
    /// cannot be read (SQLite then says why).
    private static func header(of path: String) -> [UInt8]? {
        // Only a regular file is read: opening a FIFO would wait for a writer.
        guard let info = Discovery.status(of: Array(path.utf8), followingLinks: true),
              (info.st_mode & S_IFMT) == S_IFREG, info.st_size > 0,
              let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: sqliteMagic.count), !data.isEmpty else { return nil }
        return Array(data)
    }

    private static func namedLikeADatabase(_ path: String) -> Bool {
        let name = path.lowercased()
        return [".sqlite", ".sqlite3", ".db", ".db3"].contains { name.hasSuffix($0) }
    }

    private static func meansDamaged(_ error: DatabaseError) -> Bool {
        error.resultCode == .SQLITE_NOTADB || error.resultCode == .SQLITE_CORRUPT
    }

    /// Renames the store and its WAL files aside; returns the new name of the store.
    private static func moveAside(_ path: String) throws -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss"
        var aside = path + ".corrupt-" + formatter.string(from: Date())
        var attempt = 1
        while FileManager.default.fileExists(atPath: aside) {
            attempt += 1
            aside = path + ".corrupt-" + formatter.string(from: Date()) + "-\(attempt)"
        }
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            guard rename(path + suffix, aside + suffix) == 0 else {
                throw StoreError.cannotOpen(
                    path: path, reason: "damaged, and cannot be moved aside (\(String(cString: strerror(errno))))")
            }
        }
        return aside
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: StoredVideo.databaseTableName) { t in
                t.column("path", .text).notNull()
                t.column("config", .text).notNull()
                t.column("size", .integer).notNull()
                t.column("mtime_ns", .integer).notNull()
                t.column("status", .text).notNull()
                t.column("p_fake", .double)
                t.column("verdict", .text).notNull()
                t.column("threshold", .double).notNull()
                t.column("model", .text).notNull()
                t.column("aggregator", .text).notNull()
                t.column("frames_sampled", .integer).notNull()
                t.column("frames_with_face", .integer).notNull()
                t.column("face_tracks", .integer).notNull()
                t.column("duration_s", .double)
                t.column("width", .integer)
                t.column("height", .integer)
                t.column("codec", .text)
                t.column("elapsed_s", .double).notNull()
                t.column("error", .text)
                t.column("finished_at", .double).notNull()
                t.primaryKey(["path", "config"])
            }
            try db.create(table: StoredFace.databaseTableName) { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("path", .text).notNull()
                t.column("config", .text).notNull()
                t.column("frame_index", .integer).notNull()
                t.column("seconds", .double).notNull()
                t.column("track", .integer).notNull()
                t.column("box_x", .double).notNull()
                t.column("box_y", .double).notNull()
                t.column("box_w", .double).notNull()
                t.column("box_h", .double).notNull()
                t.column("p_fake", .double).notNull()
                t.foreignKey(["path", "config"], references: StoredVideo.databaseTableName, onDelete: .cascade)
            }
            try db.create(index: "face_by_video", on: StoredFace.databaseTableName, columns: ["path", "config"])
        }
        // What each file was, so a renamed or copied video is recognised by its content.
        migrator.registerMigration("v2-content-hash") { db in
            try db.alter(table: StoredVideo.databaseTableName) { t in t.add(column: "content_sha256", .text) }
            try db.create(index: "video_by_content", on: StoredVideo.databaseTableName, columns: ["config", "content_sha256"])
        }
        // `scan --masks` (ClassNSeg): per-crop mask statistics and overlay file; NULL without masks.
        migrator.registerMigration("v2-face-masks") { db in
            try db.alter(table: StoredFace.databaseTableName) { t in
                t.add(column: "mask_flagged", .double)
                t.add(column: "mask_mean", .double)
                t.add(column: "mask_file", .text)
            }
        }
        // Runs with several models: each model's verdict per video and p_fake per crop, as
        // JSON (NULL with one model), so a resumed or nightly run rebuilds every column.
        migrator.registerMigration("v3-model-results") { db in
            try db.alter(table: StoredVideo.databaseTableName) { t in t.add(column: "model_results", .text) }
            try db.alter(table: StoredFace.databaseTableName) { t in t.add(column: "p_fake_by_model", .text) }
        }
        // `scan --attention` (MAT): the crop's attention overlay files as a JSON array; NULL without.
        migrator.registerMigration("v4-face-attention") { db in
            try db.alter(table: StoredFace.databaseTableName) { t in t.add(column: "attention_files", .text) }
        }
        // Models with manipulation classes (AMTENnet): the video's most likely class and its
        // probability, each crop's class probabilities as JSON; NULL for other models.
        migrator.registerMigration("v5-manipulation-classes") { db in
            try db.alter(table: StoredVideo.databaseTableName) { t in
                t.add(column: "manipulation", .text)
                t.add(column: "manipulation_p", .double)
            }
            try db.alter(table: StoredFace.databaseTableName) { t in t.add(column: "manipulation_probabilities", .text) }
        }
        // When each configuration's last run that was not interrupted ended: the rows committed
        // since, by runs that were, are still new to the next `--new-csv`. A store from before
        // counts as reported up to its newest row.
        migrator.registerMigration("v6-completed-runs") { db in
            try db.create(table: "completed_run") { t in
                t.column("config", .text).primaryKey()
                t.column("finished_at", .double).notNull()
            }
            try db.execute(sql: """
                INSERT INTO completed_run (config, finished_at)
                SELECT config, MAX(finished_at) FROM \(StoredVideo.databaseTableName) GROUP BY config
                """)
        }
        return migrator
    }

    /// Stores one finished video (its row and face rows) in one transaction, replacing an
    /// earlier result for the same path and configuration.
    public func commit(key: FileKey, configuration: String, row: VideoRow, faces: [FaceRow], contentSHA256: String? = nil) throws {
        let video = StoredVideo(key: key, configuration: configuration, row: row, finishedAt: Date().timeIntervalSince1970,
                                contentSHA256: contentSHA256)
        try access {
            try pool.write { db in
                // Deleting the old video row cascades to its faces.
                _ = try StoredVideo.deleteOne(db, key: ["path": key.path, "config": configuration])
                try video.insert(db)
                for face in faces { try StoredFace(face: face, path: key.path, configuration: configuration).insert(db) }
            }
        }
    }

    /// One stored video as read back.
    public struct StoredResult: Sendable, Equatable {
        public var key: FileKey
        public var row: VideoRow
        /// When it was committed (seconds since 1970).
        public var finishedAt: Double = 0
    }

    /// When the last run under `configuration` that was not interrupted ended; nil before any.
    public func lastCompletedRun(configuration: String) throws -> Double? {
        try access {
            try pool.read { db in
                try Double.fetchOne(db, sql: "SELECT finished_at FROM completed_run WHERE config = ?", arguments: [configuration])
            }
        }
    }

    /// Records that a run under `configuration` ended at `finishedAt` without being interrupted.
    public func recordCompletedRun(configuration: String, finishedAt: Double = Date().timeIntervalSince1970) throws {
        try access {
            try pool.write { db in
                try db.execute(sql: "INSERT OR REPLACE INTO completed_run (config, finished_at) VALUES (?, ?)",
                               arguments: [configuration, finishedAt])
            }
        }
    }

    /// The videos stored under `configuration`, by exact path, and the paths of stored
    /// videos left out because a value in them is invalid (see `StoredVideo.validRow`).
    public func results(configuration: String) throws -> (byPath: [PathKey: StoredResult], invalid: [String]) {
        try access {
            try pool.read { db in
                let damagedFaces = try String.fetchSet(db, sql: """
                    SELECT DISTINCT path FROM face WHERE config = ? AND NOT (\(StoredVideo.validFaceCondition))
                    """, arguments: [configuration]).map(PathKey.init)
                var byPath: [PathKey: StoredResult] = [:]
                var invalid: [String] = []
                let rows = try StoredVideo.filter(Column("config") == configuration).asRequest(of: Row.self).fetchAll(db)
                for raw in rows {
                    guard let video = try? StoredVideo(row: raw), let row = video.validRow,
                          !damagedFaces.contains(PathKey(video.path))
                    else {
                        invalid.append((try? raw.decode(String.self, forColumn: "path")) ?? "?")
                        continue
                    }
                    byPath[PathKey(video.path)] = StoredResult(key: video.fileKey, row: row, finishedAt: video.finishedAt)
                }
                return (byPath, invalid)
            }
        }
    }

    /// A finished result (`ok` or `no_face`, never an error, which may not happen again) of a
    /// file with these bytes under `configuration`, stored under another path: the row and
    /// face rows as they were stored, with that path. Nil when there is none.
    /// The file's own stored row (`path`) never counts: it was not reused for a reason.
    public func result(contentSHA256: String, size: Int64, configuration: String, otherThan path: String) throws
        -> (row: VideoRow, faces: [FaceRow])? {
        let found: StoredVideo? = try access {
            try pool.read { db in
                try StoredVideo.filter(Column("config") == configuration && Column("content_sha256") == contentSHA256
                                       && Column("size") == size && Column("status") != ScanStatus.error.rawValue
                                       && Column("path") != path)
                    .order(Column("finished_at").desc).fetchOne(db)
            }
        }
        guard let found, let row = found.validRow else { return nil }
        let faces = try faces(path: found.path, configuration: configuration)
        // A damaged face row (left out of `faces`) makes the whole result untrustworthy.
        let stored = try access {
            try pool.read { db in
                try StoredFace.filter(Column("path") == found.path && Column("config") == configuration).fetchCount(db)
            }
        }
        guard stored == faces.count else { return nil }
        return (row, faces)
    }

    /// The file keys of the valid videos stored under `configuration`, by exact path.
    public func completedKeys(configuration: String) throws -> [PathKey: FileKey] {
        try results(configuration: configuration).byPath.mapValues(\.key)
    }

    /// The valid stored rows under `configuration`, by exact path.
    public func rows(configuration: String) throws -> [PathKey: VideoRow] {
        try results(configuration: configuration).byPath.mapValues(\.row)
    }

    /// The valid face rows of one video in the order they were committed.
    public func faces(path: String, configuration: String) throws -> [FaceRow] {
        try access {
            try pool.read { db in
                try StoredFace.filter(Column("path") == path && Column("config") == configuration)
                    .filter(sql: StoredVideo.validFaceCondition)
                    .order(Column("id")).fetchAll(db).map(\.face)
            }
        }
    }

    /// Forgets the stored results of `configuration`, or all of them when nil (`--rescan`).
    /// Returns how many videos were forgotten.
    @discardableResult
    public func clear(configuration: String? = nil) throws -> Int {
        try access {
            try pool.write { db in
                if let configuration {
                    return try StoredVideo.filter(Column("config") == configuration).deleteAll(db)
                }
                return try StoredVideo.deleteAll(db)
            }
        }
    }

    /// Runs raw SQL: for tests that damage a store the way an editor or a disk would.
    func execute(sql: String) throws {
        try access { try pool.write { db in try db.execute(sql: sql) } }
    }

    /// SQLite's journal mode of the store ("wal").
    func journalMode() throws -> String {
        try access { try pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" } }
    }

    private func access<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch { throw StoreError.database(path: path, reason: Self.reason(error)) }
    }

    private static func reason(_ error: Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? error.description }
        return String(describing: error)
    }
}
