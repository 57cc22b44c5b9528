import Foundation
import Reports
import Testing
import TestSupport

/// The project's own bundled model as users get it: no ../shared, no --weights.
@Suite(.serialized) struct BundledModelTests {
    static let bundledName = "sbi-efficientnet-lite0"
    static let defaultName = "video-efficientnet-lite0-x2"

    static var missing: String? {
        if !FileManager.default.fileExists(atPath: ScanEndToEndTests.yuface.path) { return "no YuNet (run `make setup-yuface`)" }
        if ExitCodeTests.binary == nil { return "deepfake-scan not built" }
        return nil
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let finished = try ChildProcess.run(
            try #require(ExitCodeTests.binary).path, arguments,
            environment: ["DEEPFAKE_SCAN_WEIGHTS": nil],  // the bundled choice is under test
            directory: ScanEndToEndTests.packageRoot, stdout: .discard)
        return (finished.status, finished.stderrText)
    }

    /// Scans the real and the blended sample with `model` (nil: the default) and checks both verdicts.
    static func tellsTheSamplesApart(model: String?, expectedName: String) throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("bundled-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: out) }
        let csv = out.appendingPathComponent("out.csv").path
        let samples = ScanEndToEndTests.packageRoot.appendingPathComponent("Samples")
        let result = try run(["scan", samples.appendingPathComponent("astronaut_real.mp4").path,
                              samples.appendingPathComponent("astronaut_blended.mp4").path,
                              "--frames", "6", "--csv", csv] + (model.map { ["--model", $0] } ?? []))
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try CSV.parse(try String(contentsOfFile: csv, encoding: .utf8)).dropFirst().map(VideoRow.init(csvFields:))
        let byName = Dictionary(uniqueKeysWithValues: rows.map { (URL(fileURLWithPath: $0.path).lastPathComponent, $0) })
        let real = try #require(byName["astronaut_real.mp4"]), blended = try #require(byName["astronaut_blended.mp4"])
        #expect(real.model == expectedName && real.status == .ok && blended.status == .ok)
        #expect(real.verdict == .real && blended.verdict == .fake, "real \(real.pFake ?? -1), blended \(blended.pFake ?? -1)")
    }

    /// Every bundled model that is not the default: the default's two members, the SBI ensemble and
    /// its two members, the two Meso models, FakeSpotter (on the seed-1 member) and MAT.
    @Test(.disabled(if: missing != nil, "\(missing ?? "")"),
          arguments: ["video-efficientnet-lite0", "video-efficientnet-lite0-seed2", bundledName, "sbi-efficientnet-lite0-seed2",
                      "sbi-efficientnet-lite0-x2", "sbi-meso4", "sbi-mesoinception4", "fakespotter", "mat"])
    func bundledModelTellsTheSamplesApart(model: String) throws {
        try Self.tellsTheSamplesApart(model: model, expectedName: model)
    }

    /// Without --model, scan uses default.txt's model (two video fine-tunes averaged, with a calibrated threshold).
    @Test(.disabled(if: missing != nil, "\(missing ?? "")"))
    func withoutAModelTheScanUsesTheDefault() throws {
        try Self.tellsTheSamplesApart(model: nil, expectedName: Self.defaultName)
    }

    /// `models --json` says where the bundled models were looked for and that they are there.
    @Test(.disabled(if: ExitCodeTests.binary == nil, "deepfake-scan not built"))
    func theModelsListingNamesTheBundledFolder() throws {
        let result = try BLASCoreRelaunchTests.run(BLASCoreRelaunchTests.noWeights + ["--json"], coreType: nil)
        #expect(result.status == 0, "\(result.stderr)")
        let listing = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(listing["bundledFolderExists"] as? Bool == true, "\(result.stdout)")
        #expect((listing["bundledFolder"] as? String)?.hasSuffix("/Models") == true)
        let names = (listing["bundled"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
        #expect(names.contains(Self.bundledName) && names.contains(Self.defaultName), "\(names)")
    }
}
