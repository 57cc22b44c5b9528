import Foundation
import Logging
import Testing
import Reports
@testable import Scan

/// `--log-format json`: one JSON object per line per event, each with the run id; a video's
/// line carries its file, status, score, verdict and duration.
@Suite struct LoggingProgressTests {
    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var collected: [String] = []
        func append(_ line: String) { lock.withLock { collected.append(line) } }
        var all: [String] { lock.withLock { collected } }
    }

    static func objects(_ lines: [String]) throws -> [[String: Any]] {
        try lines.map { line in
            #expect(line.hasSuffix("\n") && line.dropLast().firstIndex(of: "\n") == nil, "one line per event: \(line)")
            return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }

    @Test func aScanLogsOneLinePerVideoWithTheRunID() async throws {
        let fixture = try TextVideoFixture()
        defer { fixture.remove() }
        let lines = Lines()
        let logger = Logger(label: "test") { JSONLinesLogHandler(label: $0, level: .info, write: lines.append) }
        let request = ScanRequest(
            paths: [fixture.videos], options: ScanOptions(configuration: ScanJobTests.configuration, jobs: 2),
            csvPath: fixture.root + "/out.csv")
        _ = try await ScanJob(request: request, analyzer: TextAnalyzer()).run(progress: LoggingProgress(logger: logger, runID: "run-1"))
        let events = try Self.objects(lines.all)
        #expect(events.count == 14)
        #expect(events.allSatisfy { $0["run_id"] as? String == "run-1" && $0["time"] is String })
        #expect(events.first?["message"] as? String == "run started" && events.first?["videos"] as? Int == 12)
        #expect(events.last?["message"] as? String == "run ended" && events.last?["interrupted"] as? Bool == false)
        let videos = events.filter { $0["file"] != nil }
        #expect(Set(videos.compactMap { $0["file"] as? String }) == Set(TextVideoFixture.names.map { fixture.videos + "/" + $0 }))
        let broken = try #require(videos.first { ($0["file"] as? String)?.hasSuffix("09 broken.mp4") == true })
        #expect(broken["level"] as? String == "warning" && broken["status"] as? String == "error")
        #expect((broken["error"] as? String)?.contains("moov atom not found") == true)
        let fake = try #require(videos.first { ($0["file"] as? String)?.hasSuffix("12 fake.mp4") == true })
        #expect(fake["verdict"] as? String == "fake" && (fake["p_fake"] as? Double).map { abs($0 - 0.8) < 1e-9 } == true)
        #expect(fake["duration_s"] is Double)
    }

    @Test func theLevelFiltersAndDebugAddsVideoStarts() async throws {
        let fixture = try TextVideoFixture()
        defer { fixture.remove() }
        for (level, expected) in [(Logger.Level.warning, 1), (.debug, 26)] {
            let lines = Lines()
            let logger = Logger(label: "test") { JSONLinesLogHandler(label: $0, level: level, write: lines.append) }
            let request = ScanRequest(paths: [fixture.videos], options: ScanOptions(configuration: ScanJobTests.configuration),
                                      csvPath: fixture.root + "/out-\(level).csv")
            _ = try await ScanJob(request: request, analyzer: TextAnalyzer()).run(progress: LoggingProgress(logger: logger))
            #expect(lines.all.count == expected, "\(level)")
        }
    }
}
