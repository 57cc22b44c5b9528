import Foundation
import XCTest
@testable import NN
import Tensor

/// Issue 16, defect 4: every malformed or hostile safetensors file is refused with
/// `SafeTensorsError.malformed` and a one-line reason; nothing traps (before the strict
/// header reader, several of these killed the process: `Int(UInt64)` of a huge length, the
/// shape product overflowing, NSNumber turning 1e19 into a negative offset).
final class SafeTensorsHostileTests: XCTestCase {
    /// An 8-byte little-endian length (the header's own unless `length` is given), the header, the data.
    private static func file(_ header: String, data: [UInt8] = [], length: UInt64? = nil) -> [UInt8] {
        let headerBytes = Array(header.utf8)
        return withUnsafeBytes(of: (length ?? UInt64(headerBytes.count)).littleEndian, Array.init) + headerBytes + data
    }

    private static func entry(_ dtype: String = "F32", shape: String, offsets: String) -> String {
        "{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":\(offsets)}"
    }

    /// name → bytes; each must be refused as malformed.
    static let hostile: [(String, [UInt8])] = [
        ("empty file", []),
        ("7 bytes", [1, 0, 0, 0, 0, 0, 0]),
        ("length UInt64.max", file("{}", length: .max)),
        ("length 2^63", file("{}", length: 1 << 63)),
        ("length 2^40, beyond the file", file("{}", length: 1 << 40)),
        ("length one past the file", file("{}", length: 3)),
        ("length over the 100 MB limit", file("{}", length: 100_000_001)),
        ("length 0", file("", length: 0)),
        ("truncated JSON", file("{\"a\":")),
        ("JSON array", file("[1,2]")),
        ("JSON string", file("\"x\"")),
        ("JSON number", file("42")),
        ("data after the JSON", file("{} x")),
        ("NUL after the JSON", file("{}\u{0}")),
        ("metadata value not a string", file("{\"__metadata__\":{\"k\":1}}")),
        ("metadata not an object", file("{\"__metadata__\":\"x\"}")),
        ("duplicate metadata", file("{\"__metadata__\":{},\"__metadata__\":{}}")),
        ("duplicate tensor key", file("{\"a\":\(entry(shape: "[1]", offsets: "[0,4]")),\"a\":\(entry(shape: "[1]", offsets: "[0,4]"))}", data: [0, 0, 0, 0])),
        ("entry not an object", file("{\"a\":1}")),
        ("entry without dtype", file("{\"a\":{\"shape\":[],\"data_offsets\":[0,0]}}")),
        ("entry without shape", file("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,0]}}")),
        ("entry without offsets", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[0]}}")),
        ("unknown dtype", file("{\"a\":\(entry("F128", shape: "[0]", offsets: "[0,0]"))}")),
        ("dtype not a string", file("{\"a\":{\"dtype\":4,\"shape\":[0],\"data_offsets\":[0,0]}}")),
        ("negative dimensions whose product fits", file("{\"a\":\(entry(shape: "[-2,-2]", offsets: "[0,16]"))}", data: .init(repeating: 0, count: 16))),
        ("fractional dimension", file("{\"a\":\(entry(shape: "[2.0]", offsets: "[0,8]"))}", data: .init(repeating: 0, count: 8))),
        ("exponent dimension", file("{\"a\":\(entry(shape: "[2e0]", offsets: "[0,8]"))}", data: .init(repeating: 0, count: 8))),
        ("dimension beyond Int", file("{\"a\":\(entry(shape: "[18446744073709551617]", offsets: "[0,4]"))}", data: [0, 0, 0, 0])),
        ("element count overflows", file("{\"a\":\(entry(shape: "[4611686018427387904,4]", offsets: "[0,0]"))}")),
        ("byte count overflows", file("{\"a\":\(entry(shape: "[4611686018427387904]", offsets: "[0,0]"))}")),
        ("zero dimension beside overflowing ones", file("{\"a\":\(entry(shape: "[0,4611686018427387904,4611686018427387904]", offsets: "[0,0]"))}")),
        ("shape not a list", file("{\"a\":\(entry(shape: "3", offsets: "[0,12]"))}", data: .init(repeating: 0, count: 12))),
        ("offsets reversed", file("{\"a\":\(entry(shape: "[1]", offsets: "[4,0]"))}", data: [0, 0, 0, 0])),
        ("offsets beyond the data", file("{\"a\":\(entry(shape: "[1]", offsets: "[4,8]"))}", data: [0, 0, 0, 0])),
        ("offset 1e19", file("{\"a\":\(entry(shape: "[1]", offsets: "[10000000000000000000,4]"))}", data: [0, 0, 0, 0])),
        ("offset Int.max", file("{\"a\":\(entry(shape: "[1]", offsets: "[0,9223372036854775807]"))}", data: [0, 0, 0, 0])),
        ("negative offset", file("{\"a\":\(entry(shape: "[1]", offsets: "[-4,0]"))}", data: [0, 0, 0, 0])),
        ("three offsets", file("{\"a\":\(entry(shape: "[1]", offsets: "[0,4,8]"))}", data: [0, 0, 0, 0])),
        ("fractional offset", file("{\"a\":\(entry(shape: "[1]", offsets: "[0,4.0]"))}", data: [0, 0, 0, 0])),
        ("offsets that do not fit the shape", file("{\"a\":\(entry(shape: "[2]", offsets: "[0,4]"))}", data: [0, 0, 0, 0])),
        ("overlapping tensors", file("{\"a\":\(entry(shape: "[1]", offsets: "[0,4]")),\"b\":\(entry(shape: "[1]", offsets: "[0,4]"))}", data: [0, 0, 0, 0])),
        ("partly overlapping tensors", file("{\"a\":\(entry("U8", shape: "[3]", offsets: "[0,3]")),\"b\":\(entry("U8", shape: "[3]", offsets: "[2,5]"))}", data: [0, 0, 0, 0, 0])),
        ("gap before a tensor", file("{\"a\":\(entry(shape: "[1]", offsets: "[4,8]"))}", data: .init(repeating: 0, count: 8))),
        ("data left over", file("{\"a\":\(entry(shape: "[1]", offsets: "[0,4]"))}", data: .init(repeating: 0, count: 8))),
        ("data without tensors", file("{}", data: [1])),
        ("invalid UTF-8 in a key", file("{\"\u{FF}\":1}").map { $0 == 0xC3 ? 0xFF : $0 }),
        ("lone surrogate escape", file("{\"\\ud800\":1}")),
        ("control character in a string", file("{\"a\u{1}\":1}")),
        ("invalid escape", file("{\"\\q\":1}")),
        ("nested 100000 deep", file("{\"__metadata__\":" + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}")),
        ("newline in a hostile key", file("{\"a\\nb\\u2028c\":{\"dtype\":\"x\\ny\",\"shape\":[0],\"data_offsets\":[0,0]}}")),
    ]

    func testEveryHostileHeaderIsRefusedAsMalformedOnOneLine() {
        for (name, bytes) in Self.hostile {
            XCTAssertThrowsError(try SafeTensorsFile(bytes: bytes, name: "h.safetensors"), name) { error in
                guard case let .malformed(path, reason)? = error as? SafeTensorsError else {
                    return XCTFail("\(name): \(error) is not .malformed")
                }
                XCTAssertEqual(path, "h.safetensors", name)
                XCTAssertFalse("\(error)".contains(where: \.isNewline), "\(name): \(error)")
                XCTAssertFalse(reason.isEmpty, name)
            }
        }
    }

    /// The same table through the file path (mmap) that `--weights` takes.
    func testHostileFilesOnDiskAreRefusedTheSameWay() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nn-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (index, (name, bytes)) in Self.hostile.enumerated() {
            let url = directory.appendingPathComponent("\(index).safetensors")
            try Data(bytes).write(to: url)
            XCTAssertThrowsError(try SafeTensorsFile(url: url), name) { error in
                guard case .malformed? = error as? SafeTensorsError else { return XCTFail("\(name): \(error)") }
            }
        }
        XCTAssertThrowsError(try SafeTensorsFile(url: directory)) {
            guard case .unreadable? = $0 as? SafeTensorsError else { return XCTFail("\($0)") }
        }
    }

    func testEachReasonNamesTheProblem() {
        func reason(_ bytes: [UInt8]) -> String {
            do { _ = try SafeTensorsFile(bytes: bytes, name: "f"); return "accepted" } catch { return "\(error)" }
        }
        XCTAssertTrue(reason(Self.file("{}", length: .max)).contains("over the 100000000-byte limit"))
        XCTAssertTrue(reason(Self.file("{\"a\":1,\"a\":2}")).contains("duplicate key"))
        XCTAssertTrue(reason(Self.file("{\"a\":\(Self.entry(shape: "[-1]", offsets: "[0,0]"))}")).contains("non-negative integers"))
        XCTAssertTrue(reason(Self.file("{\"a\":\(Self.entry(shape: "[1]", offsets: "[0,4]")),\"b\":\(Self.entry(shape: "[1]", offsets: "[0,4]"))}", data: [0, 0, 0, 0]))
            .contains("overlaps"))
        XCTAssertTrue(reason(Self.file("{}", data: [1])).contains("data bytes 0..<1 belong to no tensor"))
        XCTAssertTrue(reason(Self.file("{\"a\\nb\":1}")).contains("entry \"a\\nb\" is not a JSON object"))
    }

    /// What the strict reader must still accept: zero-sized tensors, escapes, padding, every
    /// dtype, the metadata map; and the in-memory and on-disk readers agree.
    func testValidEdgeCasesStillLoad() throws {
        let header = "{\"__metadata__\":{\"k\\u00e9\":\"v\\n\\ud83d\\ude00\"},"
            + "\"e\":\(Self.entry(shape: "[0,3]", offsets: "[0,0]")),"
            + "\"w\":\(Self.entry(shape: "[2]", offsets: "[0,8]")),"
            + "\"m\":\(Self.entry("U8", shape: "[2]", offsets: "[8,10]")),"
            + "\"z\":\(Self.entry("I64", shape: "[0]", offsets: "[10,10]"))}   \t\n"
        var data: [UInt8] = []
        for value: Float in [1.5, -2] { withUnsafeBytes(of: value.bitPattern.littleEndian) { data += $0 } }
        data += [7, 9]
        let file = try SafeTensorsFile(bytes: Self.file(header, data: data), name: "ok")
        XCTAssertEqual(file.metadata, ["ké": "v\n😀"])
        XCTAssertEqual(file.keys, ["e", "m", "w", "z"])
        XCTAssertEqual(try file.floats("w"), [1.5, -2])
        XCTAssertEqual(try file.floats("e"), [])
        XCTAssertEqual(try file.bytes("m"), [7, 9])
        XCTAssertThrowsError(try file.floats("z"))
        XCTAssertEqual(file.entries["e"]?.shape, [0, 3])

        let written = try SafeTensorsWriter.encode(["a/b": Tensor(shape: [1, 2], storage: [3, 4])], metadata: ["x": "y/z"])
        let fromMemory = try SafeTensorsFile(bytes: written, name: "w")
        XCTAssertEqual(try fromMemory.floats("a/b"), [3, 4])
        XCTAssertEqual(fromMemory.metadata, ["x": "y/z"])
    }

    /// Tensor names the model does not use are named on one line, at most 10 of them.
    func testUnusedTensorNamesStayOnOneLine() throws {
        var tensors = ["a\nb": Tensor(zeros: [1])]
        for index in 0..<20 { tensors["extra.\(index)"] = Tensor(zeros: [1]) }
        let loader = try WeightLoader(file: SafeTensorsFile(bytes: SafeTensorsWriter.encode(tensors), name: "w"))
        XCTAssertThrowsError(try loader.finish()) { error in
            XCTAssertEqual(error as? SafeTensorsError, .unexpectedTensors(tensors.keys.sorted(), file: "w"))
            XCTAssertFalse("\(error)".contains(where: \.isNewline), "\(error)")
            XCTAssertTrue("\(error)".hasSuffix("\"a\\nb\", extra.0, extra.1, extra.10, extra.11, extra.12, extra.13, extra.14, extra.15, extra.16 and 11 more"), "\(error)")
        }
    }

    func testHostileModelCardValuesAreRefusedOnOneLine() throws {
        let card = ModelCard(name: "m", architecture: "meso4", version: "1", inputSize: 256, colourOrder: "RGB",
                             scaling: "x/255", provenance: "test")
        let hostile: [(String, String)] = [
            ("input_size", "99999999999999999999"), ("input_size", "4097"), ("input_size", "-1"), ("input_size", "1e3"),
            ("input_size", "9223372036854775807"), ("threshold", "nan"), ("threshold", "inf"), ("threshold", "-0.1"),
            ("metrics", "{\"auc\": \"high\"}"), ("metrics", String(repeating: "[", count: 100_000)),
            ("metrics", "{\"auc\":\n1e999}"), ("ensemble_members", "[{\"file\":\"../x\",\"sha256\":\"\"}]"),
            ("ensemble_members", "{}"),
        ]
        for (key, value) in hostile {
            var metadata = card.metadata
            metadata[key] = value
            XCTAssertThrowsError(try ModelCard(metadata: metadata), "\(key)=\(value.prefix(20))") { error in
                XCTAssertEqual(error as? ModelCardError, .invalidField(key, value))
                XCTAssertFalse("\(error)".contains(where: \.isNewline), "\(error)")
                XCTAssertLessThan("\(error)".count, 200)
            }
        }
        var largest = card.metadata
        largest["input_size"] = String(ModelCard.maximumInputSize)
        XCTAssertEqual(try ModelCard(metadata: largest).inputSize, ModelCard.maximumInputSize)
    }
}
