import Foundation
import Testing
import Aggregate
import Reports
@testable import Scan

@Suite struct ScanRunnerTests {
    static let configuration = RunConfiguration(model: "text", frames: 8, aggregator: .mean, threshold: 0.5)

    func items(_ fixture: TextVideoFixture) throws -> [DiscoveredItem] {
        try Discovery().discover(paths: [fixture.videos, fixture.root + "/missing.mp4"])
    }

    func runner(_ analyzer: TextAnalyzer, store: ResultStore?, jobs: Int = 1, rescan: Bool = false) -> ScanRunner<TextAnalyzer> {
        ScanRunner(analyzer: analyzer, store: store, options: ScanOptions(configuration: Self.configuration, jobs: jobs, rescan: rescan))
    }

    @Test func rowsFollowTheContractInDiscoveryOrder() async throws {
        let fixture = try TextVideoFixture()
        defer { fixture.remove() }
        let items = try items(fixture)
        let result = try await runner(TextAnalyzer(), store: nil).run(items)
        #expect(result.outcome == .completedWithErrors)
        #expect(result.outcome.exitCode == 1)
        #expect(result.rows.map(\.path) == items.map(\.path))
        #expect(result.rows.count == 13)
        let byName = Dictionary(uniqueKeysWithValues: result.rows.map { (URL(fileURLWithPath: $0.path).lastPathComponent, $0) })
        #expect(byName["08 no face.mp4"]?.status == .noFace)
        #expect(byName["08 no face.mp4"]?.verdict == .unknown)
        #expect(byName["08 no face.mp4"]?.pFake == nil)
        #expect(byName["09 broken.mp4"]?.status == .error)
        #expect(byName["09 broken.mp4"]?.error == "moov atom not found, \"truncated\"")
        #expect(byName["missing.mp4"]?.error == "no such file or directory")
        let twoTracks = try #require(byName["07 two tracks.mp4"])
        #expect(twoTracks.faceTracks == 2)
        #expect(twoTracks.framesWithFace == 4)
        #expect(twoTracks.pFake == 0.9)
        #expect(twoTracks.verdict == .fake)
        #expect(byName["12 fake.mp4"]?.verdict == .fake)
        // "01 plain": scores (0…7)/10 → mean 0.35.
        #expect(abs((byName["01 plain.mp4"]?.pFake ?? -1) - 0.35) < 1e-12)
        #expect(byName["01 plain.mp4"]?.verdict == .real)
        #expect(byName["01 plain.mp4"]?.durationSeconds == 0.5)
        #expect(byName["01 plain.mp4"]?.codec == "h264")
        for row in result.rows {
            if let p = row.pFake { #expect(p >= 0 && p <= 1) }
            #expect(row.model == "text")
            #expect(row.aggregator == "mean")
        }
        #expect(result.faces.count == 8 * 9 + 8)
    }

    @Test func twoJobsGiveTheSameRowsAsOne() async throws {
        let fixture = try TextVideoFixture()
        defer { fixture.remove() }
        let items = try items(fixture)
        let one = try await runner(TextAnalyzer(), store: nil, jobs: 1).run(items)
        let two = try await runner(TextAnalyzer(), store: nil, jobs: 2).run(items)
        let four = try await runner(TextAnalyzer(), store: nil, jobs: 4).run(items)
        #expect(two.rows.map(\.timeless) == one.rows.map(\.timeless))
        #expect(four.rows.map(\.timeless) == one.rows.map(\.timeless))
        #expect(two.faces == one.faces)
    }

    @Test func resumeAfterAStopGivesTheSameCSVAndAnalysesEachVideoOnce() async throws {
        let fixture = try TextVideoFixture()
        defer { fixture.remove() }
        let items = try items(fixture)
        let reference = try await runner(TextAnalyzer(), store: nil).run(items)

        let storePath = fixture.root + "/results.sqlite"
        let stop = StopSignal()
        var first = TextAnalyzer()
        first.stopAfter = (5, stop)
        let interrupted = try await runner(first, store: try ResultStore(path: storePath), jobs: 2).run(items, stop: stop)
        #expect(interrupted.outcome == .interrupted)
        #expect(interrupted.outcome.exitCode == 3)
        #expect(interrupted.notReached > 0)
        // Stopping gives up the videos in flight, the fifth too (it asked for the stop before
        // returning): 4 stored with two jobs, the fifth redone on resume.
        #expect(interrupted.analysed == 4)

        // A fresh store connection, as after restarting the process.
        let second = TextAnalyzer()
        let resumed = try await runner(second, store: try ResultStore(path: storePath), jobs: 2).run(items)
        #expect(resumed.outcome == .completedWithErrors)
        #expect(resumed.reused == interrupted.analysed)
        #expect(resumed.rows.map(\.timeless) == reference.rows.map(\.timeless))
        #expect(resumed.faces == reference.faces)
        // New tonight: the resume's rows and the interrupted run's too, which no finished run
        // has reported; the next run has none but the missing file's (found anew each run).
        #expect(resumed.newRows.map(\.timeless) == reference.rows.map(\.timeless))
        let next = try await runner(TextAnalyzer(), store: try ResultStore(path: storePath), jobs: 2).run(items)
        #expect(next.reused == 12)
        #expect(next.newRows.map(\.path) == [fixture.root + "/missing.mp4"])

        // Nothing lost, and nothing stored analysed again: every video analysed once over both
        // runs, except those given up in flight, analysed again on resume.
        let calls = first.calls.byPath.merging(second.calls.byPath, uniquingKeysWith: +)
        #expect(calls.count == 12)
        let givenUp = Set(first.calls.byPath.keys).intersection(second.calls.byPath.keys)
        #expect(givenUp.count == first.calls.byPath.count - interrupted.analysed)
        #expect(calls.filter { !givenUp.contains($0.key) }.values.allSatisfy { $0 == 1 })

        // The written CSVs match byte for byte once timings are set aside.
        let expected = ReportWriter.csv(reference.rows.map(\.timeless))
        let url = URL(fileURLWithPath: fixture.root + "/out.csv")
        try ReportWriter.writeCSV(resumed.rows.map(\.timeless), to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == expected)
        // Read back: names with commas, quotes, newlines and non-ASCII intact; p_fake to 6 decimals.
        let readBack = try ReportWriter.readCSV(at: url)
        #expect(readBack.map(\.path) == reference.rows.map(\.path))
        #expect(readBack.map(\.status) == reference.rows.map(\.status))
        #expect(readBack.map(\.error) == reference.rows.map(\.error))
        for (got, want) in zip(readBack, reference.rows) {
            #expect(abs((got.pFake ?? -1) - (want.pFake ?? -1)) <= 5e-7)
        }
    }

    @Test func cancellingTheRunIsAnInterruptionThatResumes() async throws {
        let fixture = try TextVideoFixture()
        defer { fixture.remove() }
        // The third file never finishes on its own; cancelling the run ends it.
        try "hang\n".write(toFile: fixture.videos + "/03 \"quoted\".mp4", atomically: true, encoding: .utf8)
        let items = try items(fixture)
        let storePath = fixture.root + "/results.sqlite"
        let analyzer = TextAnalyzer()
        let options = ScanOptions(configuration: Self.configuration, jobs: 1, timeoutSeconds: nil)
        let store = try ResultStore(path: storePath)
        let task = Task { try await ScanRunner(analyzer: analyzer, store: store, options: options).run(items) }
        while analyzer.calls.byPath.count < 2 { await Task.yield() }
        task.cancel()
        let interrupted = try await task.value
        #expect(interrupted.outcome == .interrupted)
        // Two analysed before the hanging one, plus the missing file's error row.
        #expect(interrupted.analysed == 2)
        #expect(interrupted.rows.count == 3)

        // With a timeout, the hanging file becomes an error row and the rest completes.
        let resumed = try await ScanRunner(
            analyzer: TextAnalyzer(), store: try ResultStore(path: storePath),
            options: ScanOptions(configuration: Self.configuration, jobs: 2, timeoutSeconds: 0.2)
        ).run(items)
        #expect(resumed.reused == 2)
        #expect(resumed.rows.count == 13)
        let hung = try #require(resumed.rows.first { $0.path.hasSuffix("03 \"quoted\".mp4") })
        #expect(hung.status == .error)
        #expect(hung.error == "timed out after 0.2 s")

        // A timeout is not the file's result: it is not stored, and the next run tries the
        // file again (here it times out again) while reusing everything else.
        let third = try await ScanRunner(
            analyzer: TextAnalyzer(), store: try ResultStore(path: storePath),
            options: ScanOptions(configuration: Self.configuration, jobs: 2, timeoutSeconds: 0.2)
        ).run(items)
        // (Under load another file may have timed out too: every timed-out one is tried again.)
        let timedOut = resumed.rows.filter { $0.error == "timed out after 0.2 s" }.count
        #expect(third.analysed == timedOut)
        #expect(third.reused == 12 - timedOut)
        #expect(third.rows.first { $0.path == hung.path }?.error == "timed out after 0.2 s")
    }

    /// The content hash reads the whole file before the analysis: a file too big to hash within
    /// the time limit times out, and a stop gives it up at once, instead of waiting for the read.
    @Test func theContentHashKeepsTheTimeLimitAndTheStop() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("hash-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        // Sparse: 256 GiB of zeros that take no disk, and minutes to hash (SHA-256 at a few GB/s at
        // best). The bounds leave room for a machine busy with other tests.
        let big = root + "/big.mp4"
        #expect(FileManager.default.createFile(atPath: big, contents: Data("frames 8\n".utf8)))
        #expect(truncate(big, 256 << 30) == 0)
        let items = try Discovery().discover(paths: [big])
        let clock = ContinuousClock()

        var started = clock.now
        let timed = try await ScanRunner(
            analyzer: TextAnalyzer(), store: try ResultStore(path: root + "/timed.sqlite"),
            options: ScanOptions(configuration: Self.configuration, jobs: 1, timeoutSeconds: 0.2)
        ).run(items)
        #expect(started.duration(to: clock.now) < .seconds(30))
        #expect(timed.rows.map(\.error) == ["timed out after 0.2 s"])

        let stop = StopSignal()
        let analyzer = TextAnalyzer()
        let runner = ScanRunner(analyzer: analyzer, store: try ResultStore(path: root + "/stopped.sqlite"),
                                options: ScanOptions(configuration: Self.configuration, jobs: 1, timeoutSeconds: nil))
        started = clock.now
        let task = Task { try await runner.run(items, stop: stop) }
        try await Task.sleep(for: .milliseconds(200))
        stop.request()
        let stopped = try await task.value
        #expect(started.duration(to: clock.now) < .seconds(30))
        #expect(stopped.outcome == .interrupted)
        #expect(analyzer.calls.byPath.isEmpty)  // stopped while hashing, before the analysis
    }

    @Test func changedFilesAndRescanAreAnalysedAgain() async throws {
        let fixture = try TextVideoFixture()
        defer { fixture.remove() }
        let items = try items(fixture)
        let storePath = fixture.root + "/results.sqlite"
        _ = try await runner(TextAnalyzer(), store: try ResultStore(path: storePath)).run(items)

        // One file changes size: only it is analysed again, with its new content.
        let changed = fixture.videos + "/11 real.mp4"
        try "probe 1 2 2 vp9\nframes 3\nface 0 0 0.95\n".write(toFile: changed, atomically: true, encoding: .utf8)
        let again = TextAnalyzer()
        let second = try await runner(again, store: try ResultStore(path: storePath)).run(items)
        #expect(again.calls.byPath == [changed: 1])
        #expect(second.rows.first { $0.path == changed }?.pFake == 0.95)

        // --rescan analyses everything.
        let rescan = TextAnalyzer()
        _ = try await runner(rescan, store: try ResultStore(path: storePath), rescan: true).run(items)
        #expect(rescan.calls.byPath.count == 12)

        // Another configuration does not reuse these results.
        var other = Self.configuration
        other.aggregator = .max
        let otherAnalyzer = TextAnalyzer()
        let maxRun = try await ScanRunner(
            analyzer: otherAnalyzer, store: try ResultStore(path: storePath), options: ScanOptions(configuration: other)
        ).run(items)
        #expect(otherAnalyzer.calls.byPath.count == 12)
        #expect(maxRun.rows.first { $0.path.hasSuffix("01 plain.mp4") }?.pFake == 0.7)
    }

    @Test func cleanRunExitsZero() async throws {
        let fixture = try TextVideoFixture()
        defer { fixture.remove() }
        let items = try Discovery().discover(paths: [fixture.videos + "/01 plain.mp4", fixture.videos + "/12 fake.mp4"])
        let result = try await runner(TextAnalyzer(), store: nil).run(items)
        #expect(result.outcome == .completed)
        #expect(result.outcome.exitCode == 0)
        #expect(try await runner(TextAnalyzer(), store: nil).run([]).outcome == .completed)
    }
}
