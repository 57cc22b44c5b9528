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

    public init(path: String) throws {
        self.path = path
        var configuration = Configuration()
        configuration.label = "ResultStore"
        configuration.busyMode = .timeout(10)
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(pool)
        } catch {
            throw StoreError.cannotOpen(path: path, reason: Self.reason(error))
        }
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
        return migrator
    }

    /// Stores one finished video (its row and face rows) in one transaction, replacing an
    /// earlier result for the same path and configuration.
    public func commit(key: FileKey, configuration: String, row: VideoRow, faces: [FaceRow]) throws {
        let video = StoredVideo(key: key, configuration: configuration, row: row, finishedAt: Date().timeIntervalSince1970)
        try access {
            try pool.write { db in
                // Deleting the old video row cascades to its faces.
                _ = try StoredVideo.deleteOne(db, key: ["path": key.path, "config": configuration])
                try video.insert(db)
                for face in faces { try StoredFace(face: face, path: key.path, configuration: configuration).insert(db) }
            }
        }
    }

    /// The file keys of the videos stored under `configuration`, by path.
    public func completedKeys(configuration: String) throws -> [String: FileKey] {
        try access {
            try pool.read { db in
                let videos = try StoredVideo.filter(Column("config") == configuration).fetchAll(db)
                return Dictionary(uniqueKeysWithValues: videos.map { ($0.path, $0.fileKey) })
            }
        }
    }

    /// The stored rows under `configuration`, by path.
    public func rows(configuration: String) throws -> [String: VideoRow] {
        try access {
            try pool.read { db in
                let videos = try StoredVideo.filter(Column("config") == configuration).fetchAll(db)
                return Dictionary(uniqueKeysWithValues: videos.map { ($0.path, $0.row) })
            }
        }
    }

    /// The face rows of one video in the order they were committed.
    public func faces(path: String, configuration: String) throws -> [FaceRow] {
        try access {
            try pool.read { db in
                try StoredFace.filter(Column("path") == path && Column("config") == configuration)
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
