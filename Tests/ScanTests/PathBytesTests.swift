import Foundation
import Imaging
import Testing
import Aggregate
import Reports
@testable import Scan

/// Paths are bytes on Linux: names that differ only by Unicode normalisation are two files,
/// and a name that is not UTF-8 is scanned and written back losslessly (issue 16, 1 and 6).
@Suite struct PathBytesTests {
    static let configuration = RunConfiguration(model: "text", frames: 8, aggregator: .mean, threshold: 0.5)

    static func video(pFake: Double) -> String {
        "probe 1.5 640 480 h264\nframes 8\n" + (0..<4).map { "face \($0 * 10) 0 \(pFake)" }.joined(separator: "\n") + "\n"
    }

    @Test func pathTextKeepsUTF8AsItIsAndEscapesOnlyWhatIsNot() {
        #expect(PathText.text(of: RawNames.bytes("/v/50% café,\"x\".mp4")) == "/v/50% café,\"x\".mp4")
        let raw = RawNames.bytes("/v/50%_") + [0xFF, 0xFE] + RawNames.bytes("é.mp4") + [0xC3]
        #expect(PathText.text(of: raw) == "file:///v/50%25_%FF%FEé.mp4%C3")
        #expect(PathText.bytes(of: PathText.text(of: raw)) == raw)
        // Ordinary text, and text that only looks like the escaped form, stands for its UTF-8.
        #expect(PathText.bytes(of: "/v/a%FF.mp4") == RawNames.bytes("/v/a%FF.mp4"))
        #expect(PathText.bytes(of: "file:///v/bad%G1") == RawNames.bytes("file:///v/bad%G1"))
        // A relative name (as typed on the command line) round-trips too.
        #expect(PathText.text(of: RawNames.bytes("d/x") + [0xFF]) == "file://d/x%FF")
        #expect(PathText.bytes(of: "file://d/x%FF") == RawNames.bytes("d/x") + [0xFF])
    }

    @Test func everyByteStringRoundTrips() {
        var seeded = SplitMix64(seed: 16)
        for length in 0..<200 {
            let bytes = [UInt8(ascii: "/")] + (0..<length % 23).map { _ in UInt8(truncatingIfNeeded: seeded.next() % 255 + 1) }
            let text = PathText.text(of: bytes)
            #expect(PathText.bytes(of: text) == bytes)
            #expect(!text.utf8.contains(0))
        }
    }

    @Test func normalisationTwinsResumeWithTheirOwnVerdicts() async throws {
        let root = try RawNames.temporaryDirectory("twins")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let composed = root + "/caf\u{E9}.mp4", decomposed = root + "/cafe\u{301}.mp4"
        #expect(composed == decomposed)  // Swift's String == says they are the same
        // Same size and modification time: only the name tells them apart.
        try RawNames.save(Self.video(pFake: 0.9), to: RawNames.bytes(composed))
        try RawNames.save(Self.video(pFake: 0.1), to: RawNames.bytes(decomposed))
        for name in [composed, decomposed] { try RawNames.setModificationTime(RawNames.bytes(name), seconds: 1_700_000_000) }

        let items = try Discovery().discover(paths: [root])
        #expect(items.count == 2)
        let storePath = root + "/store.sqlite"
        let options = ScanOptions(configuration: Self.configuration)
        for run in 0..<2 {
            let analyzer = TextAnalyzer()
            let result = try await ScanRunner(analyzer: analyzer, store: try ResultStore(path: storePath), options: options).run(items)
            #expect(result.outcome == .completed)
            #expect(result.reused == (run == 0 ? 0 : 2))
            #expect(analyzer.calls.byPath.values.reduce(0, +) == (run == 0 ? 2 : 0))
            func row(_ path: String) -> VideoRow? { result.rows.first { $0.path.utf8.elementsEqual(path.utf8) } }
            #expect(row(composed)?.pFake == 0.9)
            #expect(row(decomposed)?.pFake == 0.1)
        }
    }

    @Test func aNameThatIsNotUTF8IsScannedAndItsCSVPathGivesTheBytesBack() async throws {
        let root = try RawNames.temporaryDirectory("bytes")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let bad = RawNames.bytes(root + "/bad_") + [0xFF, 0xFE] + RawNames.bytes(".mp4")
        let percent = RawNames.bytes(root + "/50%_") + [0xE9] + RawNames.bytes(".mp4")
        try RawNames.save(Self.video(pFake: 0.8), to: bad)
        try RawNames.save(Self.video(pFake: 0.2), to: percent)

        let csv = root + "/out.csv"
        let request = ScanRequest(paths: [root], options: ScanOptions(configuration: Self.configuration), csvPath: csv,
                                  storePath: root + "/store.sqlite")
        let result = try await ScanJob(request: request, analyzer: TextAnalyzer()).run()
        #expect(result.outcome == .completed)
        let rows = try ReportWriter.readCSV(at: URL(fileURLWithPath: csv))
        #expect(rows.map(\.status) == [.ok, .ok])
        #expect(rows.map(\.path) == ["file://\(root)/50%25_%E9.mp4", "file://\(root)/bad_%FF%FE.mp4"])
        #expect(rows.map { PathText.bytes(of: $0.path) } == [percent, bad])
        #expect(rows.map(\.pFake) == [0.2, 0.8])

        // The CSV cell, given back on the command line or in a list, is the same file.
        let named = try Discovery().discover(paths: [rows[1].path])
        #expect(named == [DiscoveredItem(path: rows[1].path)])
        let relative = try Discovery(workingDirectory: root).discover(paths: [PathText.text(of: Array(bad.dropFirst(root.utf8.count + 1)))])
        #expect(relative == [DiscoveredItem(path: rows[1].path)])
        let list = root + "/list.txt"
        try RawNames.save(bad + [UInt8(ascii: "\n")], to: RawNames.bytes(list))
        #expect(try Discovery().discover(paths: [], fromList: list) == [DiscoveredItem(path: rows[1].path)])
    }

    @Test func ffmpegOpensANameThatIsNotUTF8() throws {
        let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Samples/coffee_no_face.mp4")
        let root = try RawNames.temporaryDirectory("ffmpeg-bytes")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let name = RawNames.bytes(root + "/clip_") + [0xFF] + RawNames.bytes(".mp4")
        try RawNames.save(Array(try Data(contentsOf: sample)), to: name)
        let item = try #require(try Discovery().discover(paths: [root]).first)
        #expect(item.problem == nil)
        let (probe, frames) = try VideoFileSource().sampleFrames(path: item.path) { _ in true }
        #expect(frames > 0)
        #expect((probe.width ?? 0) > 0)
    }
}

