import Foundation
import Testing
@testable import Scan

/// Two runs on the same outputs: the second stops at once, says who holds them, and writes
/// nothing; the lock goes with its holder.
@Suite struct RunLockTests {
    @Test func aSecondHolderIsRefusedUntilTheFirstLetsGo() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lock-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var first: RunLock? = try RunLock(path: path)
        #expect { try RunLock(path: path) } throws: { error in
            guard case let .held(lockPath, holder) = error as? RunLockError else { return false }
            return lockPath == path && holder.hasPrefix("pid \(ProcessInfo.processInfo.processIdentifier) on ")
        }
        withExtendedLifetime(first) {}
        first = nil
        _ = try RunLock(path: path)
    }

    @Test func aScanJobOnLockedOutputsWritesNothing() async throws {
        let fixture = try TextVideoFixture()
        defer { fixture.remove() }
        let csv = fixture.root + "/out.csv"
        let store = ScanRequest.defaultStorePath(csvPath: csv)
        let request = ScanRequest(
            paths: [fixture.videos], options: ScanOptions(configuration: ScanJobTests.configuration), csvPath: csv,
            storePath: store)
        let held = try RunLock(path: RunLock.path(for: store))
        await #expect(throws: RunLockError.self) { _ = try await ScanJob(request: request, analyzer: TextAnalyzer()).run() }
        #expect(!FileManager.default.fileExists(atPath: csv))
        withExtendedLifetime(held) {}

        // Another store, the same CSV: still the same outputs.
        let csvHeld = try RunLock(path: RunLock.path(for: csv))
        var otherStore = request
        otherStore.storePath = fixture.root + "/other.sqlite"
        await #expect(throws: RunLockError.self) { _ = try await ScanJob(request: otherStore, analyzer: TextAnalyzer()).run() }
        #expect(!FileManager.default.fileExists(atPath: csv))
        withExtendedLifetime(csvHeld) {}
    }
}
