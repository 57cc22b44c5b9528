/// A strict JSON reader for safetensors headers (RFC 8259, UTF-8), written for hostile input:
/// bounded nesting, duplicate object keys refused, numbers kept as their text so that callers
/// convert exactly (no silent rounding of 1e30 or 1.5 to an integer, as NSNumber does).
/// Every failure is a `HeaderJSON.Failure` saying where and what; nothing traps.
enum HeaderJSON {
    case object([(key: String, value: HeaderJSON)])
    case array([HeaderJSON])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    struct Failure: Error, Equatable {
        let offset: Int
        let reason: String
    }

    /// Deeper than any safetensors header needs (it nests 3 levels); keeps recursion shallow.
    static let maximumDepth = 32

    static func parse(_ bytes: UnsafeRawBufferPointer) throws(Failure) -> HeaderJSON {
        var reader = Reader(bytes: bytes)
        reader.skipWhitespace()
        let value = try reader.value(depth: 0)
        reader.skipWhitespace()
        guard reader.position == bytes.count else { throw reader.failure("data after the JSON value") }
        return value
    }

    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var position = 0

        func failure(_ reason: String) -> Failure { Failure(offset: position, reason: reason) }

        var current: UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func skipWhitespace() {
            while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
        }

        mutating func expect(_ byte: UInt8, _ what: String) throws(Failure) {
            guard current == byte else { throw failure("expected \(what)") }
            position += 1
        }

        mutating func value(depth: Int) throws(Failure) -> HeaderJSON {
            guard depth < HeaderJSON.maximumDepth else { throw failure("nested deeper than \(HeaderJSON.maximumDepth) levels") }
            switch current {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            case let byte? where byte == UInt8(ascii: "-") || (0x30...0x39).contains(byte): return .number(try number())
            case nil: throw failure("unexpected end")
            default: throw failure("unexpected byte 0x\(String(bytes[position], radix: 16))")
            }
        }

        mutating func object(depth: Int) throws(Failure) -> HeaderJSON {
            position += 1  // {
            var members: [(key: String, value: HeaderJSON)] = []
            var seen: Set<String> = []
            skipWhitespace()
            if current == UInt8(ascii: "}") { position += 1; return .object(members) }
            while true {
                skipWhitespace()
                guard current == UInt8(ascii: "\"") else { throw failure("expected a string key") }
                let keyStart = position
                let key = try string()
                guard seen.insert(key).inserted else { throw Failure(offset: keyStart, reason: "duplicate key") }
                skipWhitespace()
                try expect(UInt8(ascii: ":"), "':'")
                skipWhitespace()
                members.append((key, try value(depth: depth + 1)))
                skipWhitespace()
                if current == UInt8(ascii: ",") { position += 1; continue }
                try expect(UInt8(ascii: "}"), "',' or '}'")
                return .object(members)
            }
        }

        mutating func array(depth: Int) throws(Failure) -> HeaderJSON {
            position += 1  // [
            var elements: [HeaderJSON] = []
            skipWhitespace()
            if current == UInt8(ascii: "]") { position += 1; return .array(elements) }
            while true {
                skipWhitespace()
                elements.append(try value(depth: depth + 1))
                skipWhitespace()
                if current == UInt8(ascii: ",") { position += 1; continue }
                try expect(UInt8(ascii: "]"), "',' or ']'")
                return .array(elements)
            }
        }

        mutating func literal(_ word: String) throws(Failure) {
            let expected = Array(word.utf8)
            guard bytes.count - position >= expected.count,
                  expected.indices.allSatisfy({ bytes[position + $0] == expected[$0] }) else {
                throw failure("invalid literal")
            }
            position += expected.count
        }

        /// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, returned as written.
        mutating func number() throws(Failure) -> String {
            let start = position
            if current == UInt8(ascii: "-") { position += 1 }
            if current == UInt8(ascii: "0") {
                position += 1
            } else {
                guard try digits() > 0 else { throw failure("invalid number") }
            }
            if current == UInt8(ascii: ".") {
                position += 1
                guard try digits() > 0 else { throw failure("invalid number") }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                position += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
                guard try digits() > 0 else { throw failure("invalid number") }
            }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        }

        mutating func digits() throws(Failure) -> Int {
            let start = position
            while let byte = current, (0x30...0x39).contains(byte) { position += 1 }
            return position - start
        }

        /// A string's contents, escapes resolved; control characters, bad escapes, lone
        /// surrogates and invalid UTF-8 are refused.
        mutating func string() throws(Failure) -> String {
            position += 1  // opening quote
            var scalars = String.UnicodeScalarView()
            while true {
                guard let byte = current else { throw failure("unterminated string") }
                switch byte {
                case UInt8(ascii: "\""):
                    position += 1
                    return String(scalars)
                case UInt8(ascii: "\\"):
                    position += 1
                    scalars.append(try escape())
                case ..<0x20:
                    throw failure("control character in a string")
                case ..<0x80:
                    scalars.append(Unicode.Scalar(byte))
                    position += 1
                default:
                    scalars.append(try multiByteScalar())
                }
            }
        }

        mutating func escape() throws(Failure) -> Unicode.Scalar {
            guard let byte = current else { throw failure("unterminated string") }
            position += 1
            switch byte {
            case UInt8(ascii: "\""): return "\""
            case UInt8(ascii: "\\"): return "\\"
            case UInt8(ascii: "/"): return "/"
            case UInt8(ascii: "b"): return "\u{08}"
            case UInt8(ascii: "f"): return "\u{0C}"
            case UInt8(ascii: "n"): return "\n"
            case UInt8(ascii: "r"): return "\r"
            case UInt8(ascii: "t"): return "\t"
            case UInt8(ascii: "u"):
                let unit = try hex4()
                if (0xD800..<0xDC00).contains(unit) {
                    guard current == UInt8(ascii: "\\"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "u") else {
                        throw failure("lone surrogate in \\u escape")
                    }
                    position += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw failure("lone surrogate in \\u escape") }
                    return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))!
                }
                guard let scalar = Unicode.Scalar(unit) else { throw failure("lone surrogate in \\u escape") }
                return scalar
            default:
                throw failure("invalid escape")
            }
        }

        mutating func hex4() throws(Failure) -> UInt32 {
            guard bytes.count - position >= 4 else { throw failure("short \\u escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[position]
                let digit: UInt8
                switch byte {
                case 0x30...0x39: digit = byte - 0x30
                case 0x41...0x46: digit = byte - 0x41 + 10
                case 0x61...0x66: digit = byte - 0x61 + 10
                default: throw failure("invalid \\u escape")
                }
                value = value << 4 | UInt32(digit)
                position += 1
            }
            return value
        }

        /// One UTF-8 sequence of 2–4 bytes, shortest form, no surrogates, at most U+10FFFF.
        mutating func multiByteScalar() throws(Failure) -> Unicode.Scalar {
            let lead = bytes[position]
            let length: Int, minimum: UInt32
            var value: UInt32
            switch lead {
            case 0xC2...0xDF: length = 2; minimum = 0x80; value = UInt32(lead & 0x1F)
            case 0xE0...0xEF: length = 3; minimum = 0x800; value = UInt32(lead & 0x0F)
            case 0xF0...0xF4: length = 4; minimum = 0x10000; value = UInt32(lead & 0x07)
            default: throw failure("invalid UTF-8")
            }
            guard bytes.count - position >= length else { throw failure("invalid UTF-8") }
            for index in 1..<length {
                let continuation = bytes[position + index]
                guard continuation & 0xC0 == 0x80 else { throw failure("invalid UTF-8") }
                value = value << 6 | UInt32(continuation & 0x3F)
            }
            guard value >= minimum, let scalar = Unicode.Scalar(value) else { throw failure("invalid UTF-8") }
            position += length
            return scalar
        }
    }
}
