import Foundation
import Tensor

/// Encodes F32 tensors (and string metadata) as a safetensors file: the format the loader reads.
public enum SafeTensorsWriter {
    public static func encode(_ tensors: [String: Tensor], metadata: [String: String] = [:]) throws -> Data {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var body = Data()
        for key in tensors.keys.sorted() {
            let tensor = tensors[key]!
            let start = body.count
            tensor.storage.withUnsafeBytes { body.append(contentsOf: $0) }
            header[key] = ["dtype": "F32", "shape": tensor.shape, "data_offsets": [start, body.count]]
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }  // keep the data section 8-byte aligned
        var file = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(json)
        file.append(body)
        return file
    }
}
