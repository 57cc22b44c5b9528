import Foundation
import Reports
import Testing

/// Issue 16 §3: `deepfake-scan scan` over the hostile corpus (Tests/HostileCorpus/make_corpus.py:
/// broken, odd and unreadable inputs, awkward names, FIFOs, links, a sparse 20 GB file) gives
/// exactly one CSV row per discovered file, never crashes or hangs, exits 1 (some rows are
/// errors), stays below 1 GiB, and the same command again (resume) gives the same rows.
@Suite(.serialized) struct HostileCorpusTests {
    static let packageRoot = ScanEndToEndTests.packageRoot
    static let generator = packageRoot.appendingPathComponent("Tests/HostileCorpus/make_corpus.py")
    /// Hard limit around each scan: a hang fails the test instead of stalling the suite.
    static let limitSeconds = 300
    static let memoryLimitKiB = 1 << 20

    static var missing: String? {
        if !FileManager.default.fileExists(atPath: ScanEndToEndTests.yuface.path) {
            return "no \(ScanEndToEndTests.yuface.path) (run `make setup-yuface`)"
        }
        if ExitCodeTests.binary == nil { return "deepfake-scan not built" }
        for tool in ["ffmpeg", "python3", "timeout"] where which(tool) == nil { return "no \(tool) on PATH" }
        return nil
    }

    static func which(_ tool: String) -> String? {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return directories.map { "\($0)/\(tool)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test(.disabled(if: missing != nil, "\(missing ?? "")"), .timeLimit(.minutes(10)))
    func everyHostileInputGetsOneRowWithoutCrashHangOrBloat() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let manifest = try HostileManifest.generate(with: Self.generator, into: folder)
        let corpus = folder.appendingPathComponent("corpus").path
        let csv = folder.appendingPathComponent("hostile.csv").path
        let arguments = ["scan", corpus, "--recursive", "--csv", csv, "--frames", "2", "--jobs", "2", "--timeout", "30"]

        let first = try MeasuredChild.run(ExitCodeTests.binary!.path, arguments, limitSeconds: Self.limitSeconds, scratch: folder)
        Self.expectCleanEnd(first, run: "first scan")
        let rows = try Self.rows(ofCSV: csv)
        HostileManifest.check(rows: rows, against: manifest, corpus: corpus)

        // Resume: everything is in the store now; the same command must give the same rows.
        let second = try MeasuredChild.run(ExitCodeTests.binary!.path, arguments, limitSeconds: Self.limitSeconds, scratch: folder)
        Self.expectCleanEnd(second, run: "resumed scan")
        let resumed = try Self.rows(ofCSV: csv)
        func timeless(_ rows: [[String]]) -> [[String]] {
            let elapsed = VideoRow.csvHeader.firstIndex(of: "elapsed_s")!
            return rows.map { row in var row = row; if row.count > elapsed { row[elapsed] = "" }; return row }
        }
        // A timed-out video is not stored, so the resume tries it again: the 20 GB sparse file's
        // hash takes about the time limit here, and may finish the second time (then its row
        // is the analysis's error). Every other row must be the first run's.
        let timedOut = "timed out after 30.0 s"
        let error = VideoRow.csvHeader.firstIndex(of: "error")!, status = VideoRow.csvHeader.firstIndex(of: "status")!
        let retried = Set(rows.filter { $0.count > error && $0[error] == timedOut }.map { $0[0] })
        #expect(timeless(resumed.filter { !retried.contains($0[0]) }) == timeless(rows.filter { !retried.contains($0[0]) }),
                "the resumed scan must write the rows of the first")
        #expect(resumed.filter { retried.contains($0[0]) }.allSatisfy { $0.count > status && $0[status] == "error" })
        #expect(resumed.count == rows.count)
    }

    static func expectCleanEnd(_ child: MeasuredChild, run: String) {
        let tail = String(child.stderr.suffix(3000))
        #expect(!child.timedOut, "\(run): still running after \(limitSeconds) s (a hang), \(child.ending)\n\(tail)")
        // Exit 1: the corpus holds undecodable files, whose error rows make the run exit 1.
        #expect(child.ending == .exited(1), "\(run): \(child.ending) after \(Int(child.wallSeconds)) s, want exit 1\n\(tail)")
        #expect(child.maxResidentKiB < memoryLimitKiB, "\(run): peak RSS \(child.maxResidentKiB / 1024) MiB, limit 1024 MiB")
        print("hostile corpus, \(run): \(child.ending), \(String(format: "%.1f", child.wallSeconds)) s, peak RSS \(child.maxResidentKiB / 1024) MiB")
    }

    /// The CSV's records after the header; the file must be UTF-8 and RFC 4180 (DESIGN.md).
    static func rows(ofCSV path: String) throws -> [[String]] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let text = try #require(String(data: data, encoding: .utf8), "the CSV is not valid UTF-8")
        let records = try CSV.parse(text)
        #expect(records.first == VideoRow.csvHeader)
        let rows = Array(records.dropFirst())
        for row in rows { #expect(row.count == VideoRow.csvHeader.count, "a row of \(row.count) cells: \(row)") }
        return rows
    }
}
