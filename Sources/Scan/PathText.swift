import Foundation

/// How a file path, which on Linux is any string of bytes, travels as a Swift `String`.
///
/// A path that is valid UTF-8 is its own text, byte for byte. A path that is not is written
/// as a file URI: `file://` then the path, with every byte that is not part of valid UTF-8,
/// and every `%`, as `%XX` (upper-case hex); everything else stays as it is. Discovery only
/// produces absolute paths, which start with "/", so the two forms never meet, and the rule
/// is lossless both ways: the CSV, the JSONL and the store hold this text, and
/// `bytes(of:)` gives back the exact name to open (so does `unquote_to_bytes` in Python).
/// (A relative name from the command line gets the same form, `file://d/bad_%FF.mp4`, until
/// discovery makes it absolute.)
public enum PathText {
    static let uriPrefix = "file://"

    /// The text for a path's bytes (no NUL inside: paths never contain one).
    public static func text(of bytes: [UInt8]) -> String {
        if let valid = String(validating: bytes, as: UTF8.self) { return valid }
        var text = uriPrefix
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                let scalar = Unicode.UTF8.decode(encoded)
                if scalar == "%" { text += "%25" } else { text.unicodeScalars.append(scalar) }
                offset += encoded.count
            case .error(let length):
                for byte in bytes[offset..<offset + length] { text += percent(byte) }
                offset += length
            case .emptyInput:
                return text
            }
        }
    }

    /// The bytes that `text` stands for: its UTF-8, or the decoded `file://` form.
    public static func bytes(of text: String) -> [UInt8] {
        decodedURI(text) ?? Array(text.utf8)
    }

    /// Runs `body` with the path as a NUL-terminated C string of its exact bytes.
    public static func withCPath<Result>(_ text: String, _ body: (UnsafePointer<CChar>) throws -> Result) rethrows -> Result {
        try withCPath(bytes: bytes(of: text), body)
    }

    /// Runs `body` with `bytes` as a NUL-terminated C string.
    public static func withCPath<Result>(bytes: [UInt8], _ body: (UnsafePointer<CChar>) throws -> Result) rethrows -> Result {
        let terminated = bytes.map { CChar(bitPattern: $0) } + [0]
        return try terminated.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }

    /// The bytes of a `file://…` text with well-formed escapes; nil for any other text.
    private static func decodedURI(_ text: String) -> [UInt8]? {
        guard text.hasPrefix(uriPrefix) else { return nil }
        let encoded = Array(text.utf8.dropFirst(uriPrefix.utf8.count))
        var bytes: [UInt8] = []
        bytes.reserveCapacity(encoded.count)
        var index = 0
        while index < encoded.count {
            let byte = encoded[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < encoded.count, let high = hexValue(encoded[index + 1]), let low = hexValue(encoded[index + 2])
                else { return nil }
                bytes.append(high << 4 | low)
                index += 3
            } else {
                bytes.append(byte)
                index += 1
            }
        }
        return bytes
    }

    private static func percent(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        return String(decoding: [UInt8(ascii: "%"), digits[Int(byte >> 4)], digits[Int(byte & 0xF)]], as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        default: return nil
        }
    }
}

/// A path compared and hashed by its exact bytes. Swift's `String ==` treats canonically
/// equivalent texts as equal ("café" composed and decomposed), but on Linux those are two
/// different files: every map from paths to results is keyed by this instead.
public struct PathKey: Hashable, Sendable, CustomStringConvertible {
    public let path: String

    public init(_ path: String) { self.path = path }

    public static func == (a: PathKey, b: PathKey) -> Bool { a.path.utf8.elementsEqual(b.path.utf8) }

    public func hash(into hasher: inout Hasher) {
        for byte in path.utf8 { hasher.combine(byte) }
    }

    public var description: String { path }
}
