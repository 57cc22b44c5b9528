import Foundation
import Testing
@testable import Scan
import TestSupport

/// A tree deeper than PATH_MAX: what lies below cannot be opened by its path, and used to be
/// skipped without a word (no row, exit 0). Now the first entry out of reach gets an error row.
@Suite struct LongPathDiscoveryTests {
    /// root/d/d/…/d/x.mp4 with enough levels that the paths pass 4096 bytes, made with
    /// mkdirat/openat (a path that long cannot be created by name).
    static func deepTree(levels: Int) throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("deep-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        var directory = open(root, O_RDONLY | O_DIRECTORY)
        #expect(directory >= 0)
        for _ in 0..<levels {
            #expect(mkdirat(directory, "d", 0o755) == 0)
            let next = openat(directory, "d", O_RDONLY | O_DIRECTORY)
            close(directory)
            directory = next
        }
        let file = openat(directory, "x.mp4", O_CREAT | O_WRONLY, 0o644)
        #expect(file >= 0)
        close(file)
        close(directory)
        return root
    }

    /// rm -rf copes with paths past PATH_MAX; FileManager does not.
    static func remove(_ root: String) {
        _ = try? ChildProcess.run("/bin/rm", ["-rf", root])
    }

    @Test func entriesBeyondThePathLimitGetAnErrorRow() throws {
        let root = try Self.deepTree(levels: 2100)
        defer { Self.remove(root) }
        let items = try Discovery(options: DiscoveryOptions(recursive: true)).discover(paths: [root])
        #expect(items.count == 1)
        let item = try #require(items.first)
        #expect(item.problem?.hasPrefix("path too long to open") == true, "\(item.problem ?? "no problem")")
        #expect(item.path.utf8.count >= Int(PATH_MAX), "PATH_MAX counts the final NUL")
    }
}
