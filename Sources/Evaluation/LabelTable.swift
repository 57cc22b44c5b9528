import Foundation
import Reports

/// The ground truth of one video: its path as the labels file writes it, fake or real, and
/// the values of the file's other columns (dataset, method …) by column name.
public struct LabelledVideo: Sendable, Equatable {
    public var path: String
    public var isFake: Bool
    public var categories: [String: String]

    public init(path: String, isFake: Bool, categories: [String: String] = [:]) {
        self.path = path
        self.isFake = isFake
        self.categories = categories
    }
}

/// A labels file: a header, then one row per video with a path column (`path`, `filename`,
/// `file` or `video`), a `label` column (real/fake or 0/1, any case) and optional category
/// columns. Tab-separated when the header holds a tab (no quoting in TSV), RFC 4180 CSV otherwise.
public struct LabelTable: Sendable, Equatable {
    public static let pathColumns = ["path", "filename", "file", "video"]

    public var videos: [LabelledVideo]
    /// The columns besides path and label, in file order.
    public var categoryColumns: [String]

    public init(videos: [LabelledVideo], categoryColumns: [String] = []) {
        self.videos = videos
        self.categoryColumns = categoryColumns
    }

    public static func read(path: String) throws -> LabelTable {
        try LabelTable(text: readText(path), name: path)
    }

    public init(text: String, name: String = "labels") throws {
        let rows = try Self.records(text, name: name).filter { $0 != [""] }
        guard let header = rows.first else { throw EvaluationError.badTable(name: name, row: 1, reason: "empty file") }
        let columns = header.map { $0.trimmingCharacters(in: .whitespaces) }
        let lowered = columns.map { $0.lowercased() }
        guard let pathIndex = lowered.firstIndex(where: Self.pathColumns.contains) else {
            throw EvaluationError.missingColumn(name: name, column: "path", found: columns)
        }
        guard let labelIndex = lowered.firstIndex(of: "label") else {
            throw EvaluationError.missingColumn(name: name, column: "label", found: columns)
        }
        let categoryIndices = columns.indices.filter { $0 != pathIndex && $0 != labelIndex }
        var seen: [String: Int] = [:]
        var videos: [LabelledVideo] = []
        for (offset, row) in rows.dropFirst().enumerated() {
            let rowNumber = offset + 2
            guard row.count == columns.count else {
                throw EvaluationError.badTable(
                    name: name, row: rowNumber, reason: "\(row.count) cells, the header has \(columns.count)")
            }
            let path = row[pathIndex]
            guard !path.isEmpty else { throw EvaluationError.badTable(name: name, row: rowNumber, reason: "empty path") }
            if let first = seen[path] {
                throw EvaluationError.badTable(name: name, row: rowNumber, reason: "'\(path)' already on row \(first)")
            }
            seen[path] = rowNumber
            guard let isFake = Self.isFake(row[labelIndex]) else {
                throw EvaluationError.badTable(
                    name: name, row: rowNumber, reason: "label '\(row[labelIndex])' is not real, fake, 0 or 1")
            }
            var categories: [String: String] = [:]
            for index in categoryIndices { categories[columns[index]] = row[index] }
            videos.append(LabelledVideo(path: path, isFake: isFake, categories: categories))
        }
        self.init(videos: videos, categoryColumns: categoryIndices.map { columns[$0] })
    }

    static func isFake(_ label: String) -> Bool? {
        switch label.trimmingCharacters(in: .whitespaces).lowercased() {
        case "fake", "1": return true
        case "real", "0": return false
        default: return nil
        }
    }

    /// Splits the text into records: on tabs when the header has one, by RFC 4180 otherwise.
    static func records(_ text: String, name: String) throws -> [[String]] {
        let firstLine = text.prefix { $0 != "\n" && $0 != "\r\n" }
        guard firstLine.contains("\t") else {
            do { return try CSV.parse(text) } catch {
                throw EvaluationError.unreadable(path: name, reason: "\(error)")
            }
        }
        return text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { line in line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }
}
