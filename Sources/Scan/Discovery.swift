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
    /// Files found in a folder are taken only when one of these matches their path relative
    /// to the folder named (all when empty); files named explicitly are always taken.
    public var include: [PathGlob] = []
    /// Files found in a folder whose relative path one of these matches are left out, and so
    /// are folders they match (not entered). Files named explicitly are always taken.
    public var exclude: [PathGlob] = []

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
///
/// Paths are handled as the bytes they are (directories are read with readdir, not through
/// `String`), so a name that is not valid UTF-8 is found and opened as it is; the items
/// carry it as `PathText`. A FIFO, socket or device with a video extension gets a problem
/// row: it is only ever stat'ed, never opened.
public struct Discovery {
    public var options: DiscoveryOptions
    private let workingDirectory: String

    public init(options: DiscoveryOptions = DiscoveryOptions(), workingDirectory: String = FileManager.default.currentDirectoryPath) {
        self.options = options
        self.workingDirectory = workingDirectory
    }

    /// Paths of a `--from-list` file: one per line, blank lines and lines starting with "#"
    /// ignored. A line that is not valid UTF-8 is a raw file name, returned as `PathText`.
    public func readList(at path: String) throws -> [String] {
        let url = URL(fileURLWithPath: absoluteText(path))
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DiscoveryError.unreadableList(path: path, reason: error.localizedDescription)
        }
        return data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
            .map { line in Array(line.last == UInt8(ascii: "\r") ? line.dropLast() : line) }
            .filter { !$0.isEmpty && $0.first != UInt8(ascii: "#") }
            .map(PathText.text(of:))
    }

    /// The items for `paths` followed by those of the list file, if any.
    public func discover(paths: [String], fromList listPath: String? = nil) throws -> [DiscoveredItem] {
        var all = paths
        if let listPath { all += try readList(at: listPath) }
        var walk = Walk()
        for path in all { visit(absolute(path), named: true, root: nil, walk: &walk) }
        return walk.items
    }

    /// A directory named on the command line that holds no video at its top level, only
    /// subfolders, which a scan without `recursive` does not enter.
    public struct FolderLeftUnsearched: Sendable, Equatable {
        public var directory: String
        public var subfolders: Int
    }

    /// The named directories that would give no video without `recursive` although they have
    /// subfolders: the user most likely meant -r, and a silent "0 videos" does not say so.
    public func foldersLeftUnsearched(paths: [String]) -> [FolderLeftUnsearched] {
        guard !options.recursive else { return [] }
        return paths.compactMap { path in
            let directory = absolute(path)
            guard let info = Self.status(of: directory, followingLinks: true), (info.st_mode & S_IFMT) == S_IFDIR,
                  let names = Self.entryNames(of: directory) else { return nil }
            var videos = 0, subfolders = 0
            for name in names where options.includeHidden || name.first != UInt8(ascii: ".") {
                let child = directory.last == UInt8(ascii: "/") ? directory + name : directory + [UInt8(ascii: "/")] + name
                if let childInfo = Self.status(of: child, followingLinks: true), (childInfo.st_mode & S_IFMT) == S_IFDIR {
                    subfolders += 1
                } else if options.extensions.contains(Self.fileExtension(of: name)) {
                    videos += 1
                }
            }
            return videos == 0 && subfolders > 0 ? FolderLeftUnsearched(directory: path, subfolders: subfolders) : nil
        }
    }

    private struct Walk {
        var items: [DiscoveredItem] = []
        var seenFiles: Set<FileIdentity> = []
        var seenProblemPaths: Set<[UInt8]> = []
        var enteredDirectories: Set<FileIdentity> = []

        mutating func add(_ path: [UInt8], identity: FileIdentity) {
            if seenFiles.insert(identity).inserted { items.append(DiscoveredItem(path: PathText.text(of: path))) }
        }

        mutating func problem(_ path: [UInt8], _ reason: String) {
            if seenProblemPaths.insert(path).inserted {
                items.append(DiscoveredItem(path: PathText.text(of: path), problem: reason))
            }
        }
    }

    /// The path below `root` (the folder named), for the include and exclude patterns.
    private func relative(_ path: [UInt8], to root: [UInt8]) -> String {
        let prefix = root.last == UInt8(ascii: "/") ? root : root + [UInt8(ascii: "/")]
        return PathText.text(of: Array(path.starts(with: prefix) ? path.dropFirst(prefix.count) : path[...]))
    }

    /// `root`: the folder named on the command line that the walk came from; nil for a named path.
    private func visit(_ path: [UInt8], named: Bool, root: [UInt8]?, walk: inout Walk) {
        guard let info = Self.status(of: path, followingLinks: true) else {
            let reason = String(cString: strerror(errno))
            if let link = Self.status(of: path, followingLinks: false), (link.st_mode & S_IFMT) == S_IFLNK {
                walk.problem(path, "broken symbolic link (\(reason))")
            } else {
                walk.problem(path, reason.lowercased())
            }
            return
        }
        let identity = FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        switch info.st_mode & S_IFMT {
        case S_IFDIR:
            // A directory named on the command line is always listed; deeper ones only when recursive.
            guard named || options.recursive else { return }
            guard walk.enteredDirectories.insert(identity).inserted else { return }
            guard let names = Self.entryNames(of: path) else {
                walk.problem(path, "cannot list directory (\(String(cString: strerror(errno)).lowercased()))")
                return
            }
            for name in names.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                if !options.includeHidden && name.first == UInt8(ascii: ".") { continue }
                let child = path.last == UInt8(ascii: "/") ? path + name : path + [UInt8(ascii: "/")] + name
                let childInfo = Self.status(of: child, followingLinks: true)
                if childInfo == nil && errno == ENAMETOOLONG {
                    // Nothing below can be opened by its path: say so rather than skip it.
                    walk.problem(child, "path too long to open (\(child.count) bytes; the system's limit is \(PATH_MAX))")
                    continue
                }
                let isDirectory = childInfo.map { ($0.st_mode & S_IFMT) == S_IFDIR } ?? false
                if !isDirectory && !options.extensions.contains(Self.fileExtension(of: name)) { continue }
                let top = root ?? path
                if !options.exclude.isEmpty || !options.include.isEmpty {
                    let below = relative(child, to: top)
                    if options.exclude.contains(where: { $0.matches(relativePath: below) }) { continue }
                    if !isDirectory && !options.include.isEmpty && !options.include.contains(where: { $0.matches(relativePath: below) }) {
                        continue
                    }
                }
                visit(child, named: false, root: top, walk: &walk)
            }
        case S_IFREG:
            guard PathText.withCPath(bytes: path, { access($0, R_OK) }) == 0 else {
                walk.problem(path, "not readable (\(String(cString: strerror(errno))))")
                return
            }
            walk.add(path, identity: identity)
        default:
            walk.problem(path, "not a regular file (\(Self.kind(of: info.st_mode)))")
        }
    }

    /// stat(2) or lstat(2) of a path given as bytes; nil with errno set when it fails.
    static func status(of path: [UInt8], followingLinks: Bool) -> stat? {
        var info = stat()
        let result = PathText.withCPath(bytes: path) { followingLinks ? stat($0, &info) : lstat($0, &info) }
        return result == 0 ? info : nil
    }

    /// The entry names of a directory as raw bytes ("." and ".." left out); nil with errno
    /// set when it cannot be read.
    static func entryNames(of directory: [UInt8]) -> [[UInt8]]? {
        guard let stream = PathText.withCPath(bytes: directory, { opendir($0) }) else { return nil }
        defer { closedir(stream) }
        var names: [[UInt8]] = []
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 { return nil }
                return names
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            if name == [UInt8(ascii: ".")] || name == [UInt8(ascii: "."), UInt8(ascii: ".")] { continue }
            names.append(name)
        }
    }

    /// What a file that is neither a directory nor a regular file is, for its error row.
    static func kind(of mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: return "a FIFO"
        case S_IFSOCK: return "a socket"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        default: return "an unknown kind of file"
        }
    }

    /// The absolute, normalised bytes of a command-line or list path (its `file://` form
    /// decoded). Up to its last "..", the path is what the kernel resolves (`realpath`): ".."
    /// after a symbolic link leads out of the link's target, so removing it with the name
    /// before it would name another file than the one opened. The rest keeps its links as named.
    private func absolute(_ path: String) -> [UInt8] {
        let bytes = PathText.bytes(of: path)
        let joined = bytes.first == UInt8(ascii: "/") ? bytes : PathText.bytes(of: workingDirectory) + [UInt8(ascii: "/")] + bytes
        let parts = joined.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true)
        guard let last = parts.lastIndex(where: { $0.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")]) }),
              let resolved = Self.realPath([UInt8(ascii: "/")] + Array(parts[...last].joined(separator: [UInt8(ascii: "/")])))
        else { return Self.normalised(joined) }  // no "..", or a prefix that does not exist: as named
        return Self.normalised(resolved + [UInt8(ascii: "/")] + Array(parts[(last + 1)...].joined(separator: [UInt8(ascii: "/")])))
    }

    /// The kernel's absolute path of an existing path, links resolved; nil when it cannot say.
    private static func realPath(_ path: [UInt8]) -> [UInt8]? {
        PathText.withCPath(bytes: path) { cPath in
            guard let resolved = realpath(cPath, nil) else { return nil }
            defer { free(resolved) }
            return Array(UnsafeBufferPointer(start: UnsafeRawPointer(resolved).assumingMemoryBound(to: UInt8.self),
                                             count: strlen(resolved)))
        }
    }

    private func absoluteText(_ path: String) -> String { PathText.text(of: absolute(path)) }

    /// Removes "." and empty components and resolves ".." lexically (links are kept as named).
    static func normalised(_ path: [UInt8]) -> [UInt8] {
        var parts: [ArraySlice<UInt8>] = []
        for part in path.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
            if part.elementsEqual([UInt8(ascii: ".")]) { continue }
            if part.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")]) {
                if !parts.isEmpty { parts.removeLast() }
                continue
            }
            parts.append(part)
        }
        return [UInt8(ascii: "/")] + Array(parts.joined(separator: [UInt8(ascii: "/")]))
    }

    static func normalised(_ path: String) -> String { PathText.text(of: normalised(PathText.bytes(of: path))) }

    /// The lower-case extension of a name ("" when none); bytes after the dot that are not
    /// UTF-8 match no extension.
    static func fileExtension(of name: [UInt8]) -> String {
        guard let dot = name.lastIndex(of: UInt8(ascii: ".")), dot != name.startIndex else { return "" }
        return String(decoding: name[(dot + 1)...], as: UTF8.self).lowercased()
    }

    static func fileExtension(of name: String) -> String { fileExtension(of: Array(name.utf8)) }
}

struct FileIdentity: Hashable {
    var device: UInt64
    var inode: UInt64
}

extension String {
    fileprivate func trimmingDot() -> String { hasPrefix(".") ? String(dropFirst()) : self }
    fileprivate func trimmingSpaces() -> String { trimmingCharacters(in: .whitespaces) }
}
