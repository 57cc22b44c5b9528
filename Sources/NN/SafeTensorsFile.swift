import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A safetensors file, memory-mapped: an 8-byte little-endian header length, a JSON header
/// (`{"key": {"dtype", "shape", "data_offsets"}, "__metadata__": {string: string}}`), then the data.
/// Holds the mapping; not Sendable — copy values out (`floats`, `bytes`) to share them.
public final class SafeTensorsFile {
    public struct Entry: Sendable, Equatable {
        public let dtype: String
        public let shape: [Int]
        let range: Range<Int>   // byte range within the data section
    }

    public let url: URL
    public let entries: [String: Entry]
    public let metadata: [String: String]
    private let base: UnsafeMutableRawPointer
    private let size: Int
    private let dataStart: Int
    /// The file on disk when it was mapped: device, inode, size and status-change time to the
    /// nanosecond (ctime, which any write or replacement moves and no user can set back).
    public let identity: String

    public init(url: URL) throws {
        self.url = url
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else { throw SafeTensorsError.unreadable(url.path, String(cString: strerror(errno))) }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw SafeTensorsError.unreadable(url.path, String(cString: strerror(errno))) }
        size = Int(status.st_size)
        #if os(Linux)
        let changed = status.st_ctim
        #else
        let changed = status.st_ctimespec
        #endif
        identity = "\(status.st_dev):\(status.st_ino):\(status.st_size):\(changed.tv_sec).\(changed.tv_nsec)"
        guard size >= 8 else { throw SafeTensorsError.malformed(url.path, "file of \(size) bytes has no header") }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw SafeTensorsError.unreadable(url.path, String(cString: strerror(errno)))
        }
        base = mapped
        do {
            (entries, metadata, dataStart) = try Self.parseHeader(base, size: size, path: url.path)
        } catch {
            munmap(mapped, size)
            throw error
        }
    }

    deinit { munmap(base, size) }

    public var keys: [String] { entries.keys.sorted() }

    /// SHA-256 of the whole file, as `sha256sum` prints it.
    public func sha256() -> String { SHA256.hex(UnsafeRawBufferPointer(start: base, count: size)) }

    /// The values of an F32 tensor.
    public func floats(_ key: String) throws -> [Float] {
        let entry = try entry(key, dtype: "F32")
        let count = entry.range.count / 4
        var values = [Float](repeating: 0, count: count)
        values.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(start: base + dataStart + entry.range.lowerBound, count: entry.range.count)) }
        return values
    }

    /// The values of a U8 tensor.
    public func bytes(_ key: String) throws -> [UInt8] {
        let entry = try entry(key, dtype: "U8")
        return Array(UnsafeRawBufferPointer(start: base + dataStart + entry.range.lowerBound, count: entry.range.count))
    }

    private func entry(_ key: String, dtype: String) throws -> Entry {
        guard let entry = entries[key] else { throw SafeTensorsError.missingTensor(key, file: url.lastPathComponent) }
        guard entry.dtype == dtype else { throw SafeTensorsError.wrongDType(key, expected: dtype, found: entry.dtype) }
        return entry
    }

    private static let byteWidths = ["F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2,
                                     "I8": 1, "U8": 1, "BOOL": 1]

    private static func parseHeader(_ base: UnsafeMutableRawPointer, size: Int, path: String) throws
        -> ([String: Entry], [String: String], Int) {
        let headerLength = Int(UInt64(littleEndian: base.loadUnaligned(as: UInt64.self)))
        guard headerLength <= size - 8 else { throw SafeTensorsError.malformed(path, "header length \(headerLength) exceeds the file") }
        let headerBytes = Data(bytes: base + 8, count: headerLength)
        guard let header = try? JSONSerialization.jsonObject(with: headerBytes) as? [String: Any] else {
            throw SafeTensorsError.malformed(path, "header is not a JSON object")
        }
        let dataSize = size - 8 - headerLength
        var entries: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        for (key, value) in header {
            if key == "__metadata__" {
                guard let map = value as? [String: String] else { throw SafeTensorsError.malformed(path, "__metadata__ must map strings to strings") }
                metadata = map
                continue
            }
            guard let fields = value as? [String: Any], let dtype = fields["dtype"] as? String,
                  let shape = (fields["shape"] as? [NSNumber])?.map(\.intValue),
                  let offsets = (fields["data_offsets"] as? [NSNumber])?.map(\.intValue), offsets.count == 2 else {
                throw SafeTensorsError.malformed(path, "entry \(key) lacks dtype, shape or data_offsets")
            }
            guard let width = byteWidths[dtype] else { throw SafeTensorsError.malformed(path, "entry \(key) has unknown dtype \(dtype)") }
            guard offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= dataSize,
                  offsets[1] - offsets[0] == shape.reduce(width, *) else {
                throw SafeTensorsError.malformed(path, "entry \(key): offsets \(offsets) do not fit shape \(shape) of \(dtype)")
            }
            entries[key] = Entry(dtype: dtype, shape: shape, range: offsets[0]..<offsets[1])
        }
        return (entries, metadata, 8 + headerLength)
    }
}

public enum SafeTensorsError: Error, Equatable, CustomStringConvertible {
    case unreadable(String, String)
    case malformed(String, String)
    case missingTensor(String, file: String)
    case unexpectedTensors([String], file: String)
    case wrongShape(String, expected: [Int], found: [Int])
    case wrongDType(String, expected: String, found: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason): return "cannot read \(path): \(reason)"
        case let .malformed(path, reason): return "\(path) is not a valid safetensors file: \(reason)"
        case let .missingTensor(key, file): return "\(file) has no tensor \(key)"
        case let .unexpectedTensors(keys, file): return "\(file) has tensors the model does not use: \(keys.joined(separator: ", "))"
        case let .wrongShape(key, expected, found): return "tensor \(key) has shape \(found), expected \(expected)"
        case let .wrongDType(key, expected, found): return "tensor \(key) is \(found), expected \(expected)"
        }
    }
}
