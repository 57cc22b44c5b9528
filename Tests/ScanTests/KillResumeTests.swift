import Foundation
import Testing
import Aggregate
import Reports
@testable import Scan
import TestSupport

/// `kill -9` in the middle of a scan, for real: the test binary runs itself as a child that
/// scans with a store, is SIGKILLed while two videos are mid-analysis, and the parent resumes.
///
/// The child's analyzer waits for one byte from a FIFO before each video, so the parent
/// decides exactly how many videos can finish before the kill; no timing is involved.
@Suite struct KillResumeTests {
    static let childDirectoryVariable = "DEEPFAKE_SCAN_KILL_CHILD_DIR"
    static let doneMarker = "KILLTEST-DONE "
    static let configuration = RunConfiguration(model: "text", frames: 8, aggregator: .mean, threshold: 0.5)

    @Test func killNineThenResumeLosesAndRepeatsNothing() async throws {
        let fixture = try TextVideoFixture()
        defer { fixture.remove() }
        let gate = fixture.root + "/gate"
        #expect(mkfifo(gate, 0o600) == 0)
        let items = try Discovery().discover(paths: [fixture.videos])
        let reference = try await ScanRunner(analyzer: TextAnalyzer(), store: nil, options: ScanOptions(configuration: Self.configuration)).run(items)

        // O_RDWR so opening does not wait for the child to open its end.
        let gateWriter = open(gate, O_RDWR)
        #expect(gateWriter >= 0)
        defer { close(gateWriter) }

        // Killed on deinit if still running, whatever fails below.
        let child = try ChildProcess.Running(
            URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path,
            ["--testing-library", "swift-testing", "--filter", "scanUntilKilled"],
            environment: [Self.childDirectoryVariable: fixture.root], stderr: .discard)

        let allowed = 5
        #expect(write(gateWriter, String(repeating: "x", count: allowed), allowed) == allowed)
        func doneCount(_ text: String) -> Int { text.components(separatedBy: "\n").filter { $0.hasPrefix(Self.doneMarker) }.count }
        // Stops early if the child ends early: the checks below fail.
        #expect(doneCount(child.read(.stdout, until: { doneCount($0) >= allowed })) == allowed)
        // Two more videos are now inside the analyzer, waiting at the gate.
        child.signal(SIGKILL)
        let killed = child.finish()
        #expect(killed.reason == .uncaughtSignal)
        #expect(killed.status == SIGKILL)

        let storePath = fixture.root + "/results.sqlite"
        let afterKill = try ResultStore(path: storePath)
        let committed = Set(try afterKill.completedKeys(configuration: Self.configuration.fingerprint).keys.map(\.path))
        #expect(committed.count == allowed)

        let resumer = TextAnalyzer()
        let resumed = try await ScanRunner(
            analyzer: resumer, store: afterKill, options: ScanOptions(configuration: Self.configuration, jobs: 2)
        ).run(items)
        #expect(resumed.outcome == .completedWithErrors)
        #expect(resumed.reused == allowed)
        #expect(resumed.rows.map(\.timeless) == reference.rows.map(\.timeless))
        #expect(resumed.faces == reference.faces)
        let analysedAgain = Set(resumer.calls.byPath.keys)
        #expect(analysedAgain.isDisjoint(with: committed))
        #expect(analysedAgain.union(committed) == Set(items.map(\.path)))
        #expect(resumer.calls.byPath.values.allSatisfy { $0 == 1 })
    }

    /// The child half; runs only when the parent starts it.
    @Test(.enabled(if: ProcessInfo.processInfo.environment[childDirectoryVariable] != nil))
    func scanUntilKilled() async throws {
        let root = try #require(ProcessInfo.processInfo.environment[Self.childDirectoryVariable])
        let request = ScanRequest(
            paths: [root + "/videos"], options: ScanOptions(configuration: Self.configuration, jobs: 2),
            csvPath: root + "/child.csv", storePath: root + "/results.sqlite")
        _ = try await ScanJob(request: request, analyzer: GatedAnalyzer(gate: root + "/gate")).run(progress: DoneLines())
    }
}

/// Waits for a byte from the FIFO `gate` before each video (on a thread of its own, so the
/// blocking read holds no task thread), then analyses like `TextAnalyzer`.
struct GatedAnalyzer: VideoAnalyzer {
    let gate: String
    let inner = TextAnalyzer()

    func analyze(path: String) async throws -> AnalyzedVideo {
        let gate = self.gate
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                let fd = open(gate, O_RDONLY)
                var byte: UInt8 = 0
                _ = read(fd, &byte, 1)
                close(fd)
                continuation.resume()
            }
        }
        return try await inner.analyze(path: path)
    }
}

/// Tells the parent, on standard output, each time a video has been committed.
struct DoneLines: ScanProgress {
    func started(total: Int, alreadyDone: Int) {}
    func began(path: String) {}
    func finished(_ row: VideoRow, done: Int, total: Int) {
        FileHandle.standardOutput.write(Data("\(KillResumeTests.doneMarker)\(done)\n".utf8))
    }
    func ended(interrupted: Bool) {}
}
