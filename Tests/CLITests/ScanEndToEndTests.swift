import Foundation
import Reports
import Testing
import TestSupport

/// `deepfake-scan scan` as users run it: the built binary on real videos, with YuNet and the
/// MesoNet authors' Meso4_DF (imported by `make weights` from ../shared; skipped without).
@Suite(.serialized) struct ScanEndToEndTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let weights = packageRoot.appendingPathComponent(".build-weights/mesonet/Meso4_DF.safetensors")
    static let yuface = packageRoot.appendingPathComponent(".deps/yuface/libfacedetection.so")
    static let devVideos = packageRoot.appendingPathComponent("../shared/data/dev-videos").standardizedFileURL

    static var missing: String? {
        if !FileManager.default.fileExists(atPath: weights.path) { return "no \(weights.path) (run `make weights`)" }
        if !FileManager.default.fileExists(atPath: yuface.path) { return "no \(yuface.path) (run `make setup-yuface`)" }
        if ExitCodeTests.binary == nil { return "deepfake-scan not built" }
        return nil
    }

    struct Scan {
        var status: Int32
        var rows: [VideoRow]
        var csv: String
    }

    /// The scan started; its stderr (progress) captured, its stdout discarded.
    static func startScan(_ inputs: [String], csv: String, extra: [String], frames: Int) throws -> ChildProcess.Running {
        try ChildProcess.Running(
            try #require(ExitCodeTests.binary).path,
            ["scan"] + inputs + ["--weights", weights.path, "--csv", csv, "--frames", String(frames)] + extra,
            directory: packageRoot, stdout: .discard)
    }

    /// Runs a scan of `inputs` into a fresh temporary folder (or `csv`); few frames keep it quick.
    static func scan(_ inputs: [String], extra: [String] = [], frames: Int = 6, csv given: String? = nil) throws -> Scan {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: out) }
        let csv = given ?? out.appendingPathComponent("out.csv").path
        let finished = try startScan(inputs, csv: csv, extra: extra, frames: frames).finish()
        let text = try String(contentsOfFile: csv, encoding: .utf8)
        let records = try CSV.parse(text)
        #expect(records.first == VideoRow.csvHeader)
        return Scan(status: finished.status, rows: try records.dropFirst().map(VideoRow.init(csvFields:)), csv: text)
    }

    @Test(.disabled(if: missing != nil, "\(missing ?? "")"))
    func samplesGetOneRightRowEach() throws {
        let result = try Self.scan([Self.packageRoot.appendingPathComponent("Samples").path])
        #expect(result.status == 1, "truncated.mp4 errors, so the run exits 1")
        let byName = Dictionary(uniqueKeysWithValues: result.rows.map { (URL(fileURLWithPath: $0.path).lastPathComponent, $0) })
        #expect(byName.count == 5)
        for name in ["astronaut_real.mp4", "astronaut_blended.mp4", "astronaut_pair_one_blended.mp4"] {
            let row = try #require(byName[name])
            #expect(row.status == .ok && row.framesWithFace == 6, "\(name): \(row)")
            #expect((0...1).contains(row.pFake ?? -1))
        }
        #expect(byName["astronaut_pair_one_blended.mp4"]?.faceTracks == 2)
        #expect(byName["astronaut_blended.mp4"]?.verdict == .fake)
        #expect(byName["astronaut_real.mp4"]?.verdict == .real)
        #expect(byName["coffee_no_face.mp4"]?.status == .noFace && byName["coffee_no_face.mp4"]?.verdict == .unknown)
        let broken = try #require(byName["truncated.mp4"])
        #expect(broken.status == .error && broken.error?.isEmpty == false)
    }

    @Test(.disabled(if: missing != nil, "\(missing ?? "")"))
    func twoJobsGiveTheSameRowsAsOne() throws {
        let samples = Self.packageRoot.appendingPathComponent("Samples").path
        func scores(_ scan: Scan) -> [String] {
            scan.rows.map { "\($0.path) \($0.status) \($0.pFake.map { String($0) } ?? "-") \($0.faceTracks)" }
        }
        #expect(scores(try Self.scan([samples], extra: ["--jobs", "1"])) == scores(try Self.scan([samples], extra: ["--jobs", "2"])))
    }

    @Test(.disabled(if: missing != nil, "\(missing ?? "")"))
    func awkwardFileNamesSurviveTheCSV() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("names-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = Self.packageRoot.appendingPathComponent("Samples/astronaut_real.mp4")
        let names = ["a, comma.mp4", "say \"hi\".mp4", "two\nlines.mp4", "ästronaut 宇宙.mp4", "=cmd.mp4"]
        for name in names { try FileManager.default.copyItem(at: source, to: folder.appendingPathComponent(name)) }
        let result = try Self.scan([folder.path], frames: 2)
        #expect(result.status == 0)
        #expect(Set(result.rows.map { URL(fileURLWithPath: $0.path).lastPathComponent }) == Set(names))
        #expect(result.rows.allSatisfy { $0.status == .ok })
    }

    /// kill -9 once some videos are done, then the same command again: the CSV equals an
    /// uninterrupted run's, and the finished videos are not analysed twice.
    @Test(.disabled(if: missing != nil, "\(missing ?? "")"))
    func killNineThenRerunGivesTheUninterruptedCSV() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kill-\(UUID().uuidString)")
        let videos = folder.appendingPathComponent("videos")
        try FileManager.default.createDirectory(at: videos, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (index, name) in ["astronaut_real", "astronaut_blended", "astronaut_pair_one_blended", "coffee_no_face"].enumerated() {
            try FileManager.default.copyItem(
                at: Self.packageRoot.appendingPathComponent("Samples/\(name).mp4"),
                to: videos.appendingPathComponent("\(index)-\(name).mp4"))
        }
        let reference = try Self.scan([videos.path], frames: 4)
        let csv = folder.appendingPathComponent("resumed.csv").path

        let victim = try Self.startScan([videos.path], csv: csv, extra: [], frames: 4)
        _ = victim.read(.stderr, until: { $0.contains("[2/4]") })  // progress lines come after the store commit
        victim.signal(SIGKILL)
        #expect(victim.finish().reason == .uncaughtSignal)

        let resumed = try Self.scan([videos.path], frames: 4, csv: csv)
        #expect(resumed.status == 0)
        func timeless(_ scan: Scan) -> [String] {
            scan.rows.map { row in var row = row; row.elapsedSeconds = 0; return row.csvFields.joined(separator: "|") }
        }
        #expect(timeless(resumed) == timeless(reference))
    }

    @Test(.disabled(if: missing != nil || !FileManager.default.fileExists(atPath: devVideos.path),
                    "needs ../shared/data/dev-videos, \(missing ?? "")"))
    func everyDevVideoGetsAScoredRow() throws {
        let result = try Self.scan([Self.devVideos.path, "--recursive"], frames: 4)
        let videos = try FileManager.default.subpathsOfDirectory(atPath: Self.devVideos.path)
            .filter { ["mp4", "mov", "mkv", "avi", "webm"].contains(URL(fileURLWithPath: $0).pathExtension.lowercased()) }
        #expect(result.rows.count == videos.count)
        for row in result.rows {
            #expect(row.status == .ok, "\(row.path): \(row.status) \(row.error ?? "")")
            #expect((0...1).contains(row.pFake ?? -1))
        }
    }
}
