import Foundation
import Aggregate
import ArgumentParser
import Testing
import Reports
import Scan
@testable import deepfake_scan

@Suite struct ScanArgumentsTests {
    @Test func defaultsBuildTheContractRequest() throws {
        let arguments = try ScanArguments.parse(["videos", "--csv", "out.csv"])
        let request = try arguments.request(model: "meso4", frames: 32, cardThreshold: 0.62)
        #expect(request.paths == ["videos"])
        #expect(request.options.configuration.fingerprint == "aggregator=mean;frames=32;model=meso4;threshold=0.62")
        #expect(request.options.jobs == RunLimits.defaultJobs)
        #expect(request.options.timeoutSeconds == 300)
        #expect(request.options.rescan == false)
        #expect(request.layout == .standard)
        #expect(request.storePath == "out.csv.store.sqlite")
        #expect(request.discovery == DiscoveryOptions())
        #expect(try arguments.request(model: "meso4", frames: 32, cardThreshold: nil).options.configuration.threshold == 0.5)
    }

    /// One video per core unless --jobs says otherwise (issue 16: it was 1, half the speed on 2 cores).
    @Test func jobsDefaultToTheNumberOfCores() throws {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        #expect(RunLimits.defaultJobs == min(max(1, cores), RunLimits.maximumJobs))
        #expect(try ScanArguments.parse(["v", "--csv", "o.csv"]).request(model: "m", frames: 1, cardThreshold: nil)
            .options.jobs == max(1, cores))
        #expect(try Eval.parse(["labels.tsv"]).scan.limits.jobCount == max(1, cores))
        #expect(try ScanArguments.parse(["v", "--csv", "o.csv", "-j", "1"]).limits.jobCount == 1)
        #expect(ScanCommand.helpMessage(columns: 200).contains("Videos analysed at the same time (default: the number of cores)."))
    }

    @Test func logOptions() throws {
        let json = try ScanCommand.parse(["v", "--csv", "o.csv", "--log-format", "json", "--log-level", "warning"])
        #expect(json.logs.format == .json && json.logs.level == .warning)
        #expect(json.logs.progress is LoggingProgress)
        #expect(try ScanCommand.parse(["v", "--csv", "o.csv"]).logs.progress is StandardErrorProgress)
        #expect(try ScanCommand.parse(["v", "--csv", "o.csv", "--log-level", "error"]).logs.progress is LoggingProgress)
        #expect(throws: (any Error).self) { try ScanCommand.parse(["v", "--csv", "o.csv", "--log-format", "xml"]) }
        #expect(throws: (any Error).self) { try ScanCommand.parse(["v", "--csv", "o.csv", "--log-level", "loud"]) }
    }

    @Test func everyOptionReachesTheRequest() throws {
        let arguments = try ScanArguments.parse([
            "a.mp4", "dir", "-r", "--from-list", "list.txt", "--ext", "mp4,MKV", "--include-hidden", "--model", "mesoinception4", "--weights", "w.safetensors",
            "--aggregator", "confident", "--threshold", "0.7", "--csv", "o.csv", "--format", "kaggle", "--jsonl", "f.jsonl",
            "-j", "3", "--timeout", "0", "--store", "s.sqlite", "--rescan",
        ])
        let request = try arguments.request(model: "mesoinception4", frames: 16, cardThreshold: 0.62, extra: ["margin": "1.3"])
        #expect(request.paths == ["a.mp4", "dir"])
        #expect(arguments.model == ["mesoinception4"] && arguments.weights == ["w.safetensors"] && arguments.modelCount == 1)
        #expect(request.listFile == "list.txt")
        #expect(request.discovery == DiscoveryOptions(recursive: true, includeHidden: true, extensions: ["mp4", "mkv"]))
        #expect(request.options.configuration.fingerprint
            == "aggregator=confident;frames=16;margin=1.3;model=mesoinception4;threshold=0.7")
        #expect(request.layout == .kaggle)
        #expect(request.jsonlPath == "f.jsonl")
        #expect(request.options.jobs == 3)
        #expect(request.options.timeoutSeconds == nil)
        #expect(request.options.rescan)
        #expect(request.storePath == "s.sqlite")
    }

    /// The enum options parse as the library's names do (case ignored) and fill the request.
    @Test func aggregatorAndFormatAreEnums() throws {
        let arguments = try ScanArguments.parse(["v", "--csv", "o.csv", "--aggregator", "Median", "--format", "kaggle"])
        #expect(arguments.aggregator == .median && arguments.format == .kaggle)
        #expect(try ScanArguments.parse(["v", "--csv", "o.csv"]).aggregator == Aggregator.default)
        #expect(Aggregator.allValueStrings == Aggregator.allCases.map(\.rawValue))
    }

    @Test(arguments: [
        ["--csv", "o.csv"],
        ["v", "--csv", "o.csv", "--resume", "--rescan"],
        ["v", "--csv", "o.csv", "--aggregator", "average"],
        ["v", "--csv", "o.csv", "--format", "xlsx"],
        ["v", "--csv", "o.csv", "--threshold", "1.5"],
        ["v", "--csv", "o.csv", "--jobs", "0"],
        ["v", "--csv", "o.csv", "--timeout", "-1"],
        ["v", "--csv", "o.csv", "--ext", ", ,"],
        ["v", "--csv", "o.csv", "--jsonl", "o.csv"],
        ["v"],
        ["v", "--csv", "o.csv", "--shard", "5/4"],
    ])
    func rejectsBadCombinations(_ arguments: [String]) {
        #expect(throws: (any Error).self) { try ScanArguments.parse(arguments) }
    }
}
