import Aggregate
import Foundation

/// What the run was, for the report's header: where the rows came from and how they were made.
public struct HTMLReportRun: Sendable {
    public var title: String
    public var generated: Date
    /// The CSV the report was made from (shown, not read).
    public var source: String?
    /// Speed of the scan that made the rows, when the report comes straight from one.
    public var timing: RunTiming?

    public init(title: String = "deepfake-scan report", generated: Date = Date(), source: String? = nil,
                timing: RunTiming? = nil) {
        self.title = title
        self.generated = generated
        self.source = source
        self.timing = timing
    }
}

/// The summary section's values.
struct SummaryView {
    var title: String
    var generated: String
    var source: String?
    var total: Int
    var verdicts: [Count]
    var statuses: [Count]
    var facts: [VideoCard.Fact]

    struct Count { var name: String; var count: Int }

    init(run: HTMLReportRun, rows: [VideoRow]) {
        title = run.title
        generated = Self.timestamp(run.generated)
        source = run.source
        total = rows.count
        let summary = RunSummary(rows: rows, topCount: 0)
        verdicts = Verdict.allCases.map { Count(name: $0.rawValue, count: summary.verdictCounts[$0] ?? 0) }
        statuses = ScanStatus.allCases.map { Count(name: $0.rawValue, count: summary.statusCounts[$0] ?? 0) }
        func distinct(_ values: [String]) -> String {
            let unique = Array(Set(values)).sorted()
            return unique.isEmpty ? "–" : unique.joined(separator: ", ")
        }
        facts = [
            VideoCard.Fact(name: "model", value: distinct(rows.map(\.model))),
            VideoCard.Fact(name: "threshold", value: distinct(rows.map { NumberText.shortest($0.threshold) })),
            VideoCard.Fact(name: "aggregator", value: distinct(rows.map(\.aggregator))),
            VideoCard.Fact(name: "scan time (sum over videos)",
                           value: Self.duration(rows.map(\.elapsedSeconds).reduce(0, +))),
        ]
        if let timing = run.timing {
            facts.append(VideoCard.Fact(
                name: "this run", value: "\(timing.videosAnalysed) analysed in \(NumberText.fixed(timing.wallSeconds, digits: 1)) s"
                    + (timing.videosPerMinute.map { " (\(NumberText.fixed($0, digits: 1)) videos/min)" } ?? "")))
        }
    }

    /// "5.0 s", "3 min 12 s", "8 h 6 min": a 10,000-video run's seconds are hard to read.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 60 else { return NumberText.fixed(seconds, digits: 1) + " s" }
        let whole = Int(seconds.rounded())
        return whole >= 3600 ? "\(whole / 3600) h \(whole % 3600 / 60) min" : "\(whole / 60) min \(whole % 60) s"
    }

    /// UTC, to the second, the same on every machine.
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date).replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: " UTC")
    }
}
