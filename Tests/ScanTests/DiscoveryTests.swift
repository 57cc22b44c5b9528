import Foundation
import Testing
@testable import Scan

@Suite struct DiscoveryTests {
    /// root/{a.MOV, b.mp4, notes.txt, .hidden.mp4, link.mp4 → b.mp4, dangling.mp4 → nowhere,
    /// loop → root, sub/c.mkv, sub/deeper/d.webm, sub/.git/e.mp4}
    static func makeTree() throws -> String {
        let fm = FileManager.default
        let root = fm.temporaryDirectory.appendingPathComponent("discovery-\(UUID().uuidString)").path
        try fm.createDirectory(atPath: root + "/sub/deeper", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: root + "/sub/.git", withIntermediateDirectories: true)
        for file in ["a.MOV", "b.mp4", "notes.txt", ".hidden.mp4", "sub/c.mkv", "sub/deeper/d.webm", "sub/.git/e.mp4"] {
            #expect(fm.createFile(atPath: root + "/" + file, contents: Data(file.utf8)))
        }
        try fm.createSymbolicLink(atPath: root + "/link.mp4", withDestinationPath: root + "/b.mp4")
        try fm.createSymbolicLink(atPath: root + "/dangling.mp4", withDestinationPath: root + "/nowhere.mp4")
        try fm.createSymbolicLink(atPath: root + "/loop", withDestinationPath: root)
        try fm.createSymbolicLink(atPath: root + "/sub/deeper/up", withDestinationPath: root + "/sub")
        return root
    }

    private func relative(_ items: [DiscoveredItem], to root: String) -> [String] {
        items.map { String($0.path.dropFirst(root.count + 1)) + ($0.problem == nil ? "" : " !") }
    }

    @Test func directoryListsVideosInNameOrderOnce() throws {
        let root = try Self.makeTree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let items = try Discovery().discover(paths: [root])
        // link.mp4 is b.mp4 again; the dangling link is reported, not skipped.
        #expect(relative(items, to: root) == ["a.MOV", "b.mp4", "dangling.mp4 !"])
        #expect(items[2].problem?.contains("broken symbolic link") == true)
    }

    /// A folder of subfolders scanned without -r gives no videos; discovery names it so the CLI
    /// can say that -r was probably meant, instead of a silent "0 videos".
    @Test func aFolderOfOnlySubfoldersIsNamedWithoutRecursive() throws {
        let root = try Self.makeTree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let plain = Discovery()
        try FileManager.default.createDirectory(atPath: root + "/shelf/one", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/shelf/two", withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: root + "/shelf/one/x.mp4", contents: Data("x".utf8)))
        #expect(FileManager.default.createFile(atPath: root + "/shelf/readme.txt", contents: Data("x".utf8)))
        #expect(try plain.discover(paths: [root + "/shelf"]).isEmpty)
        #expect(plain.foldersLeftUnsearched(paths: [root + "/shelf", root, root + "/b.mp4"])
                == [Discovery.FolderLeftUnsearched(directory: root + "/shelf", subfolders: 2)])
        #expect(Discovery(options: DiscoveryOptions(recursive: true)).foldersLeftUnsearched(paths: [root + "/shelf"]).isEmpty)
    }

    @Test func recursiveWalkSurvivesLinkLoopsAndSkipsHidden() throws {
        let root = try Self.makeTree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let items = try Discovery(options: DiscoveryOptions(recursive: true)).discover(paths: [root])
        #expect(relative(items, to: root) == ["a.MOV", "b.mp4", "dangling.mp4 !", "sub/c.mkv", "sub/deeper/d.webm"])
        let hidden = try Discovery(options: DiscoveryOptions(recursive: true, includeHidden: true)).discover(paths: [root])
        #expect(relative(hidden, to: root) == [
            ".hidden.mp4", "a.MOV", "b.mp4", "dangling.mp4 !", "sub/.git/e.mp4", "sub/c.mkv", "sub/deeper/d.webm",
        ])
        // Same input, same order, every time.
        #expect(try Discovery(options: DiscoveryOptions(recursive: true)).discover(paths: [root]) == items)
    }

    @Test func extensionFilterAppliesToDirectoriesNotToNamedFiles() throws {
        let root = try Self.makeTree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let options = DiscoveryOptions(recursive: true, extensions: DiscoveryOptions.parseExtensions(" .MKV,webm ,"))
        #expect(options.extensions == ["mkv", "webm"])
        let items = try Discovery(options: options).discover(paths: [root, root + "/notes.txt"])
        #expect(relative(items, to: root) == ["sub/c.mkv", "sub/deeper/d.webm", "notes.txt"])
    }

    @Test func missingPathsBecomeProblemItems() throws {
        let root = try Self.makeTree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let items = try Discovery().discover(paths: [root + "/missing.mp4", root + "/b.mp4", root + "/b.mp4"])
        #expect(items.count == 2)
        #expect(items[0] == DiscoveredItem(path: root + "/missing.mp4", problem: "no such file or directory"))
        #expect(items[1] == DiscoveredItem(path: root + "/b.mp4"))
    }

    @Test func fromListReadsRelativePathsAgainstTheWorkingDirectory() throws {
        let root = try Self.makeTree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let list = root + "/list.txt"
        try "# videos to check\r\nb.mp4\r\n\r\n./sub/../sub/c.mkv\r\nghost.mp4\n".write(toFile: list, atomically: true, encoding: .utf8)
        let items = try Discovery(workingDirectory: root).discover(paths: ["a.MOV"], fromList: "list.txt")
        #expect(relative(items, to: root) == ["a.MOV", "b.mp4", "sub/c.mkv", "ghost.mp4 !"])
        #expect(throws: DiscoveryError.self) { try Discovery().discover(paths: [], fromList: root + "/nope.txt") }
    }

    /// ".." after a link leads out of the link's target, as the kernel resolves it: the row
    /// must name the file that is opened, not the one the text would suggest.
    @Test func dotDotAfterALinkNamesTheFileTheKernelOpens() throws {
        let root = try Self.makeTree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        // sub/deeper/up → sub, so up/.. is root (lexically it would be sub/deeper).
        let items = try Discovery(workingDirectory: root).discover(paths: ["sub/deeper/up/../b.mp4", "sub/deeper/up/c.mkv"])
        #expect(relative(items, to: root) == ["b.mp4", "sub/deeper/up/c.mkv"])
    }

    @Test func normalisesPathsLexically() {
        #expect(Discovery.normalised("/a/./b//c/../d/") == "/a/b/d")
        #expect(Discovery.normalised("/../x") == "/x")
        #expect(Discovery.fileExtension(of: ".mp4") == "")
        #expect(Discovery.fileExtension(of: "x.tar.MP4") == "mp4")
    }
}
