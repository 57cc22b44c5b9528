import Crypto
import Foundation
import Reports

/// What a shard's run writes beside its CSV (`CSV.shard.json`) so that `merge` can check the
/// shards belong together and put their rows back in the order one run would have written.
public struct ShardManifest: Sendable, Equatable, Codable {
    public var shard: Shard
    /// `RunConfiguration.fingerprint`: shards scanned with other settings are never merged.
    public var configuration: String
    /// The CSV layout (`standard` or `kaggle`).
    public var layout: String
    /// Files discovered in the whole input, all shards together.
    public var discovered: Int
    /// SHA-256 of those files' paths in discovery order: shards that found other files (other
    /// inputs, `--include`/`--exclude`, or order) cannot be put back together. Nil in
    /// manifests written before it was recorded.
    public var discoveredDigest: String?
    /// False when the run was interrupted before every file of the shard had a row.
    public var complete: Bool
    /// The shard's JSONL of face rows, when it wrote one.
    public var jsonl: String?
    /// For each CSV row, in order, the file's position among all files discovered.
    public var order: [Int]

    public init(shard: Shard, configuration: String, layout: String, discovered: Int, discoveredDigest: String? = nil,
                complete: Bool, jsonl: String?, order: [Int]) {
        self.shard = shard
        self.configuration = configuration
        self.layout = layout
        self.discovered = discovered
        self.discoveredDigest = discoveredDigest
        self.complete = complete
        self.jsonl = jsonl
        self.order = order
    }

    enum CodingKeys: String, CodingKey {
        case shard, configuration, layout, discovered, complete, jsonl, order
        case discoveredDigest = "discovered_sha256"
    }

    /// The digest `discoveredDigest` records for files found in this order.
    public static func digest(of discovered: [DiscoveredItem]) -> String {
        var hasher = SHA256()
        for item in discovered { hasher.update(data: PathText.bytes(of: item.path) + [0]) }
        return ContentHash.hex(hasher.finalize())
    }

    /// Where the manifest of the shard CSV at `csvPath` lives.
    public static func path(forCSV csvPath: String) -> String { csvPath + ".shard.json" }

    public func write(forCSV csvPath: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(try encoder.encode(self), to: URL(fileURLWithPath: Self.path(forCSV: csvPath)))
    }

    public static func read(forCSV csvPath: String) throws -> ShardManifest {
        let path = Self.path(forCSV: csvPath)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ShardMergeError.refused("\(csvPath) has no shard manifest \(path) (written by scan --shard K/N)")
        }
        do { return try JSONDecoder().decode(ShardManifest.self, from: data) } catch {
            throw ShardMergeError.refused("\(path) is not a shard manifest (\(error))")
        }
    }
}
