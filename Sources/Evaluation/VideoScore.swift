import Foundation
import Reports

/// One video's score from any source: a scan CSV, a Kaggle-style CSV or a scan run in-process.
public struct VideoScore: Sendable, Equatable {
    public var path: String
    public var status: ScanStatus
    /// nil when the video had no face or failed.
    public var pFake: Double?
    /// The threshold the scan used, when the source says.
    public var threshold: Double?
    /// A model with manipulation classes: the scan's most likely non-real class of the video.
    public var manipulation: String?

    public init(path: String, status: ScanStatus, pFake: Double?, threshold: Double? = nil, manipulation: String? = nil) {
        self.path = path
        self.status = status
        self.pFake = pFake
        self.threshold = threshold
        self.manipulation = manipulation
    }

    /// A row of a scan that ran in this process.
    public init(_ row: VideoRow) {
        self.init(path: row.path, status: row.status, pFake: row.pFake, threshold: row.threshold,
                  manipulation: row.manipulation)
    }

    /// Reads a scan CSV (DESIGN.md contract: `path,status,p_fake,threshold,…`, columns found by
    /// name so extra or reordered columns are fine) or a Kaggle CSV (`filename,label` with
    /// label = p_fake). A row without a status column is `ok` when it has a score.
    public static func readCSV(path: String) throws -> [VideoScore] {
        try parseCSV(readText(path), name: path)
    }

    public static func parseCSV(_ text: String, name: String = "scores") throws -> [VideoScore] {
        let rows: [[String]]
        do { rows = try CSV.parse(text).filter { $0 != [""] } } catch {
            throw EvaluationError.unreadable(path: name, reason: "\(error)")
        }
        guard let header = rows.first else { throw EvaluationError.badTable(name: name, row: 1, reason: "empty file") }
        let columns = header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let isKaggle = !columns.contains("p_fake") && columns.contains("filename") && columns.contains("label")
        let (pathName, scoreName) = isKaggle ? ("filename", "label") : ("path", "p_fake")
        guard let pathIndex = columns.firstIndex(of: pathName) else {
            throw EvaluationError.missingColumn(name: name, column: pathName, found: header)
        }
        guard let scoreIndex = columns.firstIndex(of: scoreName) else {
            throw EvaluationError.missingColumn(name: name, column: scoreName, found: header)
        }
        let statusIndex = columns.firstIndex(of: "status")
        let thresholdIndex = columns.firstIndex(of: "threshold")
        let manipulationIndex = columns.firstIndex(of: "manipulation")
        return try rows.dropFirst().enumerated().map { offset, row in
            func fail(_ reason: String) -> EvaluationError { .badTable(name: name, row: offset + 2, reason: reason) }
            func number(_ index: Int?, _ column: String) throws -> Double? {
                guard let index, index < row.count, !row[index].isEmpty else { return nil }
                guard let value = Double(row[index]), (0...1).contains(value) else {
                    throw fail("\(column) '\(row[index])' is not a number in 0…1")
                }
                return value
            }
            guard row.count == header.count else { throw fail("\(row.count) cells, the header has \(header.count)") }
            let pFake = try number(scoreIndex, scoreName)
            var status: ScanStatus = pFake == nil ? .noFace : .ok
            if let statusIndex {
                guard let stated = ScanStatus(rawValue: row[statusIndex]) else {
                    throw fail("status '\(row[statusIndex])' is not ok, no_face or error")
                }
                status = stated
            }
            if status == .ok && pFake == nil { throw fail("status ok without a \(scoreName)") }
            return VideoScore(
                path: Self.withoutNeutralisingApostrophe(row[pathIndex]), status: status,
                pFake: status == .ok ? pFake : nil, threshold: try number(thresholdIndex, "threshold"),
                manipulation: manipulationIndex.flatMap { row[$0].isEmpty ? nil : row[$0] })
        }
    }

    /// The CSV writer puts an apostrophe before a cell a spreadsheet would run as a formula
    /// (`'=x.mp4`); the path itself has no apostrophe.
    static func withoutNeutralisingApostrophe(_ cell: String) -> String {
        guard cell.hasPrefix("'"), let second = cell.dropFirst().first, "=+-@\t\r".contains(second) else { return cell }
        return String(cell.dropFirst())
    }
}
