import ArgumentParser
import Foundation
import Testing
import Reports
import Scan
@testable import deepfake_scan

/// `deepfake-scan merge`'s exit codes: 0 all shards there, 1 merged with problems listed, 2 refused.
@Suite struct MergeCommandTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("merge-\(UUID().uuidString)").path

    func shardCSV(_ index: Int, of count: Int, path: String, configuration: String = "frames=8;model=m") throws -> String {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let csv = "\(root)/shard-\(index)-\(configuration.count).csv"
        let row = VideoRow(path: path, status: .ok, pFake: 0.25, verdict: .real, threshold: 0.5, model: "m",
                           aggregator: "mean", framesSampled: 8, framesWithFace: 8, faceTracks: 1, durationSeconds: 2,
                           width: 64, height: 64, codec: "h264", elapsedSeconds: 0.5, error: nil)
        try ReportWriter.writeCSV([row], layout: .standard, to: URL(fileURLWithPath: csv))
        try ShardManifest(shard: try Shard(index: index, count: count), configuration: configuration, layout: "standard",
                          discovered: count, complete: true, jsonl: nil, order: [index - 1]).write(forCSV: csv)
        return csv
    }

    func exitCode(_ arguments: [String]) throws -> Int32 {
        do { try Merge.parse(arguments).run() } catch let code as ExitCode { return code.rawValue }
        return 0
    }

    @Test func exitCodes() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let one = try shardCSV(1, of: 2, path: "/v/b.mp4")
        let two = try shardCSV(2, of: 2, path: "/v/a.mp4")
        let out = root + "/merged.csv"
        #expect(try exitCode([out, two, one]) == 0)
        #expect(try ReportWriter.readCSV(at: URL(fileURLWithPath: out)).map(\.path) == ["/v/b.mp4", "/v/a.mp4"])
        #expect(try exitCode([out, one]) == 1)
        let mixed = try shardCSV(2, of: 2, path: "/v/a.mp4", configuration: "frames=16;model=m")
        #expect(try exitCode([out, one, mixed]) == 2)
        #expect(try exitCode([one, one, two]) == 2)  // the output would overwrite an input
        #expect(throws: (any Error).self) { try Merge.parse([out]) }
        #expect(throws: (any Error).self) { try Merge.parse([out, one, "--jsonl", out]) }
    }
}
