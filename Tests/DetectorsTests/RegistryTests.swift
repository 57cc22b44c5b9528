import Foundation
import Imaging
import NN
import Tensor
import XCTest
@testable import Detectors

/// Registry, strict loading and batching on synthetic weights (no ../shared needed).
final class RegistryTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws { directory = try TestMaterial.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// Every tensor Meso-4 expects, filled with small deterministic values.
    private func meso4State(seed start: UInt32 = 7) -> [String: Tensor] {
        var shapes: [String: [Int]] = ["fc1.weight": [16, 1024], "fc1.bias": [16], "fc2.weight": [1, 16], "fc2.bias": [1]]
        for (i, (cin, cout, k)) in [(3, 8, 3), (8, 8, 5), (8, 16, 5), (16, 16, 5)].enumerated() {
            shapes["conv\(i + 1).weight"] = [cout, cin, k, k]
            shapes["conv\(i + 1).bias"] = [cout]
            for field in ["weight", "bias", "running_mean", "running_var"] { shapes["bn\(i + 1).\(field)"] = [cout] }
        }
        var seed = start
        // Sorted keys: a Dictionary's order changes from run to run, and so would the weights.
        return Dictionary(uniqueKeysWithValues: shapes.sorted { $0.key < $1.key }.map { key, shape in
            let values = (0..<shape.reduce(1, *)).map { _ -> Float in
                seed = seed &* 1_664_525 &+ 1_013_904_223
                let uniform = Float(seed >> 9) / Float(1 << 23) * 2 - 1
                return key.hasSuffix("running_var") ? 1 + abs(uniform) : 0.2 * uniform
            }
            return (key, Tensor(shape: shape, storage: values))
        })
    }

    private func card(_ architecture: String = "meso4") -> ModelCard {
        ModelCard(name: "synthetic", architecture: architecture, version: "0", inputSize: 256, colourOrder: "RGB",
                  scaling: "x/255", provenance: "RegistryTests synthetic weights")
    }

    private func write(_ state: [String: Tensor], card: ModelCard) throws -> URL {
        let url = directory.appendingPathComponent("m.safetensors")
        try SafeTensorsWriter.encode(state, metadata: card.metadata).write(to: url)
        return url
    }

    private func gradient(_ size: Int, _ shift: Int) -> RGBImage {
        RGBImage(width: size, height: size, pixels: (0..<(size * size * 3)).map { UInt8(($0 / 3 * 7 + $0 % 3 * 50 + shift) % 256) })
    }

    func testRegistryListsEveryArchitecture() {
        XCTAssertEqual(DetectorRegistry.names, ["efficientnet_lite0", "meso4", "mesoinception4"])
        XCTAssertThrowsError(try DetectorRegistry.load(name: "nope", weights: directory)) {
            XCTAssertEqual($0 as? DetectorError, .unknownModel("nope", known: ["efficientnet_lite0", "meso4", "mesoinception4"]))
        }
    }

    func testBatchesGiveTheSameScoresAsSingleCrops() throws {
        let detector = try DetectorRegistry.load(name: "meso4", weights: try write(meso4State(), card: card()))
        let crops = [gradient(256, 0), gradient(256, 90), gradient(256, 200)]
        let batched = try detector.pFake(crops: crops)
        let single = try crops.flatMap { try detector.pFake(crops: [$0]) }
        XCTAssertEqual(batched.count, 3)
        XCTAssertTrue(batched.allSatisfy { (0...1).contains($0) })
        for (b, s) in zip(batched, single) { XCTAssertEqual(b, s, accuracy: 1e-6) }
        XCTAssertNotEqual(batched[0], batched[1])
        XCTAssertEqual(try detector.pFake(crops: []), [])
    }

    func testAFlipCardAveragesEachCropWithItsMirrorImage() throws {
        let plain = try DetectorRegistry.load(name: "meso4", weights: try write(meso4State(), card: card()))
        var flipCard = card()
        flipCard.testTimeAugmentation = "hflip"
        let flipping = try DetectorRegistry.load(name: "meso4", weights: try write(meso4State(), card: flipCard))
        XCTAssertEqual(flipping.card.testTimeAugmentation, "hflip")
        let crops = [gradient(256, 0), gradient(256, 90)]
        let direct = try plain.pFake(crops: crops), mirrored = try plain.pFake(crops: crops.map { $0.mirrored() })
        XCTAssertNotEqual(direct[0], mirrored[0], "the test needs a crop the model scores differently mirrored")
        let averaged = try flipping.pFake(crops: crops)
        for i in crops.indices { XCTAssertEqual(averaged[i], (direct[i] + mirrored[i]) / 2, accuracy: 1e-6) }
        XCTAssertEqual(try flipping.pFake(crops: [crops[0].mirrored()])[0], averaged[0], accuracy: 1e-6)
        XCTAssertEqual(try flipping.pFake(crops: []), [])

        flipCard.testTimeAugmentation = "rotate"
        XCTAssertThrowsError(try DetectorRegistry.load(name: "meso4", weights: try write(meso4State(), card: flipCard))) {
            XCTAssertEqual($0 as? DetectorError, .unsupportedCard(field: "test_time_augmentation", value: "rotate"))
        }
    }

    func testAnEnsembleCardAveragesItsMembersScores() throws {
        let first = meso4State(seed: 7), second = meso4State(seed: 11)
        let one = try DetectorRegistry.load(name: "meso4", weights: try write(first, card: card()))
        let crops = [gradient(256, 0), gradient(256, 90)]
        let firstScores = try one.pFake(crops: crops)
        let secondScores = try DetectorRegistry.load(name: "meso4", weights: try write(second, card: card())).pFake(crops: crops)
        XCTAssertNotEqual(firstScores[0], secondScores[0], "the test needs members that disagree")

        var members = [String: Tensor]()
        for (index, state) in [first, second].enumerated() {
            for (key, tensor) in state { members["member\(index).\(key)"] = tensor }
        }
        var ensembleCard = card()
        ensembleCard.ensembleMembers = 2
        let ensemble = try DetectorRegistry.load(name: "meso4", weights: try write(members, card: ensembleCard))
        XCTAssertEqual(ensemble.card.ensembleMembers, 2)
        let averaged = try ensemble.pFake(crops: crops)
        for i in crops.indices { XCTAssertEqual(averaged[i], (firstScores[i] + secondScores[i]) / 2, accuracy: 1e-6) }
        XCTAssertEqual(try ensemble.pFake(crops: []), [])

        ensembleCard.testTimeAugmentation = "hflip"  // flipping wraps the whole ensemble
        let flipping = try DetectorRegistry.load(name: "meso4", weights: try write(members, card: ensembleCard))
        let mirrored = try ensemble.pFake(crops: crops.map { $0.mirrored() })
        let both = try flipping.pFake(crops: crops)
        for i in crops.indices { XCTAssertEqual(both[i], (averaged[i] + mirrored[i]) / 2, accuracy: 1e-6) }
    }

    func testAnEnsembleFileIsLoadedStrictly() throws {
        var ensembleCard = card()
        ensembleCard.ensembleMembers = 2
        var members = [String: Tensor]()
        for (key, tensor) in meso4State() { members["member0.\(key)"] = tensor; members["member1.\(key)"] = tensor }
        var missing = members
        missing["member1.fc2.bias"] = nil
        XCTAssertThrowsError(try DetectorRegistry.load(name: "meso4", weights: try write(missing, card: ensembleCard))) {
            XCTAssertTrue("\($0)".contains("member1.fc2.bias"), "\($0)")
        }
        var extra = members
        extra["member2.fc2.bias"] = Tensor(zeros: [1])
        XCTAssertThrowsError(try DetectorRegistry.load(name: "meso4", weights: try write(extra, card: ensembleCard))) {
            XCTAssertTrue("\($0)".contains("member2.fc2.bias"), "\($0)")
        }
        XCTAssertThrowsError(try DetectorRegistry.load(name: "meso4", weights: try write(meso4State(), card: ensembleCard))) {
            XCTAssertTrue("\($0)".contains("member0."), "a plain file with an ensemble card: \($0)")
        }
        var metadata = ensembleCard.metadata
        metadata["ensemble_members"] = "1"
        XCTAssertThrowsError(try ModelCard(metadata: metadata)) {
            XCTAssertEqual($0 as? ModelCardError, .invalidField("ensemble_members", "1"))
        }
    }

    func testCropsOfAnotherSizeAreResizedToTheCardsInput() throws {
        let detector = try DetectorRegistry.load(name: "meso4", weights: try write(meso4State(), card: card()))
        let small = gradient(128, 30)
        XCTAssertEqual(try detector.pFake(crops: [small]), try detector.pFake(crops: [resizedBilinear(small, to: 256)]))
        let flat = RGBImage(width: 100, height: 60, pixels: [UInt8](repeating: 77, count: 100 * 60 * 3))
        XCTAssertEqual(resizedBilinear(flat, to: 256).pixels, [UInt8](repeating: 77, count: 256 * 256 * 3))
    }

    func testStrictLoadingNamesTheOffendingKey() throws {
        var missing = meso4State()
        missing["bn3.running_var"] = nil
        XCTAssertThrowsError(try DetectorRegistry.load(name: "meso4", weights: try write(missing, card: card()))) {
            XCTAssertTrue("\($0)".contains("bn3.running_var"), "\($0)")
        }
        var extra = meso4State()
        extra["conv5.weight"] = Tensor(zeros: [1])
        XCTAssertThrowsError(try DetectorRegistry.load(name: "meso4", weights: try write(extra, card: card()))) {
            XCTAssertTrue("\($0)".contains("conv5.weight"), "\($0)")
        }
        var misshaped = meso4State()
        misshaped["conv2.weight"] = Tensor(zeros: [8, 8, 3, 3])
        XCTAssertThrowsError(try DetectorRegistry.load(name: "meso4", weights: try write(misshaped, card: card()))) {
            XCTAssertEqual($0 as? SafeTensorsError, .wrongShape("conv2.weight", expected: [8, 8, 5, 5], found: [8, 8, 3, 3]))
        }
    }

    func testCardMustMatchTheRequestedArchitectureAndBeSupported() throws {
        let url = try write(meso4State(), card: card())
        XCTAssertThrowsError(try DetectorRegistry.load(name: "mesoinception4", weights: url)) {
            XCTAssertEqual($0 as? DetectorError, .architectureMismatch(requested: "mesoinception4", card: "meso4"))
        }
        var odd = card()
        odd.scaling = "x/128"
        XCTAssertThrowsError(try DetectorRegistry.load(name: "meso4", weights: try write(meso4State(), card: odd))) {
            XCTAssertEqual($0 as? DetectorError, .unsupportedCard(field: "scaling", value: "x/128"))
        }
    }
}
