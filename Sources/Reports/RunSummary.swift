import Aggregate

/// The end-of-run text: how many videos per verdict and status, and the most suspicious.
public struct RunSummary: Sendable, Equatable {
    public var total: Int
    public var verdictCounts: [Verdict: Int]
    public var statusCounts: [ScanStatus: Int]
    /// Scored videos, highest p_fake first (ties by path), at most `topCount`.
    public var mostSuspicious: [VideoRow]
    /// Speed and per-stage time of the videos analysed in this run; nil when none was.
    public var timing: RunTiming?

    public init(rows: [VideoRow], topCount: Int = 10, timing: RunTiming? = nil) {
        self.timing = timing
        total = rows.count
        verdictCounts = Dictionary(grouping: rows, by: \.verdict).mapValues(\.count)
        statusCounts = Dictionary(grouping: rows, by: \.status).mapValues(\.count)
        mostSuspicious = Array(
            rows.filter { $0.pFake != nil }
                .sorted { ($0.pFake!, $1.path) > ($1.pFake!, $0.path) }
                .prefix(topCount))
    }

    /// Plain text for a terminal or a log.
    public var text: String {
        var lines = ["Scanned \(total) video\(total == 1 ? "" : "s")."]
        lines.append(
            "Verdicts: " + Verdict.allCases.map { "\($0.rawValue) \(verdictCounts[$0] ?? 0)" }.joined(separator: ", "))
        lines.append(
            "Status:   " + ScanStatus.allCases.map { "\($0.rawValue) \(statusCounts[$0] ?? 0)" }.joined(separator: ", "))
        if !mostSuspicious.isEmpty {
            lines.append("Most suspicious:")
            for (rank, row) in mostSuspicious.enumerated() {
                let score = NumberText.fixed(row.pFake!, digits: 3)
                // One line per video, as the progress lines write it: a newline in a name as \n.
                let path = row.path.replacingOccurrences(of: "\n", with: "\\n")
                lines.append("  \(rank + 1). \(score)  \(row.verdict.rawValue.padding(to: 4))  \(path)")
            }
        }
        return lines.joined(separator: "\n") + "\n" + (timing?.text ?? "")
    }
}

extension String {
    fileprivate func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
