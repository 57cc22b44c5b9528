import Foundation

/// One part of a run split across machines: `--shard K/N` takes the files whose path hashes
/// to K (1…N). The choice depends on each file's own path only, never on its position in the
/// list, so adding files to the tree does not move the others to another shard, and every
/// file lands in exactly one shard.
public struct Shard: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    /// 1…count.
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) throws {
        guard count >= 1, (1...count).contains(index) else { throw ShardError.badSpecification("\(index)/\(count)") }
        self.index = index
        self.count = count
    }

    /// Parses `K/N` (1 ≤ K ≤ N).
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw ShardError.badSpecification(text)
        }
        try self.init(index: index, count: count)
    }

    public var description: String { "\(index)/\(count)" }

    /// Whether the file at `path` (a `PathText`) belongs to this shard.
    public func contains(path: String) -> Bool {
        Self.shardIndex(of: path, count: count) == index
    }

    /// The shard (1…count) a path belongs to: FNV-1a (64 bit) of the path's bytes, which any
    /// language can recompute, so a cluster script can tell where a file went.
    public static func shardIndex(of path: String, count: Int) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in PathText.bytes(of: path) {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return Int(hash % UInt64(count)) + 1
    }
}

public enum ShardError: Error, Equatable, CustomStringConvertible {
    case badSpecification(String)

    public var description: String {
        switch self {
        case let .badSpecification(text): return "--shard '\(text)' is not K/N with 1 ≤ K ≤ N"
        }
    }
}
