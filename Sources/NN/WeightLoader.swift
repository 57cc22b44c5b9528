import Foundation
import Tensor

/// Strict loading of a state dict: every tensor a layer asks for must exist with exactly the
/// shape it expects, and `finish()` fails if the file holds tensors nobody asked for. Errors
/// name the key. Keys are the PyTorch state_dict keys of the Training/ definitions.
public final class WeightLoader {
    public let file: SafeTensorsFile
    /// Put before every key: a scoped loader reads one member of a file that holds several models.
    public let prefix: String
    /// Shared by a loader and its scoped ones, so the whole file's `finish()` sees what members took.
    private final class Ledger { var taken: Set<String> = [] }
    private let ledger: Ledger

    public init(url: URL) throws {
        file = try SafeTensorsFile(url: url)
        prefix = ""
        ledger = Ledger()
    }

    private init(file: SafeTensorsFile, prefix: String, ledger: Ledger) {
        self.file = file; self.prefix = prefix; self.ledger = ledger
    }

    public var metadata: [String: String] { file.metadata }

    /// A loader for the tensors under `prefix` (e.g. "member0."), as if they were a file of their own.
    public func scoped(_ prefix: String) -> WeightLoader {
        WeightLoader(file: file, prefix: self.prefix + prefix, ledger: ledger)
    }

    /// The F32 values of `key`, which must have exactly `shape`.
    public func take(_ key: String, shape: [Int]) throws -> [Float] {
        let key = prefix + key
        guard let entry = file.entries[key] else { throw SafeTensorsError.missingTensor(key, file: file.url.lastPathComponent) }
        guard entry.shape == shape else { throw SafeTensorsError.wrongShape(key, expected: shape, found: entry.shape) }
        ledger.taken.insert(key)
        return try file.floats(key)
    }

    /// Fails naming every tensor under this loader's prefix that no layer took.
    public func finish() throws {
        let unused = Set(file.entries.keys.filter { $0.hasPrefix(prefix) }).subtracting(ledger.taken)
        if !unused.isEmpty { throw SafeTensorsError.unexpectedTensors(unused.sorted(), file: file.url.lastPathComponent) }
    }
}
