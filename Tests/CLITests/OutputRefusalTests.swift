import Foundation
import Testing

/// The built binary refuses bad output paths at once, with one line and exit 2, before loading
/// a model or reading a video, and leaves every file as it was (issue 16, defect 2).
@Suite final class OutputRefusalTests {
    let root: String
    let video: String
    let original: Data

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("refusal-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/dir", withIntermediateDirectories: true)
        video = root + "/dir/victim.mp4"
        original = try Data(contentsOf: ScanEndToEndTests.packageRoot.appendingPathComponent("Samples/astronaut_real.mp4"))
        try original.write(to: URL(fileURLWithPath: video))
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    private func refused(_ arguments: [String], saying expected: String) throws {
        let result = try ExitCodeTests.run(arguments)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1 && result.stderr.contains(expected), "\(arguments): \(result.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: video)) == original, "the video is untouched")
    }

    private func files() throws -> [String] {
        try FileManager.default.subpathsOfDirectory(atPath: root).sorted()
    }

    @Test func aCSVOrJSONLNamingAnInputVideoIsRefused() throws {
        let before = try files()
        try refused(["scan", root + "/dir", "--csv", video], saying: "--csv \(video): is one of the inputs")
        try refused(["scan", root + "/dir", "--csv", root + "/out.csv", "--jsonl", root + "/dir/../dir/victim.mp4"],
                    saying: "is one of the inputs")
        try refused(["scan", video, "--csv", root + "/out.csv", "--store", video], saying: "--store \(video): is one of the inputs")
        #expect(try files() == before, "no CSV, store or probe file was left")
    }

    @Test func foldersUnwritablePlacesAndSameFilesAreRefusedBeforeTheWork() throws {
        try refused(["scan", root + "/dir", "--csv", root + "/dir"], saying: "is a directory")
        try refused(["scan", root + "/dir", "--csv", "/proc/x.csv", "--store", root + "/s.db"], saying: "cannot create files in /proc")
        try refused(["scan", root + "/dir", "--csv", root + "/missing/out.csv"], saying: "is missing")
        try refused(["scan", root + "/dir", "--csv", root + "/o.csv", "--jsonl", root + "/./o.csv"], saying: "both name")
        #expect(!FileManager.default.fileExists(atPath: root + "/s.db"))
    }

    /// The files a run writes besides its outputs, and the pipeline file of `run`, are not
    /// outputs to name either.
    @Test func theShardManifestAndThePipelineFileAreNeverOverwritten() throws {
        try refused(["scan", root + "/dir", "--csv", root + "/s.csv", "--jsonl", root + "/s.csv.shard.json", "--shard", "1/1"],
                    saying: "--jsonl and the shard manifest both name")
        let pipeline = root + "/self.yml"
        let text = Data("inputs:\n  paths: [\(video)]\noutputs:\n  csv: \(pipeline)\n".utf8)
        try text.write(to: URL(fileURLWithPath: pipeline))
        try refused(["run", pipeline], saying: "--csv \(pipeline): is one of the inputs")
        #expect(try Data(contentsOf: URL(fileURLWithPath: pipeline)) == text)
    }

    @Test func anExistingCSVIsKeptWhenAnotherOutputIsRefused() throws {
        let csv = root + "/out.csv"
        let previous = Data("an earlier run\r\n".utf8)
        try previous.write(to: URL(fileURLWithPath: csv))
        try refused(["scan", root + "/dir", "--csv", csv, "--jsonl", root + "/missing/f.jsonl"], saying: "--jsonl")
        #expect(try Data(contentsOf: URL(fileURLWithPath: csv)) == previous)
    }

    @Test func evalAndFramesRefuseToOverwriteTheirInputs() throws {
        let labels = root + "/dir/labels.csv"
        let table = Data("path,label\nvictim.mp4,real\n".utf8)
        try table.write(to: URL(fileURLWithPath: labels))
        try refused(["eval", labels, "--csv", labels], saying: "is one of the inputs")
        #expect(try Data(contentsOf: URL(fileURLWithPath: labels)) == table)
        try refused(["eval", labels, "--csv", root + "/dir", "--perturb", "jpeg:40"], saying: "is a directory")
        try refused(["frames", video, "--out", video], saying: "error: --out \(video): is a file; name a folder\n")
        try refused(["frames", video, "--out", "/proc/frames"], saying: "error: --out /proc/frames: cannot create the folder (")
        // explain too: one line, not Foundation's error text (the image is not read before).
        try refused(["explain", root + "/dir/face.png", "--out", video], saying: "error: --out \(video): is a file; name a folder\n")
    }
}
