import Reports

/// Reads the scan's JSONL of face crops (the `FaceRow` contract of Reports).
public enum FaceRows {
    public static func read(path: String) throws -> [FaceRow] {
        let text = try readText(path)
        do { return try FaceRow.parseLines(text) } catch {
            throw EvaluationError.unreadable(path: path, reason: "not the scan's JSONL (\(error))")
        }
    }
}
