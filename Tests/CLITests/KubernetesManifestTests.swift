import Foundation
import Testing
import Yams
@testable import deepfake_scan

/// Pipelines/cluster/k8s-indexed-job.yaml: no cluster runs it here, so its structure is checked
/// and every deepfake-scan command line in it must parse with this tree's CLI, so the manifest
/// cannot drift from the options it uses.
@Suite struct KubernetesManifestTests {
    static let manifest = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Pipelines/cluster/k8s-indexed-job.yaml").standardizedFileURL

    func jobs() throws -> [[String: Any]] {
        let text = try String(contentsOf: Self.manifest, encoding: .utf8)
        return try Yams.load_all(yaml: text).map { try #require($0 as? [String: Any]) }
    }

    /// The `sh -c` script of a Job's only container.
    func script(_ job: [String: Any]) throws -> String {
        let spec = try #require(job["spec"] as? [String: Any])
        let pod = try #require((spec["template"] as? [String: Any])?["spec"] as? [String: Any])
        #expect(pod["restartPolicy"] as? String == "OnFailure")
        let containers = try #require(pod["containers"] as? [[String: Any]])
        #expect(containers.count == 1)
        #expect(containers[0]["command"] as? [String] == ["/bin/sh", "-c"])
        return try #require((containers[0]["args"] as? [String])?.first)
    }

    /// The words of the script line that runs `deepfake-scan SUBCOMMAND`, with `$k` set.
    func commandLine(_ script: String, _ subcommand: String, k: Int) throws -> [String] {
        let line = try #require(script.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("deepfake-scan \(subcommand) ") })
        let words = String(line).replacingOccurrences(of: "$k", with: String(k)).replacingOccurrences(of: "\"", with: "").split(separator: " ").map(String.init)
        return Array(words.drop { $0 != subcommand }.dropFirst())
    }

    @Test func theShardJobIsIndexedAndItsScanLineParses() throws {
        let all = try jobs()
        #expect(all.count == 2)
        let shards = all[0]
        #expect(shards["apiVersion"] as? String == "batch/v1" && shards["kind"] as? String == "Job")
        let spec = try #require(shards["spec"] as? [String: Any])
        #expect(spec["completionMode"] as? String == "Indexed")
        let completions = try #require(spec["completions"] as? Int)
        let text = try script(shards)
        #expect(text.contains("k=$((JOB_COMPLETION_INDEX + 1))"))
        for k in 1...completions {
            let command = try ScanCommand.parse(try commandLine(text, "scan", k: k))
            #expect(command.arguments.shard == "\(k)/\(completions)")
            #expect(command.arguments.csv == "/out/shard-\(k).csv" && command.arguments.store == "/out/shard-\(k).store.sqlite")
        }
    }

    @Test func theMergeJobWaitsForEveryShardAndItsLineParses() throws {
        let all = try jobs()
        let completions = try #require((all[0]["spec"] as? [String: Any])?["completions"] as? Int)
        let text = try script(all[1])
        let merge = try Merge.parse(try commandLine(text, "merge", k: 0))
        #expect(merge.output == "/out/verdicts.csv")
        #expect(merge.shards == (1...completions).map { "/out/shard-\($0).csv" })
        #expect(text.contains("for k in \((1...completions).map(String.init).joined(separator: " ")); do"))
        #expect(merge.jsonl == "/out/faces.jsonl")
    }
}
