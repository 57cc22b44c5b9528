import Foundation
import XCTest
@testable import NN
import Tensor

final class SafeTensorsTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("nn-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func write(_ tensors: [String: Tensor], metadata: [String: String] = [:], name: String = "w.safetensors") throws -> URL {
        let url = directory.appendingPathComponent(name)
        try SafeTensorsWriter.encode(tensors, metadata: metadata).write(to: url)
        return url
    }

    /// A file written again in place of the old one has another identity (what the ensemble
    /// digest memo keys on), and reading it twice unchanged gives the same one.
    func testIdentityChangesWhenTheFileIsReplaced() throws {
        let url = try write(["w": Tensor(shape: [2], storage: [1, 2])])
        let first = try SafeTensorsFile(url: url).identity
        XCTAssertEqual(try SafeTensorsFile(url: url).identity, first)
        try SafeTensorsWriter.encode(["w": Tensor(shape: [2], storage: [3, 4])], metadata: [:]).write(to: url, options: .atomic)
        XCTAssertNotEqual(try SafeTensorsFile(url: url).identity, first)
    }

    func testRoundTripsValuesShapesAndMetadata() throws {
        let url = try write(["a.weight": Tensor(shape: [2, 3], storage: [1, 2, 3, 4, 5, 6]),
                             "b": Tensor(shape: [1], storage: [-0.5])], metadata: ["k": "v"])
        let file = try SafeTensorsFile(url: url)
        XCTAssertEqual(file.keys, ["a.weight", "b"])
        XCTAssertEqual(file.entries["a.weight"]?.shape, [2, 3])
        XCTAssertEqual(try file.floats("a.weight"), [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(try file.floats("b"), [-0.5])
        XCTAssertEqual(file.metadata, ["k": "v"])
        XCTAssertThrowsError(try file.bytes("b")) {
            XCTAssertEqual($0 as? SafeTensorsError, .wrongDType("b", expected: "U8", found: "F32"))
        }
    }

    func testRejectsTruncatedAndOutOfRangeFiles() throws {
        let good = try SafeTensorsWriter.encode(["x": Tensor(shape: [4], storage: [1, 2, 3, 4])])
        let truncated = directory.appendingPathComponent("t.safetensors")
        try good.prefix(good.count - 4).write(to: truncated)
        XCTAssertThrowsError(try SafeTensorsFile(url: truncated)) { error in
            XCTAssertTrue("\(error)".contains("entry \"x\""), "\(error)")
        }
        let garbage = directory.appendingPathComponent("g.safetensors")
        try Data([0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 1, 2]).write(to: garbage)
        XCTAssertThrowsError(try SafeTensorsFile(url: garbage)) { error in
            XCTAssertTrue("\(error)".contains("header length"), "\(error)")
        }
        XCTAssertThrowsError(try SafeTensorsFile(url: directory.appendingPathComponent("absent")))
    }

    func testStrictLoaderNamesMissingExtraAndMisshapedKeys() throws {
        let url = try write(["conv.weight": Tensor(zeros: [2, 1, 3, 3]), "conv.bias": Tensor(zeros: [2]),
                             "stray.weight": Tensor(zeros: [1])])
        let loader = try WeightLoader(url: url)
        XCTAssertThrowsError(try loader.take("conv.weight", shape: [2, 1, 5, 5])) {
            XCTAssertEqual($0 as? SafeTensorsError, .wrongShape("conv.weight", expected: [2, 1, 5, 5], found: [2, 1, 3, 3]))
        }
        XCTAssertThrowsError(try Conv2d.load(loader, "conv2", inChannels: 1, outChannels: 2, kernel: 3, padding: .same)) {
            XCTAssertEqual($0 as? SafeTensorsError, .missingTensor("conv2.weight", file: "w.safetensors"))
            XCTAssertTrue("\($0)".contains("conv2.weight"))
        }
        _ = try Conv2d.load(loader, "conv", inChannels: 1, outChannels: 2, kernel: 3, padding: .same)
        XCTAssertThrowsError(try loader.finish()) {
            XCTAssertEqual($0 as? SafeTensorsError, .unexpectedTensors(["stray.weight"], file: "w.safetensors"))
        }
    }

    func testBatchNormBecomesTheInferenceAffine() throws {
        let url = try write(["bn.weight": Tensor(shape: [2], storage: [2, 1]), "bn.bias": Tensor(shape: [2], storage: [0.5, 0]),
                             "bn.running_mean": Tensor(shape: [2], storage: [1, -1]),
                             "bn.running_var": Tensor(shape: [2], storage: [3.999, 0.999])])
        let loader = try WeightLoader(url: url)
        let bn = try BatchNorm.load(loader, "bn", channels: 2, epsilon: 1e-3)
        try loader.finish()
        // y = (x − mean) / sqrt(var + eps) · gamma + beta
        XCTAssertEqual(bn.scale[0], 1, accuracy: 1e-6)
        XCTAssertEqual(bn.shift[0], -0.5, accuracy: 1e-6)
        XCTAssertEqual(bn.scale[1], 1, accuracy: 1e-6)
        XCTAssertEqual(bn.shift[1], 1, accuracy: 1e-6)
    }

    func testModelCardParsesAndRoundTripsMetadata() throws {
        let card = ModelCard(name: "Meso4_DF", architecture: "meso4", version: "1", inputSize: 256, colourOrder: "RGB",
                             scaling: "x/255", threshold: 0.42, provenance: "test", sourceFile: "Meso4_DF.h5",
                             sourceSHA256: String(repeating: "a", count: 64), metrics: ["auc": 0.9],
                             testTimeAugmentation: "hflip")
        XCTAssertEqual(try ModelCard(metadata: card.metadata), card)
        XCTAssertEqual(card.metadata["test_time_augmentation"], "hflip")
        var noSize = card.metadata
        noSize["input_size"] = nil
        XCTAssertThrowsError(try ModelCard(metadata: noSize)) { XCTAssertEqual($0 as? ModelCardError, .missingField("input_size")) }
        var badThreshold = card.metadata
        badThreshold["threshold"] = "1.5"
        XCTAssertThrowsError(try ModelCard(metadata: badThreshold)) {
            XCTAssertEqual($0 as? ModelCardError, .invalidField("threshold", "1.5"))
        }
        let json = try JSONEncoder().encode(card)
        XCTAssertEqual(try JSONDecoder().decode(ModelCard.self, from: json), card)
    }
}
