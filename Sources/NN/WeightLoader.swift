import Foundation
import Tensor

/// Strict loading of a state dict: every tensor a layer asks for must exist with exactly the
/// shape it expects, and `finish()` fails if the file holds tensors nobody asked for. Errors
/// name the key. Keys are the PyTorch state_dict keys of the Training/ definitions.
public final class WeightLoader {
    public let file: SafeTensorsFile
    private var taken: Set<String> = []

    public init(url: URL) throws {
        file = try SafeTensorsFile(url: url)
    }

    public init(file: SafeTensorsFile) {
        self.file = file
    }

    public var metadata: [String: String] { file.metadata }

    /// The F32 values of `key`, which must have exactly `shape`.
    public func take(_ key: String, shape: [Int]) throws -> [Float] {
        guard let entry = file.entries[key] else { throw SafeTensorsError.missingTensor(key, file: file.url.lastPathComponent) }
        guard entry.shape == shape else { throw SafeTensorsError.wrongShape(key, expected: shape, found: entry.shape) }
        taken.insert(key)
        return try file.floats(key)
    }

    /// Fails naming every tensor in the file that no layer took.
    public func finish() throws {
        let unused = Set(file.entries.keys).subtracting(taken)
        if !unused.isEmpty { throw SafeTensorsError.unexpectedTensors(unused.sorted(), file: file.url.lastPathComponent) }
    }
}
