import Foundation
import Aggregate

/// Everything that changes a video's result. Stored results are reused only under the
/// same fingerprint, so changing the model or the frame count rescans.
public struct RunConfiguration: Sendable, Equatable, Hashable {
    public var model: String
    public var frames: Int
    public var aggregator: Aggregator
    public var threshold: Double
    /// Further settings that change results (model version, fps, margin …), by name.
    public var extra: [String: String]

    public init(model: String, frames: Int, aggregator: Aggregator, threshold: Double, extra: [String: String] = [:]) {
        self.model = model
        self.frames = frames
        self.aggregator = aggregator
        self.threshold = threshold
        self.extra = extra
    }

    /// A readable canonical text of the settings, keys sorted: easy to inspect in the store.
    public var fingerprint: String {
        var fields = extra
        fields["model"] = model
        fields["frames"] = String(frames)
        fields["aggregator"] = aggregator.rawValue
        fields["threshold"] = String(threshold)
        return fields.keys.sorted().map { "\($0)=\(fields[$0]!)" }.joined(separator: ";")
    }
}

/// What identifies a file's content cheaply: a changed size or modification time rescans it.
/// Paths compare by their exact bytes (see `PathKey`), not by Swift's canonical equivalence.
public struct FileKey: Sendable, Equatable, Hashable {
    public var path: String
    public var size: Int64
    public var modificationNanoseconds: Int64

    public init(path: String, size: Int64, modificationNanoseconds: Int64) {
        self.path = path
        self.size = size
        self.modificationNanoseconds = modificationNanoseconds
    }

    init(path: String, status info: stat) {
        let nanoseconds = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        self.init(path: path, size: Int64(info.st_size), modificationNanoseconds: nanoseconds)
    }

    /// The key of the file at `path` (a `PathText`) now; nil when it cannot be stat'ed.
    public static func current(path: String) -> FileKey? {
        Discovery.status(of: PathText.bytes(of: path), followingLinks: true).map { FileKey(path: path, status: $0) }
    }

    public static func == (a: FileKey, b: FileKey) -> Bool {
        PathKey(a.path) == PathKey(b.path) && a.size == b.size && a.modificationNanoseconds == b.modificationNanoseconds
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(PathKey(path))
        hasher.combine(size)
        hasher.combine(modificationNanoseconds)
    }
}
