import Foundation

/// Why an evaluation cannot run; each description is one line meant for the user.
public enum EvaluationError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    /// `row` counts records from 1 = the header.
    case badTable(name: String, row: Int, reason: String)
    case missingColumn(name: String, column: String, found: [String])
    case unknownCategoryColumn(String, known: [String])
    case mixedThresholds([Double])
    case nothingMatched(labelExample: String, scoreExample: String)
    /// The labels or the scores list no video at all.
    case nothingToEvaluate(labels: Int, scores: Int)
    /// `eval --compare`: the two score sets share too few labelled videos for an AUC.
    case nothingToCompare(against: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason): return "cannot read \(path): \(reason)"
        case let .badTable(name, row, reason): return "\(name), row \(row): \(reason)"
        case let .missingColumn(name, column, found):
            return "\(name) has no \(column) column (columns: \(found.joined(separator: ", ")))"
        case let .unknownCategoryColumn(column, known):
            let list = known.isEmpty ? "the labels have none" : "known: \(known.joined(separator: ", "))"
            return "no category column '\(column)' in the labels (\(list))"
        case let .mixedThresholds(values):
            return "the scan CSV uses several thresholds (\(values.map { String($0) }.joined(separator: ", "))); "
                + "pass --threshold"
        case let .nothingMatched(label, score):
            return "no scored video matches a labelled one (labels have paths like '\(label)', "
                + "the scores like '\(score)')"
        case let .nothingToEvaluate(labels, scores):
            return "nothing to evaluate: the labels list \(labels) video\(labels == 1 ? "" : "s"), "
                + "the scores \(scores)"
        case let .nothingToCompare(against, reason):
            return "cannot compare with \(against): \(reason)"
        }
    }
}

/// Reads a whole UTF-8 text file, turning any failure into a one-line `EvaluationError`.
/// A leading byte-order mark (spreadsheets write one) is dropped so the header reads clean.
func readText(_ path: String) throws -> String {
    do {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard let text = String(data: data, encoding: .utf8) else {
            throw EvaluationError.unreadable(path: path, reason: "not UTF-8 text")
        }
        return text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
    } catch let error as EvaluationError {
        throw error
    } catch {
        var isFolder: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder)
        let reason = !exists ? "no such file" : isFolder.boolValue ? "is a folder, not a file" : "\(error.localizedDescription)"
        throw EvaluationError.unreadable(path: path, reason: reason)
    }
}
