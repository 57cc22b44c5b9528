import Foundation
import Testing
@testable import Scan

/// `scan --include/--exclude GLOB`: patterns against the path below the folder scanned.
@Suite struct IncludeExcludeTests {
    @Test(arguments: [
        ("*.mp4", "a.mp4", true), ("*.mp4", "sub/deep/a.mp4", true), ("*.mp4", "a.mkv", false),
        ("sub/*.mp4", "sub/a.mp4", true), ("sub/*.mp4", "sub/deep/a.mp4", false),
        ("sub/**", "sub/deep/a.mp4", true), ("**/a.mp4", "a.mp4", true), ("**/a.mp4", "x/y/a.mp4", true),
        ("**/tmp/**", "x/tmp/a.mp4", true), ("**/tmp/**", "x/tmpa/a.mp4", false),
        ("clip_?.mp4", "clip_1.mp4", true), ("clip_?.mp4", "clip_12.mp4", false),
        ("[ab]*.mp4", "b1.mp4", true), ("[!ab]*.mp4", "b1.mp4", false), ("[a-c]?.mp4", "c9.mp4", true),
        ("\\*.mp4", "*.mp4", true), ("\\*.mp4", "x.mp4", false), ("[x.mp4", "[x.mp4", true),
        ("東京*", "東京 1.mp4", true), ("d/?.mp4", "d/é.mp4", true),
    ])
    func globsMatchLikeAShell(_ pattern: String, _ path: String, _ expected: Bool) {
        #expect(PathGlob(pattern).matches(relativePath: path) == expected, "\(pattern) ~ \(path)")
    }

    /// Excluded files are not found (so neither scanned nor reported); include keeps only what
    /// matches; an excluded folder is not entered; a file named explicitly is always taken.
    @Test func discoveryFiltersWhatItFindsInFolders() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("globs-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        for file in ["a.mp4", "b.mp4", "tmp/c.mp4", "keep/d.mp4", "keep/e.partial.mp4"] {
            try FileManager.default.createDirectory(atPath: root + "/" + (file as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try Data("x".utf8).write(to: URL(fileURLWithPath: root + "/" + file))
        }
        func found(include: [String] = [], exclude: [String] = [], paths: [String] = [root]) throws -> [String] {
            var options = DiscoveryOptions(recursive: true)
            options.include = include.map(PathGlob.init)
            options.exclude = exclude.map(PathGlob.init)
            return try Discovery(options: options).discover(paths: paths).map { String($0.path.dropFirst(root.count + 1)) }
        }
        #expect(try found() == ["a.mp4", "b.mp4", "keep/d.mp4", "keep/e.partial.mp4", "tmp/c.mp4"])
        #expect(try found(exclude: ["tmp", "*.partial.mp4"]) == ["a.mp4", "b.mp4", "keep/d.mp4"])
        #expect(try found(exclude: ["tmp/**"]) == ["a.mp4", "b.mp4", "keep/d.mp4", "keep/e.partial.mp4"])
        #expect(try found(include: ["keep/*"]) == ["keep/d.mp4", "keep/e.partial.mp4"])
        #expect(try found(include: ["*.mp4"], exclude: ["b.mp4"]) == ["a.mp4", "keep/d.mp4", "keep/e.partial.mp4", "tmp/c.mp4"])
        // Relative to the folder named: below keep/ the file is d.mp4, so keep/* matches nothing there.
        #expect(try found(include: ["keep/*"], paths: [root + "/keep"]) == [])
        // Named explicitly: taken whatever the patterns say.
        #expect(try found(exclude: ["*.mp4"], paths: [root + "/b.mp4", root]) == ["b.mp4"])
    }
}
