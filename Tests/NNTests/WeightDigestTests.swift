import Foundation
import XCTest
@testable import NN
import Tensor
import TestSupport

/// The SHA-256 an ensemble card pins its member files with (swift-crypto) is the digest other
/// tools print for the same file, so a card written by the Python exporter matches.
final class WeightDigestTests: XCTestCase {
    /// A weight file's digest is what coreutils' sha256sum (another implementation) prints for it.
    func testAWeightFileDigestIsWhatSha256sumPrints() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sha-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        let values = (0..<100_000).map { Float($0 % 977) * 0.5 }  // 400 kB: many blocks
        try SafeTensorsWriter.encode(["w": Tensor(shape: [values.count], storage: values)], metadata: ["k": "v"]).write(to: url)
        let printed = String(decoding: try ChildProcess.check("/usr/bin/sha256sum", [url.path]), as: UTF8.self)
        let digest = try SafeTensorsFile(url: url).sha256()
        XCTAssertEqual(digest, String(printed.prefix(64)))
        XCTAssertTrue(digest.allSatisfy { "0123456789abcdef".contains($0) }, "lower-case hex, as the cards store it")
    }

    /// One byte changed anywhere changes the digest (the pin a retrained member must fail).
    func testOneChangedByteChangesTheDigest() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sha-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        var values = [Float](repeating: 0.25, count: 1000)
        try SafeTensorsWriter.encode(["w": Tensor(shape: [values.count], storage: values)], metadata: [:]).write(to: url)
        let before = try SafeTensorsFile(url: url).sha256()
        values[999] = 0.5
        try SafeTensorsWriter.encode(["w": Tensor(shape: [values.count], storage: values)], metadata: [:]).write(to: url)
        XCTAssertNotEqual(try SafeTensorsFile(url: url).sha256(), before)
    }
}
