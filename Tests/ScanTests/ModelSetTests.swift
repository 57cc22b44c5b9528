import Foundation
import Testing
import Aggregate
import Reports
@testable import Scan

/// Runs with several models in one pass (`scan --model A --model B`), on text "videos": the
/// per-model CSV columns, the ensemble verdict, the store, and merge.
@Suite struct ModelSetTests {
    /// Model "a" says what the text file says; model "b" half of it.
    struct TwoModelAnalyzer: VideoAnalyzer {
        let text = TextAnalyzer()
        /// Which model's scores to report alone (a single-model run of that model); nil: both.
        var only: Int?

        func analyze(path: String) async throws -> AnalyzedVideo {
            var video = try await text.analyze(path: path)
            video.faces = video.faces.map { face in
                let scores = [face.score.pFake, face.score.pFake / 2]
                var scored = face
                if let only { scored.score.pFake = scores[only] } else { scored.modelScores = scores }
                return scored
            }
            return video
        }
    }

    static let members = [ModelMember(name: "a", threshold: 0.5), ModelMember(name: "b", threshold: 0.3)]

    static func configuration(_ members: [ModelMember] = members, ensemble: EnsembleRule? = nil) -> RunConfiguration {
        RunConfiguration(models: members, ensemble: ensemble, frames: 8, aggregator: .mean)
    }

    func run(_ fixture: TextVideoFixture, _ configuration: RunConfiguration, analyzer: TwoModelAnalyzer = TwoModelAnalyzer(),
             name: String, shard: Shard? = nil) async throws -> (csv: String, result: ScanResult) {
        let csv = fixture.root + "/\(name).csv"
        let request = ScanRequest(
            paths: [fixture.videos], options: ScanOptions(configuration: configuration, jobs: 2), csvPath: csv,
            jsonlPath: fixture.root + "/\(name).jsonl", storePath: fixture.root + "/\(name).sqlite", shard: shard)
        return (csv, try await ScanJob(request: request, analyzer: analyzer).run())
    }

    static func records(_ path: String) throws -> [[String]] {
        try ShardTests.timeless(path)
    }

    /// Each model's columns hold what a run of that model alone puts in `p_fake`/`verdict`;
    /// the contract's columns are the first model's.
    @Test func perModelColumnsEqualSeparateRuns() async throws {
        let fixture = try TextVideoFixture()
        defer { fixture.remove() }
        let both = try await run(fixture, Self.configuration(), name: "both")
        let header = try #require(try Self.records(both.csv).first)
        #expect(header == VideoRow.csvHeader + ["p_fake.a", "verdict.a", "p_fake.b", "verdict.b"])
        let rows = try ReportWriter.readCSV(at: URL(fileURLWithPath: both.csv))
        for (index, member) in Self.members.enumerated() {
            let alone = try await run(fixture, RunConfiguration(model: member.name, frames: 8, aggregator: .mean,
                                                                threshold: member.threshold),
                                      analyzer: TwoModelAnalyzer(only: index), name: "alone-\(member.name)")
            let single = try Self.records(alone.csv)
            #expect(single[0] == VideoRow.csvHeader, "one model: the contract's columns only")
            let pColumn = header.firstIndex(of: "p_fake.\(member.name)")!
            let combined = try Self.records(both.csv)
            for (one, many) in zip(single.dropFirst(), combined.dropFirst()) {
                #expect(many[pColumn] == one[2] && many[pColumn + 1] == one[3], "\(one[0]): \(member.name)")
                if index == 0 { #expect(Array(many.prefix(VideoRow.csvHeader.count)) == one) }
            }
        }
        let fake = try #require(rows.first { $0.path.hasSuffix("12 fake.mp4") })
        #expect(fake.models == [ModelScore(model: "a", pFake: 0.8, verdict: .fake), ModelScore(model: "b", pFake: 0.4, verdict: .fake)])
        let broken = try #require(rows.first { $0.status == .error })
        let text = try String(contentsOfFile: both.csv, encoding: .utf8)
        #expect(broken.models.allSatisfy { $0.pFake == nil && $0.verdict == .unknown } && text.contains(",,unknown,,unknown\r\n"))
        let faces = try FaceRow.parseLines(String(contentsOfFile: fixture.root + "/both.jsonl", encoding: .utf8))
        #expect(!faces.isEmpty && faces.allSatisfy { $0.pFakeByModel == ["a": $0.pFake, "b": $0.pFake / 2] })
    }

    /// `--ensemble mean`: the mean of the models' video p_fake against the mean of their thresholds.
    @Test func ensembleMeanIsTheMainVerdict() async throws {
        let fixture = try TextVideoFixture()
        defer { fixture.remove() }
        let rule = EnsembleRule(threshold: EnsembleRule.defaultThreshold(of: Self.members))
        #expect(rule.threshold == 0.4)
        let run = try await run(fixture, Self.configuration(ensemble: rule), name: "ensemble")
        let rows = try ReportWriter.readCSV(at: URL(fileURLWithPath: run.csv))
        for row in rows where row.status == .ok {
            let mean = (row.models[0].pFake! + row.models[1].pFake!) / 2
            #expect(abs(row.pFake! - mean) < 1e-6, "\(row.path)")
            #expect(row.verdict == (row.pFake! >= 0.4 ? .fake : .real) && row.model == "a+b" && row.threshold == 0.4)
        }
        let fake = try #require(rows.first { $0.path.hasSuffix("12 fake.mp4") })
        #expect(abs(fake.pFake! - 0.6) < 1e-6 && fake.verdict == .fake)
        // Face rows: the mean of the models' crop scores.
        let faces = try FaceRow.parseLines(String(contentsOfFile: fixture.root + "/ensemble.jsonl", encoding: .utf8))
        #expect(faces.allSatisfy { abs($0.pFake - ($0.pFakeByModel!["a"]! + $0.pFakeByModel!["b"]!) / 2) < 1e-12 })
    }

    /// A second run reuses every stored video with its per-model columns; another model set
    /// (or threshold) is another configuration and scans again.
    @Test func storeResumesWithTwoModels() async throws {
        let fixture = try TextVideoFixture()
        defer { fixture.remove() }
        let first = try await run(fixture, Self.configuration(), name: "store")
        let firstCSV = try Self.records(first.csv)
        let firstJSONL = try String(contentsOfFile: fixture.root + "/store.jsonl", encoding: .utf8)
        let again = TwoModelAnalyzer()
        let second = try await run(fixture, Self.configuration(), analyzer: again, name: "store")
        // Only the broken file (an error row, maybe not stored) may be analysed again.
        #expect(again.text.calls.byPath.keys.allSatisfy { $0.hasSuffix("09 broken.mp4") }, "\(again.text.calls.byPath)")
        #expect(second.result.reused >= first.result.rows.count - 1)
        #expect(try Self.records(second.csv) == firstCSV)
        #expect(try String(contentsOfFile: fixture.root + "/store.jsonl", encoding: .utf8) == firstJSONL)
        let other = TwoModelAnalyzer()
        let changed = [ModelMember(name: "a", threshold: 0.5), ModelMember(name: "b", threshold: 0.35)]
        _ = try await run(fixture, Self.configuration(changed), analyzer: other, name: "store")
        #expect(other.text.calls.byPath.count == first.result.rows.count)
        #expect(Self.configuration(changed).fingerprint != Self.configuration().fingerprint)
        #expect(Self.configuration().fingerprint.contains("models=a@0.5,b@0.3"))
    }

    @Test func mergeRefusesMixedModelSets() async throws {
        let fixture = try TextVideoFixture()
        defer { fixture.remove() }
        let one = try await run(fixture, Self.configuration(), name: "one", shard: try Shard(index: 1, count: 2)).csv
        let single = RunConfiguration(model: "a", frames: 8, aggregator: .mean, threshold: 0.5)
        let two = try await run(fixture, single, analyzer: TwoModelAnalyzer(only: 0), name: "two",
                                shard: try Shard(index: 2, count: 2)).csv
        let merged = fixture.root + "/merged.csv"
        #expect(throws: ShardMergeError.refused("mixed model sets: \(one) has a, b, \(two) has a")) {
            try ShardMerge.merge(shardCSVs: [one, two], intoCSV: merged)
        }
        // Both shards with the same two models merge, columns and all.
        let twoBoth = try await run(fixture, Self.configuration(), name: "two-both", shard: try Shard(index: 2, count: 2)).csv
        let outcome = try ShardMerge.merge(shardCSVs: [one, twoBoth], intoCSV: merged)
        #expect(outcome.problems.isEmpty)
        let all = try await run(fixture, Self.configuration(), name: "all").csv
        #expect(try Self.records(merged) == Self.records(all))
    }
}
