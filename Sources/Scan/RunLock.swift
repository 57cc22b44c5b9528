import Foundation

/// Keeps two runs from writing the same outputs at once (a nightly run still going when the
/// next one starts). An exclusive `flock` on a lock file beside the store: the kernel drops it
/// when the holder exits, even by `kill -9`, so a crash never leaves a stale lock. The holder
/// writes who it is into the file, and a second run reports that and stops.
public final class RunLock {
    private let descriptor: Int32
    public let path: String

    /// Takes the lock or throws `RunLockError.held` at once (never waits).
    public init(path: String) throws {
        let descriptor = PathText.withCPath(path) { open($0, O_RDWR | O_CREAT | O_CLOEXEC, 0o644) }
        guard descriptor >= 0 else {
            throw RunLockError.unusable(path: path, reason: String(cString: strerror(errno)))
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            let holder = String(decoding: FileHandle(fileDescriptor: descriptor, closeOnDealloc: true).readDataToEndOfFile(),
                                as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if reason == EWOULDBLOCK { throw RunLockError.held(path: path, holder: holder.isEmpty ? "another process" : holder) }
            throw RunLockError.unusable(path: path, reason: String(cString: strerror(reason)))
        }
        self.descriptor = descriptor
        self.path = path
        let info = ProcessInfo.processInfo
        let started = ISO8601DateFormatter().string(from: Date())
        let holder = "pid \(info.processIdentifier) on \(info.hostName), started \(started)\n"
        ftruncate(descriptor, 0)
        _ = holder.withCString { pwrite(descriptor, $0, strlen($0), 0) }
    }

    deinit {
        ftruncate(descriptor, 0)
        close(descriptor)  // releases the flock
    }

    /// The lock file of a run whose store (or, without one, CSV) is at `path`.
    public static func path(for outputPath: String) -> String { outputPath + ".lock" }
}

public enum RunLockError: Error, Equatable, CustomStringConvertible {
    case held(path: String, holder: String)
    case unusable(path: String, reason: String)

    public var description: String {
        switch self {
        case let .held(path, holder):
            return "another run is writing these outputs (\(holder); lock \(path)); try again when it has finished"
        case let .unusable(path, reason): return "cannot use the lock file \(path): \(reason)"
        }
    }
}
