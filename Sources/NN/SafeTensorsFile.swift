import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A safetensors file, memory-mapped: an 8-byte little-endian header length, a JSON header
/// (`{"key": {"dtype", "shape", "data_offsets"}, "__metadata__": {string: string}}`), then the data.
/// The header is validated in full on opening (`SafeTensorsHeader`): a file that opens has every
/// tensor inside its data section. Holds the mapping; not Sendable — copy values out (`floats`,
/// `bytes`) to share them.
public final class SafeTensorsFile {
    public struct Entry: Sendable, Equatable {
        public let dtype: String
        public let shape: [Int]
        let range: Range<Int>   // byte range within the data section
    }

    public let url: URL
    public let entries: [String: Entry]
    public let metadata: [String: String]
    private let base: UnsafeRawPointer
    private let size: Int
    private let isMapped: Bool
    private let dataStart: Int
    /// The file on disk when it was mapped: device, inode, size and status-change time to the
    /// nanosecond (ctime, which any write or replacement moves and no user can set back).
    /// Empty for a file read from memory.
    public let identity: String

    public init(url: URL) throws {
        self.url = url
        let fd = open(url.path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)  // a FIFO must not block the open
        guard fd >= 0 else { throw SafeTensorsError.unreadable(url.path, String(cString: strerror(errno))) }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw SafeTensorsError.unreadable(url.path, String(cString: strerror(errno))) }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw SafeTensorsError.unreadable(url.path, "not a regular file") }
        #if os(Linux)
        let changed = status.st_ctim
        #else
        let changed = status.st_ctimespec
        #endif
        identity = "\(status.st_dev):\(status.st_ino):\(status.st_size):\(changed.tv_sec).\(changed.tv_nsec)"
        size = Int(status.st_size)
        guard size >= 8 else { throw SafeTensorsError.malformed(url.path, "file of \(size) bytes has no header") }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw SafeTensorsError.unreadable(url.path, String(cString: strerror(errno)))
        }
        base = UnsafeRawPointer(mapped)
        isMapped = true
        do {
            let header = try SafeTensorsHeader(parsing: UnsafeRawBufferPointer(start: base, count: size))
            (entries, metadata, dataStart) = (header.entries, header.metadata, header.dataStart)
        } catch {
            munmap(mapped, size)
            throw SafeTensorsError.malformed(url.path, error.reason)
        }
    }

    /// A file's bytes already in memory (copied), e.g. for tests and the fuzzer; `name` stands
    /// for the path in errors.
    public init(bytes: some Collection<UInt8>, name: String) throws {
        url = URL(fileURLWithPath: name)
        identity = ""
        size = bytes.count
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(size, 1), alignment: 8)
        _ = buffer.initializeMemory(as: UInt8.self, from: bytes)
        base = UnsafeRawPointer(buffer.baseAddress!)
        isMapped = false
        do {
            let header = try SafeTensorsHeader(parsing: UnsafeRawBufferPointer(start: base, count: size))
            (entries, metadata, dataStart) = (header.entries, header.metadata, header.dataStart)
        } catch {
            buffer.deallocate()
            throw SafeTensorsError.malformed(name, error.reason)
        }
    }

    deinit {
        if isMapped { munmap(UnsafeMutableRawPointer(mutating: base), size) } else { base.deallocate() }
    }

    public var keys: [String] { entries.keys.sorted() }

    /// SHA-256 of the whole file, as `sha256sum` prints it.
    public func sha256() -> String {
        SHA256.hash(data: UnsafeRawBufferPointer(start: base, count: size)).map { String(format: "%02x", $0) }.joined()
    }

    /// The values of an F32 tensor.
    public func floats(_ key: String) throws -> [Float] {
        let bytes = try data(key, dtype: "F32")
        var values = [Float](repeating: 0, count: bytes.count / 4)
        values.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes.prefix($0.count))) }
        return values
    }

    /// The values of a U8 tensor.
    public func bytes(_ key: String) throws -> [UInt8] {
        Array(try data(key, dtype: "U8"))
    }

    /// The tensor's bytes. The header check put every range inside the data section; checked
    /// again here because a wrong pointer would read outside the mapping.
    private func data(_ key: String, dtype: String) throws -> UnsafeRawBufferPointer {
        guard let entry = entries[key] else { throw SafeTensorsError.missingTensor(key, file: url.lastPathComponent) }
        guard entry.dtype == dtype else { throw SafeTensorsError.wrongDType(key, expected: dtype, found: entry.dtype) }
        guard entry.range.lowerBound >= 0, entry.range.upperBound <= size - dataStart else {
            throw SafeTensorsError.malformed(url.path, "entry \(SafeTensorsHeader.quoted(key)) lies outside the data")
        }
        return UnsafeRawBufferPointer(start: base + dataStart + entry.range.lowerBound, count: entry.range.count)
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
        case let .unexpectedTensors(keys, file):
            // Names from the file: one line, and a few of them when there are thousands.
            let shown = keys.prefix(10).map { $0.allSatisfy(\.isPlainName) ? $0 : oneLineQuoted($0) }
            let more = keys.count > shown.count ? " and \(keys.count - shown.count) more" : ""
            return "\(file) has tensors the model does not use: \(shown.joined(separator: ", "))\(more)"
        case let .wrongShape(key, expected, found): return "tensor \(key) has shape \(found), expected \(expected)"
        case let .wrongDType(key, expected, found): return "tensor \(key) is \(found), expected \(expected)"
        }
    }
}

private extension Character {
    /// What a PyTorch state_dict key is made of; anything else is quoted in messages.
    var isPlainName: Bool { isASCII && (isLetter || isNumber || self == "." || self == "_" || self == "-") }
}
