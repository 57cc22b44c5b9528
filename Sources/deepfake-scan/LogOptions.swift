import ArgumentParser
import Logging
import Reports
import Scan

/// How `scan` reports its progress on standard error: the progress line and one line per
/// video for people (text), or JSON lines for schedulers (json).
struct LogOptions: ParsableArguments {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Option(name: .customLong("log-format"), help: "Progress for people (text) or one JSON object per line (json).")
    var format: Format = .text

    @Option(name: .customLong("log-level"), help: ArgumentHelp(
        "Least important events shown: \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")) "
            + "(debug adds a line as each video starts; warning keeps only failed videos and warnings).",
        valueName: "level"))
    var level: Logger.Level = .info

    /// The progress reporter these options ask for.
    var progress: any ScanProgress {
        switch format {
        case .json:
            return LoggingProgress(logger: Logger(label: "deepfake-scan") { JSONLinesLogHandler(label: $0, level: level) })
        case .text where level <= .info:
            return StandardErrorProgress()
        case .text:
            var handler = StreamLogHandler.standardError(label: "deepfake-scan")
            handler.logLevel = level
            return LoggingProgress(logger: Logger(label: "deepfake-scan") { _ in handler })
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
