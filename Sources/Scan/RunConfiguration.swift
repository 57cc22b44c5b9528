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
    /// The models of a run with several (`scan --model A --model B`), in column order; with
    /// one model empty or that one. `model` and `threshold` are then the main verdict's.
    public var models: [ModelMember]
    /// How the main verdict is made from the models' (nil: the first model's).
    public var ensemble: EnsembleRule?
    /// The classes of a single model with manipulation classes (AMTENnet; "real" first), which
    /// gives the CSV its `manipulation` columns; nil otherwise.
    public var manipulationClasses: [String]? = nil

    public init(model: String, frames: Int, aggregator: Aggregator, threshold: Double, extra: [String: String] = [:]) {
        self.model = model
        self.frames = frames
        self.aggregator = aggregator
        self.threshold = threshold
        self.extra = extra
        self.models = []
        self.ensemble = nil
    }

    /// A run with several models in one pass; `model` and `threshold` follow from them.
    public init(models: [ModelMember], ensemble: EnsembleRule?, frames: Int, aggregator: Aggregator,
                extra: [String: String] = [:]) {
        self.init(model: Self.modelColumn(members: models, ensemble: ensemble), frames: frames, aggregator: aggregator,
                  threshold: ensemble?.threshold ?? models.first?.threshold ?? 0.5, extra: extra)
        self.models = models
        self.ensemble = ensemble
    }

    /// A readable canonical text of the settings, keys sorted: easy to inspect in the store.
    public var fingerprint: String {
        var fields = extra
        fields["model"] = model
        fields["frames"] = String(frames)
        fields["aggregator"] = aggregator.rawValue
        fields["threshold"] = String(threshold)
        // Only runs with several models have these: one model's fingerprint is as it always was.
        if models.count > 1 {
            fields["models"] = models.map { "\($0.name)@\($0.threshold)" }.joined(separator: ",")
            if let ensemble { fields["ensemble"] = "\(ensemble.method.rawValue)@\(ensemble.threshold)" }
        }
        // Only models with classes have this: every other fingerprint is as it always was.
        if let manipulationClasses { fields["classes"] = manipulationClasses.joined(separator: ",") }
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
