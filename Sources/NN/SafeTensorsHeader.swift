/// The validated header of a safetensors file. Checks what the reference implementation
/// (huggingface/safetensors, `Metadata::validate`) checks, so a file either loads completely
/// or is refused with one line: header length within the file and at most 100 MB, a JSON
/// object without duplicate keys, string-to-string `__metadata__`, a known dtype,
/// non-negative integer shapes whose element count and byte size fit, and tensors that
/// tile the data section exactly (sorted by offset: no gap, no overlap, nothing left over).
struct SafeTensorsHeader {
    var entries: [String: SafeTensorsFile.Entry] = [:]
    var metadata: [String: String] = [:]
    /// Offset of the data section from the start of the file.
    var dataStart = 0

    /// The reference implementation's limit.
    static let maximumHeaderLength = 100_000_000

    static let byteWidths = ["F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2,
                             "I8": 1, "U8": 1, "BOOL": 1]

    /// `file`: the whole file's bytes. Throws a one-line reason (the caller adds the path).
    init(parsing file: UnsafeRawBufferPointer) throws(Invalid) {
        guard file.count >= 8 else { throw Invalid("file of \(file.count) bytes has no header") }
        let declared = UInt64(littleEndian: file.loadUnaligned(as: UInt64.self))
        guard declared <= UInt64(Self.maximumHeaderLength) else {
            throw Invalid("header length \(declared) is over the \(Self.maximumHeaderLength)-byte limit")
        }
        let headerLength = Int(declared)
        guard headerLength <= file.count - 8 else {
            throw Invalid("header length \(headerLength) exceeds the file (\(file.count - 8) bytes after the length)")
        }
        dataStart = 8 + headerLength
        let dataSize = file.count - dataStart
        let root: HeaderJSON
        do {
            root = try HeaderJSON.parse(UnsafeRawBufferPointer(rebasing: file[8..<dataStart]))
        } catch {
            throw Invalid("header is not valid JSON: \(error.reason) at byte \(8 + error.offset)")
        }
        guard case let .object(members) = root else { throw Invalid("header is not a JSON object") }
        for (key, value) in members {
            if key == "__metadata__" {
                metadata = try Self.metadata(value)
            } else {
                entries[key] = try Self.entry(key, value, dataSize: dataSize)
            }
        }
        try Self.checkTiling(entries, dataSize: dataSize)
    }

    /// Why a header is refused: one line, no path.
    struct Invalid: Error, Equatable {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }

    private static func metadata(_ value: HeaderJSON) throws(Invalid) -> [String: String] {
        guard case let .object(members) = value else { throw Invalid("__metadata__ is not a JSON object") }
        var map: [String: String] = [:]
        for (key, value) in members {
            guard case let .string(text) = value else { throw Invalid("__metadata__ value of \(quoted(key)) is not a string") }
            map[key] = text
        }
        return map
    }

    private static func entry(_ key: String, _ value: HeaderJSON, dataSize: Int) throws(Invalid) -> SafeTensorsFile.Entry {
        let name = "entry \(quoted(key))"
        guard case let .object(fields) = value else { throw Invalid("\(name) is not a JSON object") }
        func field(_ field: String) throws(Invalid) -> HeaderJSON {
            guard let found = fields.first(where: { $0.key == field }) else { throw Invalid("\(name) lacks \(field)") }
            return found.value
        }
        guard case let .string(dtype) = try field("dtype") else { throw Invalid("\(name): dtype is not a string") }
        guard let width = byteWidths[dtype] else { throw Invalid("\(name) has unknown dtype \(quoted(dtype))") }
        guard let shape = integers(try field("shape")) else {
            throw Invalid("\(name): shape is not a list of non-negative integers")
        }
        guard let offsets = integers(try field("data_offsets")), offsets.count == 2 else {
            throw Invalid("\(name): data_offsets is not two non-negative integers")
        }
        guard let byteCount = byteCount(shape, width: width) else {
            throw Invalid("\(name): shape \(brief(shape)) of \(dtype) is too large")
        }
        let (start, end) = (offsets[0], offsets[1])
        guard start <= end, end <= dataSize else {
            throw Invalid("\(name): data_offsets [\(start), \(end)] outside the \(dataSize)-byte data section")
        }
        guard end - start == byteCount else {
            throw Invalid("\(name): data_offsets [\(start), \(end)] hold \(end - start) bytes, shape \(brief(shape)) of \(dtype) needs \(byteCount)")
        }
        return SafeTensorsFile.Entry(dtype: dtype, shape: shape, range: start..<end)
    }

    /// Non-negative integers that fit an Int, written without fraction or exponent.
    private static func integers(_ value: HeaderJSON) -> [Int]? {
        guard case let .array(elements) = value else { return nil }
        var result: [Int] = []
        result.reserveCapacity(elements.count)
        for element in elements {
            guard case let .number(text) = element, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
                  let integer = Int(text) else { return nil }
            result.append(integer)
        }
        return result
    }

    /// Bytes of a tensor of `shape`, or nil when the product of its non-zero dimensions times
    /// the width overflows (so that any later product of some of its dimensions fits an Int).
    static func byteCount(_ shape: [Int], width: Int) -> Int? {
        var bounded = width
        var hasZero = false
        for dimension in shape {
            if dimension == 0 { hasZero = true; continue }
            let (product, overflow) = bounded.multipliedReportingOverflow(by: dimension)
            if overflow { return nil }
            bounded = product
        }
        return hasZero ? 0 : bounded
    }

    /// Sorted by offsets, tensors must follow each other from 0 to the end of the data.
    private static func checkTiling(_ entries: [String: SafeTensorsFile.Entry], dataSize: Int) throws(Invalid) {
        let ordered = entries.sorted { ($0.value.range.lowerBound, $0.value.range.upperBound, $0.key) < ($1.value.range.lowerBound, $1.value.range.upperBound, $1.key) }
        var end = 0
        var previous: String? = nil
        for (key, entry) in ordered {
            if entry.range.lowerBound < end {
                throw Invalid("entry \(quoted(key)) overlaps entry \(quoted(previous ?? ""))")
            }
            if entry.range.lowerBound > end {
                throw Invalid("data bytes \(end)..<\(entry.range.lowerBound) belong to no tensor")
            }
            end = entry.range.upperBound
            previous = key
        }
        guard end == dataSize else { throw Invalid("data bytes \(end)..<\(dataSize) belong to no tensor") }
    }

    static func quoted(_ text: String) -> String { oneLineQuoted(text) }

    /// A shape for a message: at most 8 dimensions shown.
    private static func brief(_ shape: [Int]) -> String {
        shape.count <= 8 ? "\(shape)" : "[\(shape.prefix(8).map(String.init).joined(separator: ", ")), … (\(shape.count) dimensions)]"
    }
}
