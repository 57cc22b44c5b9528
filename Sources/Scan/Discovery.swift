import Foundation

/// One input the scan will produce a row for.
public struct DiscoveredItem: Sendable, Equatable, Hashable {
    /// Absolute path, as reached (symbolic links in it are kept, not resolved).
    public var path: String
    /// Why this item cannot be analysed (missing, unreadable, broken link); nil when it can.
    /// Such items still get a row with status=error: nothing is skipped silently.
    public var problem: String?

    public init(path: String, problem: String? = nil) {
        self.path = path
        self.problem = problem
    }
}

/// What discovery looks at.
public struct DiscoveryOptions: Sendable, Equatable {
    /// Descend into subdirectories of the directories given.
    public var recursive: Bool
    /// Also take names starting with "." inside directories.
    public var includeHidden: Bool
    /// Lower-case extensions (no dot) taken from directories. Files named explicitly are
    /// always taken: the user asked for them.
    public var extensions: Set<String>

    public static let defaultExtensions: Set<String> = [
        "mp4", "m4v", "mov", "mkv", "webm", "avi", "wmv", "flv", "mpg", "mpeg", "ts", "mts", "m2ts", "3gp",
    ]

    public init(recursive: Bool = false, includeHidden: Bool = false, extensions: Set<String> = defaultExtensions) {
        self.recursive = recursive
        self.includeHidden = includeHidden
        self.extensions = Set(extensions.map { $0.lowercased().trimmingDot() })
    }

    /// Parses `mp4,MOV, .mkv` into a set of extensions.
    public static func parseExtensions(_ text: String) -> Set<String> {
        Set(text.split(separator: ",").map { String($0).trimmingSpaces().lowercased().trimmingDot() }.filter { !$0.isEmpty })
    }
}

/// Errors that stop discovery as a whole (a usage problem), unlike per-item problems.
public enum DiscoveryError: Error, Equatable, CustomStringConvertible {
    case unreadableList(path: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadableList(path, reason): return "cannot read the list \(path): \(reason)"
        }
    }
}

/// Turns command-line paths into the ordered list of videos to scan.
///
/// Order is deterministic: arguments in the order given (then the list file's lines), each
/// directory's entries sorted by name. A file reached twice (same device and inode, e.g.
/// through a link) is scanned once. Directories are entered once each, so a symbolic link
/// that points back up the tree cannot loop.
public struct Discovery {
    public var options: DiscoveryOptions
    private let workingDirectory: String

    public init(options: DiscoveryOptions = DiscoveryOptions(), workingDirectory: String = FileManager.default.currentDirectoryPath) {
        self.options = options
        self.workingDirectory = workingDirectory
    }

    /// Paths of a `--from-list` file: one per line, blank lines and lines starting with "#" ignored.
    public func readList(at path: String) throws -> [String] {
        let url = URL(fileURLWithPath: absolute(path))
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DiscoveryError.unreadableList(path: path, reason: error.localizedDescription)
        }
        // "\r\n" is one Character in Swift, so split on both line ends.
        return String(decoding: data, as: UTF8.self).split(whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map(String.init)
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }

    /// The items for `paths` followed by those of the list file, if any.
    public func discover(paths: [String], fromList listPath: String? = nil) throws -> [DiscoveredItem] {
        var all = paths
        if let listPath { all += try readList(at: listPath) }
        var walk = Walk()
        for path in all { visit(absolute(path), named: true, walk: &walk) }
        return walk.items
    }

    private struct Walk {
        var items: [DiscoveredItem] = []
        var seenFiles: Set<FileIdentity> = []
        var seenProblemPaths: Set<String> = []
        var enteredDirectories: Set<FileIdentity> = []

        mutating func add(_ path: String, identity: FileIdentity) {
            if seenFiles.insert(identity).inserted { items.append(DiscoveredItem(path: path)) }
        }

        mutating func problem(_ path: String, _ reason: String) {
            if seenProblemPaths.insert(path).inserted { items.append(DiscoveredItem(path: path, problem: reason)) }
        }
    }

    private func visit(_ path: String, named: Bool, walk: inout Walk) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            var linkInfo = stat()
            if lstat(path, &linkInfo) == 0, (linkInfo.st_mode & S_IFMT) == S_IFLNK {
                walk.problem(path, "broken symbolic link (\(String(cString: strerror(code))))")
            } else {
                walk.problem(path, String(cString: strerror(code)).lowercased())
            }
            return
        }
        let identity = FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        switch info.st_mode & S_IFMT {
        case S_IFDIR:
            // A directory named on the command line is always listed; deeper ones only when recursive.
            guard named || options.recursive else { return }
            guard walk.enteredDirectories.insert(identity).inserted else { return }
            let names: [String]
            do { names = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
                walk.problem(path, "cannot list directory (\(Self.reason(of: error)))")
                return
            }
            for name in names.sorted(by: Self.byteOrder) {
                if !options.includeHidden && name.hasPrefix(".") { continue }
                let child = path.hasSuffix("/") ? path + name : path + "/" + name
                var childInfo = stat()
                let isDirectory = stat(child, &childInfo) == 0 && (childInfo.st_mode & S_IFMT) == S_IFDIR
                if !isDirectory && !options.extensions.contains(Self.fileExtension(of: name)) { continue }
                visit(child, named: false, walk: &walk)
            }
        case S_IFREG:
            guard access(path, R_OK) == 0 else {
                walk.problem(path, "not readable (\(String(cString: strerror(errno))))")
                return
            }
            walk.add(path, identity: identity)
        default:
            if named { walk.problem(path, "not a regular file") }
        }
    }

    private func absolute(_ path: String) -> String {
        let joined = path.hasPrefix("/") ? path : workingDirectory + "/" + path
        return Self.normalised(joined)
    }

    /// Removes "." and empty components and resolves ".." lexically (links are kept as named).
    static func normalised(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    static func fileExtension(of name: String) -> String {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return name[name.index(after: dot)...].lowercased()
    }

    /// Byte order of the UTF-8 names: the same on every machine and locale.
    static func byteOrder(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    static func reason(of error: Error) -> String {
        (error as NSError).localizedFailureReason ?? error.localizedDescription
    }
}

struct FileIdentity: Hashable {
    var device: UInt64
    var inode: UInt64
}

extension String {
    fileprivate func trimmingDot() -> String { hasPrefix(".") ? String(dropFirst()) : self }
    fileprivate func trimmingSpaces() -> String { trimmingCharacters(in: .whitespaces) }
}
