import Foundation
import Testing

/// Issue 16, defect 4: `scan --weights` with a malformed or hostile safetensors file exits 2
/// with one line on stderr (it died with SIGILL on random bytes and huge header lengths).
@Suite struct MalformedWeightsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// 8-byte little-endian length, then the header text.
    static func file(_ header: String, length: UInt64? = nil) -> Data {
        let bytes = Data(header.utf8)
        return withUnsafeBytes(of: (length ?? UInt64(bytes.count)).littleEndian) { Data($0) } + bytes
    }

    @Test(.disabled(if: ExitCodeTests.binary == nil, "deepfake-scan not built"))
    func scanWithMalformedWeightsExitsTwoWithOneLine() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("malformed-weights-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try Data(contentsOf: Self.root.appendingPathComponent("Sources/Detectors/Models/sbi-meso4.safetensors"))
        var generator = SystemRandomNumberGenerator()
        let files: [String: Data] = [
            "random": Data((0..<100).map { _ in UInt8.random(in: 0...255, using: &generator) }),
            "huge-length": Self.file("{}", length: .max),
            "truncated": model.prefix(model.count / 2),
            "overflowing-shape": Self.file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,0]}}"),
            "newline-in-key": Self.file("{\"a\\nb\":{\"dtype\":\"F99\",\"shape\":[],\"data_offsets\":[0,0]}}"),
        ]
        let video = Self.root.appendingPathComponent("Samples/astronaut_real.mp4").path
        for (name, bytes) in files.sorted(by: { $0.key < $1.key }) {
            let weights = folder.appendingPathComponent("\(name).safetensors")
            try bytes.write(to: weights)
            let result = try ExitCodeTests.run(["scan", video, "--weights", weights.path,
                                                "--csv", folder.appendingPathComponent("out.csv").path])
            #expect(result.status == 2, "\(name): \(result.stderr)")
            #expect(result.stderr.hasPrefix("error: ") && result.stderr.split(separator: "\n").count == 1,
                    "\(name): \(result.stderr)")
        }
    }
}
