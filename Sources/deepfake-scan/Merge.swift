import ArgumentParser
import Foundation
import Reports
import Scan

/// `deepfake-scan merge OUT.csv SHARD.csv…`: the CSVs (and JSONLs) of `scan --shard K/N`
/// runs put back together as one run over the whole input would have written them.
struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merge the outputs of scan --shard K/N runs into one CSV (and JSONL).",
        discussion: """
        Each shard CSV needs the manifest its run wrote beside it (CSV.shard.json). Shards scanned \
        with other settings or another split are refused (exit 2). A missing, repeated or interrupted \
        shard, or a file with rows in two shards, is listed; the rows there are still merged (exit 1). \
        Exit 0: every shard present and complete.
        """
    )

    @Argument(help: "The merged CSV to write.")
    var output: String

    @Argument(help: "The shard CSVs (scan --shard K/N --csv FILE).")
    var shards: [String] = []

    @Option(help: "Also merge the shards' face rows (each shard scanned with --jsonl) into this file.")
    var jsonl: String?

    func validate() throws {
        if shards.isEmpty { throw ValidationError("give the merged CSV, then at least one shard CSV") }
        if jsonl == output { throw ValidationError("the merged CSV and --jsonl must be different files") }
    }

    func run() throws {
        let outcome: ShardMerge.Outcome
        do {
            let planned = [PlannedOutput(option: "OUTPUT", path: output)]
                + (jsonl.map { [PlannedOutput(option: "--jsonl", path: $0)] } ?? [])
            let jsonls = shards.compactMap { try? ShardManifest.read(forCSV: $0).jsonl }
            try OutputPaths.check(planned, inputs: shards + shards.map(ShardManifest.path(forCSV:)) + jsonls)
            outcome = try ShardMerge.merge(shardCSVs: shards, intoCSV: output, jsonl: jsonl)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(EntryPoint.usageErrorCode)
        }
        for problem in outcome.problems { FileHandle.standardError.write(Data("warning: \(problem)\n".utf8)) }
        print("Merged \(shards.count) shard\(shards.count == 1 ? "" : "s"): \(outcome.rows) rows → \(output)"
            + (jsonl.map { ", face rows → \($0)" } ?? ""))
        if !outcome.problems.isEmpty { throw ExitCode(1) }
    }
}
