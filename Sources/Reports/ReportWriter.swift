import Foundation
import Aggregate

/// Which CSV layout to write.
public enum CSVLayout: String, Sendable, CaseIterable, Codable {
    /// The full contract (DESIGN.md), one row per video.
    case standard
    /// Kaggle DFDC submission: `filename,label` with label = p_fake, 0.5 when unknown.
    case kaggle
}

/// Writes the report files of a run. Each file appears whole or not at all.
public enum ReportWriter {
    /// The CSV text of `rows` in `layout`, header always present. `models`: the run's models;
    /// with two or more the standard layout adds each one's `p_fake.<m>` and `verdict.<m>`.
    /// `manipulation`: the model has manipulation classes (the standard layout adds their columns).
    public static func csv(_ rows: [VideoRow], layout: CSVLayout = .standard, models: [String] = [],
                           manipulation: Bool = false) -> String {
        switch layout {
        case .standard:
            return CSV.document(header: VideoRow.csvHeader(models: models, manipulation: manipulation),
                                rows: rows.map { $0.csvFields(models: models, manipulation: manipulation) })
        case .kaggle:
            return CSV.document(
                header: ["filename", "label"],
                rows: rows.map { [fileName(of: $0.path), NumberText.fixed($0.pFake ?? 0.5, digits: 6)] })
        }
    }

    /// Writes the CSV atomically (temp file beside it, then rename).
    public static func writeCSV(_ rows: [VideoRow], layout: CSVLayout = .standard, models: [String] = [],
                                manipulation: Bool = false, to url: URL) throws {
        try AtomicFile.write(Data(csv(rows, layout: layout, models: models, manipulation: manipulation).utf8), to: url)
    }

    /// Writes all face rows as JSONL atomically.
    public static func writeJSONL(_ faces: [FaceRow], to url: URL) throws {
        try writeJSONL(to: url) { emit in try emit(faces) }
    }

    /// Writes JSONL atomically from batches of face rows that `produce` hands to `emit`
    /// (one video at a time, say), so the whole run never has to be in memory.
    public static func writeJSONL(to url: URL, _ produce: (_ emit: ([FaceRow]) throws -> Void) throws -> Void) throws {
        try AtomicFile.write(to: url) { handle in
            try produce { faces in
                var text = ""
                for face in faces { text += try face.jsonLine() }
                try AtomicFile.writeAll(Data(text.utf8), to: handle, url: url)
            }
        }
    }

    /// Reads a CSV written by `writeCSV(layout: .standard)` back into rows.
    public static func readCSV(at url: URL) throws -> [VideoRow] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ReportError.io(path: url.path, reason: "cannot read (\(error.localizedDescription))")
        }
        let records = try CSV.parse(String(decoding: data, as: UTF8.self))
        // The contract's columns, then per-model ones of a run with several models.
        guard let header = records.first else { throw ReportError.badRow("header is not the contract header") }
        let models: [String]
        let manipulation = VideoRow.hasManipulation(inCSVHeader: header)
        if header == VideoRow.csvHeader(models: [], manipulation: manipulation) { models = [] } else if let named = VideoRow.models(inCSVHeader: header) {
            models = named
        } else {
            throw ReportError.badRow("header is not the contract header")
        }
        return try records.dropFirst().map { try VideoRow(csvFields: $0, models: models, manipulation: manipulation) }
    }

    static func fileName(of path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
    }
}

/// Whole-file replacement that a crash cannot leave half written.
public enum AtomicFile {
    public static func write(_ data: Data, to url: URL) throws {
        try write(to: url) { handle in try writeAll(data, to: handle, url: url) }
    }

    /// Writes to a handle, turning a failure (disk full …) into a `ReportError` naming the file.
    public static func writeAll(_ data: Data, to handle: FileHandle, url: URL) throws {
        do { try handle.write(contentsOf: data) } catch {
            throw ReportError.io(path: url.path, reason: "cannot write (\(error.localizedDescription))")
        }
    }

    /// Streams the content through `body` into a temporary file beside `url`, then renames
    /// it over `url`. Nothing appears at `url` if `body` throws; its error comes out as is.
    public static func write(to url: URL, _ body: (FileHandle) throws -> Void) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(
            ".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).\(UInt32.random(in: 0...UInt32.max)).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil),
              let handle = try? FileHandle(forWritingTo: temporary)
        else {
            throw ReportError.io(path: url.path, reason: "cannot create a file in \(url.deletingLastPathComponent().path)")
        }
        var renamed = false
        defer { if !renamed { try? FileManager.default.removeItem(at: temporary) } }
        do {
            defer { try? handle.close() }
            try body(handle)
            do { try handle.synchronize() } catch {
                throw ReportError.io(path: url.path, reason: "cannot write (\(error.localizedDescription))")
            }
        }
        // rename(2) replaces the target in one step on the same file system.
        guard rename(temporary.path, url.path) == 0 else {
            throw ReportError.io(path: url.path, reason: "cannot replace (\(String(cString: strerror(errno))))")
        }
        renamed = true
    }
}

/// Appends face rows to a JSONL file as they come, one line each, so a long run can be
/// followed with `tail -f`. Not shared between tasks.
public final class JSONLAppender {
    private let handle: FileHandle
    public let url: URL

    public init(url: URL) throws {
        self.url = url
        if !FileManager.default.fileExists(atPath: url.path) {
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw ReportError.io(path: url.path, reason: "cannot create")
            }
        }
        do {
            handle = try FileHandle(forWritingTo: url)
            try handle.seekToEnd()
        } catch {
            throw ReportError.io(path: url.path, reason: "cannot open for appending (\(error.localizedDescription))")
        }
    }

    /// Appends the rows of one video in one write, so a line is never split by a crash mid-row.
    public func append(_ faces: [FaceRow]) throws {
        var text = ""
        for face in faces { text += try face.jsonLine() }
        guard !text.isEmpty else { return }
        do { try handle.write(contentsOf: Data(text.utf8)) } catch {
            throw ReportError.io(path: url.path, reason: "cannot append (\(error.localizedDescription))")
        }
    }

    deinit { try? handle.close() }
}
