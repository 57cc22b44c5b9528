import Foundation
import Testing
import Reports
@testable import Scan

@Suite struct ShardTests {
    static let configuration = RunConfiguration(model: "text", frames: 8, aggregator: .mean, threshold: 0.5)

    @Test(arguments: ["0/4", "5/4", "1/0", "-1/2", "a/b", "4", "1/2/3", "", "/"])
    func rejectsBadSpecifications(_ text: String) {
        #expect(throws: ShardError.badSpecification(text)) { try Shard(parsing: text) }
    }

    @Test func parsesKOfN() throws {
        #expect(try Shard(parsing: "2/4") == Shard(index: 2, count: 4))
        #expect(try Shard(parsing: "1/1").description == "1/1")
    }

    /// FNV-1a 64 of the path's bytes, so a script in any language finds a file's shard.
    /// Python: h = 0xcbf29ce484222325; for b in path: h = ((h ^ b) * 0x100000001b3) % 2**64.
    @Test func theHashIsFNV1aOfThePathBytes() {
        let pinned: UInt64 = 0xc5d1_194d_e4ac_7b07 // Python's value for this path
        #expect(Shard.shardIndex(of: "/videos/a.mp4", count: 4) == Int(pinned % 4) + 1)
        #expect(Shard.shardIndex(of: "/videos/a.mp4", count: 1_000_003) == Int(pinned % 1_000_003) + 1)
        // A name that is not UTF-8 hashes its real bytes, not its file:// text.
        #expect(Shard.shardIndex(of: "file:///v/%FF.mp4", count: 1_000_003)
            == Self.fnv(Array("/v/".utf8) + [0xFF] + Array(".mp4".utf8)) % 1_000_003 + 1)
    }

    /// Every file in exactly one shard, shards of similar size, and a file's shard unaffected
    /// by the other files (adding files never moves one already scanned).
    @Test func partitionsEveryPathOnceAndStably() throws {
        let paths = (0..<2_000).map { "/archive/\($0 % 7)/clip \($0).mp4" }
        let shards = try (1...4).map { try Shard(index: $0, count: 4) }
        for path in paths { #expect(shards.filter { $0.contains(path: path) }.count == 1) }
        let sizes = shards.map { shard in paths.filter(shard.contains).count }
        #expect(sizes.allSatisfy { (400...600).contains($0) }, "\(sizes)")
        let before = paths.prefix(500).map { Shard.shardIndex(of: $0, count: 4) }
        #expect(before == paths.prefix(500).map { Shard.shardIndex(of: $0, count: 4) })
    }

    /// Four shards merged give what one run gives, byte for byte but for `elapsed_s`: rows in
    /// discovery order (names with commas, quotes, newlines, formulas, non-ASCII), face rows too.
    @Test func fourShardsMergedEqualOneRun() async throws {
        let fixture = try TextVideoFixture()
        defer { fixture.remove() }
        let single = try await run(fixture, shard: nil, name: "all")
        #expect(single.rows.count == 12)
        var shardCSVs: [String] = []
        for index in 1...4 {
            let csv = try await run(fixture, shard: try Shard(index: index, count: 4), name: "part\(index)").csv
            shardCSVs.append(csv)
            let manifest = try ShardManifest.read(forCSV: csv)
            #expect(manifest.discovered == 12 && manifest.complete && manifest.shard.index == index)
        }
        let merged = fixture.root + "/merged.csv"
        let outcome = try ShardMerge.merge(shardCSVs: shardCSVs.reversed(), intoCSV: merged, jsonl: fixture.root + "/merged.jsonl")
        #expect(outcome == ShardMerge.Outcome(rows: 12, problems: []))
        #expect(try Self.timeless(merged) == Self.timeless(single.csv))
        #expect(try String(contentsOfFile: fixture.root + "/merged.jsonl", encoding: .utf8)
            == String(contentsOfFile: single.jsonl, encoding: .utf8))
    }

    @Test func gapsRepeatsAndInterruptionsAreListedAndTheRestMerged() async throws {
        let fixture = try TextVideoFixture()
        defer { fixture.remove() }
        let one = try await run(fixture, shard: try Shard(index: 1, count: 3), name: "one").csv
        let two = try await run(fixture, shard: try Shard(index: 2, count: 3), name: "two").csv
        let stop = StopSignal()
        stop.request("test")
        let stopped = try await run(fixture, shard: try Shard(index: 3, count: 3), name: "three", stop: stop).csv
        let merged = fixture.root + "/merged.csv"

        let gap = try ShardMerge.merge(shardCSVs: [one, two, two], intoCSV: merged)
        #expect(gap.problems.contains("shard 2/3 is given twice (\(two), \(two))"))
        #expect(gap.problems.contains("missing shard 3/3: their files have no rows"))
        #expect(gap.rows == (try ReportWriter.readCSV(at: URL(fileURLWithPath: one)).count
            + ReportWriter.readCSV(at: URL(fileURLWithPath: two)).count))

        let interrupted = try ShardMerge.merge(shardCSVs: [one, two, stopped], intoCSV: merged)
        #expect(interrupted.problems == ["shard 3/3 (\(stopped)) was interrupted: run it again to finish it"])
    }

    /// Shards that found other files (here: each leaves a different file out) put together
    /// as many rows as files, yet not the same files: listed, not merged silently.
    @Test func shardsThatFoundOtherFilesAreListed() async throws {
        let fixture = try TextVideoFixture()
        defer { fixture.remove() }
        let one = try await run(fixture, shard: try Shard(index: 1, count: 2), name: "one", exclude: ["01 plain.mp4"]).csv
        let two = try await run(fixture, shard: try Shard(index: 2, count: 2), name: "two", exclude: ["11 real.mp4"]).csv
        let merged = try ShardMerge.merge(shardCSVs: [one, two], intoCSV: fixture.root + "/merged.csv")
        #expect(merged.problems == ["the shards found different files (other inputs, --include/--exclude, or another "
            + "order): files may be missing or doubled"])
    }

    @Test func refusesMixedRunsAndCSVsWithoutManifest() async throws {
        let fixture = try TextVideoFixture()
        defer { fixture.remove() }
        let one = try await run(fixture, shard: try Shard(index: 1, count: 2), name: "one").csv
        let other = try await run(fixture, shard: try Shard(index: 2, count: 2), name: "other",
                                  configuration: RunConfiguration(model: "text", frames: 16, aggregator: .mean, threshold: 0.5)).csv
        let split = try await run(fixture, shard: try Shard(index: 2, count: 3), name: "split").csv
        let plain = try await run(fixture, shard: nil, name: "plain").csv
        let merged = fixture.root + "/merged.csv"
        #expect(throws: ShardMergeError.self) { try ShardMerge.merge(shardCSVs: [one, other], intoCSV: merged) }
        #expect(throws: ShardMergeError.self) { try ShardMerge.merge(shardCSVs: [one, split], intoCSV: merged) }
        #expect(throws: ShardMergeError.refused(
            "\(plain) has no shard manifest \(plain).shard.json (written by scan --shard K/N)")) {
            try ShardMerge.merge(shardCSVs: [one, plain], intoCSV: merged)
        }
        #expect(!FileManager.default.fileExists(atPath: merged))
    }

    // MARK: helpers

    private func run(_ fixture: TextVideoFixture, shard: Shard?, name: String, stop: StopSignal = StopSignal(),
                     configuration: RunConfiguration = configuration,
                     exclude: [String] = []) async throws -> (csv: String, jsonl: String, rows: [VideoRow]) {
        let csv = fixture.root + "/\(name).csv"
        let jsonl = fixture.root + "/\(name).jsonl"
        var discovery = DiscoveryOptions()
        discovery.exclude = exclude.map(PathGlob.init)
        let request = ScanRequest(
            paths: [fixture.videos], discovery: discovery, options: ScanOptions(configuration: configuration, jobs: 2),
            csvPath: csv, jsonlPath: jsonl, storePath: csv + ".store.sqlite", shard: shard)
        let result = try await ScanJob(request: request, analyzer: TextAnalyzer()).run(stop: stop)
        return (csv, jsonl, result.rows)
    }

    /// The CSV's records with the elapsed_s cells blanked (timings differ between runs).
    static func timeless(_ path: String) throws -> [[String]] {
        let records = try CSV.parse(String(contentsOfFile: path, encoding: .utf8))
        guard let column = records.first?.firstIndex(of: "elapsed_s") else { return records }
        return records.map { record in
            var copy = record
            if copy[0] != "path" { copy[column] = "" }
            return copy
        }
    }

    static func fnv(_ bytes: [UInt8]) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return Int(hash % 1_000_003)
    }
}
