import Foundation

/// A file a run will write, named by the option that chose it (for the error message).
public struct PlannedOutput: Sendable, Equatable {
    public var option: String
    public var path: String

    public init(option: String, path: String) {
        self.option = option
        self.path = path
    }
}

/// Why an output path was refused; one line that names the option, the path and the fix.
public struct OutputPathError: Error, Equatable, CustomStringConvertible {
    public var description: String

    init(_ output: PlannedOutput, _ problem: String) {
        description = "\(output.option) \(output.path): \(problem)"
    }

    init(description: String) { self.description = description }
}

/// Checks a run's output paths before it starts, so that a bad one fails at once instead of
/// after hours of work, and no output ever replaces an input (`scan dir --csv dir/a.mp4`).
///
/// Refused: an output that is one of the inputs (same device and inode, or the same path with
/// links in its folder resolved), a directory or other non-regular file, one whose folder is
/// missing, one that cannot be written (tried by creating a file beside it, and by opening an
/// existing one for appending, which changes nothing), and two outputs that are the same file.
/// The probe files are removed again; no existing file is truncated.
public enum OutputPaths {
    public static func check(
        _ outputs: [PlannedOutput], inputs: [String],
        workingDirectory: String = FileManager.default.currentDirectoryPath
    ) throws(OutputPathError) {
        let inputFiles = inputs.map { FileName(resolvingFolder(absolute($0, in: workingDirectory))) }
        var planned: [(output: PlannedOutput, file: FileName)] = []
        for output in outputs {
            let file = try located(output, in: workingDirectory)
            if inputFiles.contains(where: { $0.isSameFile(as: file) }) {
                throw OutputPathError(output, "is one of the inputs and would be overwritten; choose another file")
            }
            if let earlier = planned.first(where: { $0.file.isSameFile(as: file) }) {
                throw OutputPathError(description: "\(earlier.output.option) and \(output.option) both name \(output.path); "
                    + "give them different files")
            }
            planned.append((output, file))
        }
        for (output, file) in planned { try probeWriting(output, file) }
    }

    /// The output's absolute path (folder links resolved), after the checks that need no writing.
    private static func located(_ output: PlannedOutput, in workingDirectory: String) throws(OutputPathError) -> FileName {
        if output.path.isEmpty { throw OutputPathError(output, "empty path; name a file") }
        let (folder, name) = split(absolute(output.path, in: workingDirectory))
        if name.isEmpty { throw OutputPathError(output, "names a folder; name a file") }
        var folderInfo = stat()
        guard stat(folder, &folderInfo) == 0 else {
            throw OutputPathError(output, "folder \(folder) is missing or unreachable (\(errnoText())); create it first")
        }
        guard (folderInfo.st_mode & S_IFMT) == S_IFDIR else {
            throw OutputPathError(output, "\(folder) is not a folder")
        }
        let file = FileName(resolvingFolder(folder + (folder.hasSuffix("/") ? "" : "/") + name))
        if let info = file.info {
            switch info.st_mode & S_IFMT {
            case S_IFREG: break
            case S_IFDIR: throw OutputPathError(output, "is a directory; name a file")
            default: throw OutputPathError(output, "is not a regular file (a device, FIFO or socket); name a file")
            }
        }
        return file
    }

    /// Creates (and removes) a file in the output's folder, and opens an existing output for
    /// appending without writing, so that permissions, read-only mounts and pseudo file systems
    /// such as /proc are found out now.
    private static func probeWriting(_ output: PlannedOutput, _ file: FileName) throws(OutputPathError) {
        let (folder, name) = split(file.path)
        // The same name length as AtomicFile's temporary file, so a name too long for it fails here.
        let probe = (folder == "/" ? "" : folder) + "/.\(name).\(ProcessInfo.processInfo.processIdentifier).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let created = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard created >= 0 else {
            throw OutputPathError(output, "cannot create files in \(folder) (\(errnoText()))")
        }
        close(created)
        unlink(probe)
        if file.info != nil {
            let existing = open(file.path, O_WRONLY | O_APPEND | O_CLOEXEC)
            guard existing >= 0 else { throw OutputPathError(output, "cannot be written (\(errnoText()))") }
            close(existing)
        }
    }

    /// A path by name and, when it exists, by device and inode.
    private struct FileName {
        var path: String
        var info: stat?

        init(_ path: String) {
            self.path = path
            var info = stat()
            self.info = stat(path, &info) == 0 ? info : nil
        }

        func isSameFile(as other: FileName) -> Bool {
            if let mine = info, let theirs = other.info {
                return mine.st_dev == theirs.st_dev && mine.st_ino == theirs.st_ino
            }
            return path == other.path
        }
    }

    private static func absolute(_ path: String, in workingDirectory: String) -> String {
        path.hasPrefix("/") ? path : workingDirectory + "/" + path
    }

    /// Folder and name of an absolute path: "/a/b/c.csv" → ("/a/b", "c.csv"), "/c.csv" → ("/", "c.csv").
    private static func split(_ path: String) -> (folder: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let folder = slash == path.startIndex ? "/" : String(path[..<slash])
        return (folder, String(path[path.index(after: slash)...]))
    }

    /// The path with the links and `..` of its folder resolved, when the folder exists.
    private static func resolvingFolder(_ path: String) -> String {
        let (folder, name) = split(path)
        guard !name.isEmpty, let real = realPath(folder) else { return path }
        return real == "/" ? "/" + name : real + "/" + name
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private static func errnoText() -> String { String(cString: strerror(errno)).lowercased() }
}
