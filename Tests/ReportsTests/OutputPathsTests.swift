import Foundation
import Testing
import Reports

/// Output paths are checked before a run (issue 16, defect 2): never an input, a folder, a
/// non-regular file, a missing folder, an unwritable place, or another output; nothing left behind.
@Suite final class OutputPathsTests {
    let root: String

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("outputs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/videos/sub", withIntermediateDirectories: true)
        try Data("video".utf8).write(to: URL(fileURLWithPath: root + "/videos/a.mp4"))
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    private func refusal(_ outputs: [(String, String)], inputs: [String] = []) -> String? {
        do {
            try OutputPaths.check(outputs.map { PlannedOutput(option: $0.0, path: $0.1) }, inputs: inputs, workingDirectory: root)
            return nil
        } catch {
            #expect(!error.description.contains("\n"))
            return error.description
        }
    }

    private func contents(of folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
    }

    @Test func anInputIsNeverAnOutput() throws {
        let video = root + "/videos/a.mp4"
        try FileManager.default.createSymbolicLink(atPath: root + "/link", withDestinationPath: root + "/videos")
        try FileManager.default.linkItem(atPath: video, toPath: root + "/hard.mp4")
        for path in [video, "videos/a.mp4", "videos/sub/../a.mp4", "link/a.mp4", "hard.mp4"] {
            let refused = refusal([("--csv", path)], inputs: [video])
            #expect(refused == "--csv \(path): is one of the inputs and would be overwritten; choose another file")
        }
        #expect(refusal([("--jsonl", "videos/missing.mp4")], inputs: [root + "/link/missing.mp4"]) != nil,
                "a named input that does not exist yet, by its resolved path")
        #expect(try Data(contentsOf: URL(fileURLWithPath: video)) == Data("video".utf8))
    }

    @Test func foldersMissingFoldersAndSpecialFilesAreRefused() {
        #expect(refusal([("--csv", "videos")])?.hasSuffix("is a directory; name a file") == true)
        #expect(refusal([("--csv", "videos/")])?.hasSuffix("names a folder; name a file") == true)
        #expect(refusal([("--csv", "nowhere/out.csv")])?.contains("folder \(root)/nowhere is missing") == true)
        #expect(refusal([("--csv", "videos/a.mp4/out.csv")])?.contains("is not a folder") == true)
        #expect(refusal([("--csv", "/dev/null")])?.hasSuffix("is not a regular file (a device, FIFO or socket); name a file") == true)
        #expect(refusal([("--csv", "")]) != nil)
    }

    @Test func unwritablePlacesAreFoundBeforeTheRun() {
        // Root may write anywhere a mode allows, so a pseudo file system stands in for a read-only folder.
        #expect(refusal([("--csv", "/proc/out.csv")])?.hasPrefix("--csv /proc/out.csv: cannot create files in /proc") == true)
        #expect(refusal([("--store", "/proc/version")])?.hasPrefix("--store /proc/version: cannot create files in /proc") == true)
    }

    @Test func twoOutputsAreNeverTheSameFile() throws {
        #expect(refusal([("--csv", "o.csv"), ("--jsonl", "./o.csv")]) == "--csv and --jsonl both name ./o.csv; give them different files")
        #expect(refusal([("--csv", "o.csv"), ("--store", "videos/sub/../../o.csv")]) != nil)
        try Data().write(to: URL(fileURLWithPath: root + "/existing.csv"))
        try FileManager.default.createSymbolicLink(atPath: root + "/alias.csv", withDestinationPath: root + "/existing.csv")
        #expect(refusal([("--csv", "existing.csv"), ("--store", "alias.csv")]) != nil)
    }

    @Test func goodOutputsPassAndNothingIsLeftOrTruncated() throws {
        let previous = Data("path,status\r\nold row\r\n".utf8)
        try previous.write(to: URL(fileURLWithPath: root + "/out.csv"))
        let before = try contents(of: root)
        #expect(refusal([("--csv", "out.csv"), ("--jsonl", "faces.jsonl"), ("--store", root + "/out.csv.store.sqlite")],
                        inputs: [root + "/videos/a.mp4", root + "/videos"]) == nil)
        #expect(try contents(of: root) == before, "no probe file left, no output created")
        #expect(try Data(contentsOf: URL(fileURLWithPath: root + "/out.csv")) == previous)
    }
}
