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
        XCTAssertEqual(DetectorRegistry.names, ["amtennet", "classnseg", "efficientnet_lite0", "efficientnet_lite1", "fakespotter", "mat", "meso4", "mesoinception4"])
        XCTAssertThrowsError(try DetectorRegistry.load(name: "nope", weights: directory)) {
            XCTAssertEqual($0 as? DetectorError, .unknownModel("nope", known: ["amtennet", "classnseg", "efficientnet_lite0", "efficientnet_lite1", "fakespotter", "mat", "meso4", "mesoinception4"]))
        }
    }

    func testBatchesGiveTheSameScoresAsSingleCrops() throws {
        let detector = try DetectorRegistry.load(name: "meso4", weights: try write(meso4State(), card: card()))
        let crops = [gradient(256, 0), gradient(256, 90), gradient(256, 200)]
        let batched = try detector.pFake(crops: crops)
        let single = try crops.flatMap { try detector.pFake(crops: [$0]) }
        XCTAssertEqual(batched.count, 3)
        XCTAssertTrue(batched.allSatisfy { (0...1).contains($0) })
        // Exactly: a crop's score must not depend on its batch (one product per crop, on any CPU's kernels).
        XCTAssertEqual(batched, single)
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
        XCTAssertEqual(averaged, crops.indices.map { (direct[$0] + mirrored[$0]) / 2 })
        XCTAssertEqual(try flipping.pFake(crops: [crops[0].mirrored()])[0], averaged[0])
        XCTAssertEqual(try flipping.pFake(crops: []), [])

        flipCard.testTimeAugmentation = "rotate"
        XCTAssertThrowsError(try DetectorRegistry.load(name: "meso4", weights: try write(meso4State(), card: flipCard))) {
            XCTAssertEqual($0 as? DetectorError, .unsupportedCard(field: "test_time_augmentation", value: "rotate"))
        }
    }

    /// Writes `state` as `file` in the test folder and returns the ensemble member entry pinning it.
    private func member(_ state: [String: Tensor], card: ModelCard, file: String) throws -> EnsembleMember {
        let url = directory.appendingPathComponent(file)
        try SafeTensorsWriter.encode(state, metadata: card.metadata).write(to: url)
        return EnsembleMember(file: file, sha256: try SafeTensorsFile(url: url).sha256())
    }

    private func ensemble(_ members: [EnsembleMember], testTimeAugmentation: String? = nil) throws -> URL {
        var ensembleCard = card()
        ensembleCard.ensembleMembers = members
        ensembleCard.testTimeAugmentation = testTimeAugmentation
        let url = directory.appendingPathComponent("ensemble.safetensors")
        try SafeTensorsWriter.encode([:], metadata: ensembleCard.metadata).write(to: url)
        return url
    }

    func testAnEnsembleCardAveragesItsMemberFilesScores() throws {
        let first = meso4State(seed: 7), second = meso4State(seed: 11)
        let members = [try member(first, card: card(), file: "a.safetensors"), try member(second, card: card(), file: "b.safetensors")]
        let crops = [gradient(256, 0), gradient(256, 90)]
        let firstScores = try DetectorRegistry.load(weights: directory.appendingPathComponent("a.safetensors")).pFake(crops: crops)
        let secondScores = try DetectorRegistry.load(weights: directory.appendingPathComponent("b.safetensors")).pFake(crops: crops)
        XCTAssertNotEqual(firstScores[0], secondScores[0], "the test needs members that disagree")

        let ensemble = try DetectorRegistry.load(name: "meso4", weights: try ensemble(members))
        XCTAssertEqual(ensemble.card.ensembleMembers, members)
        let averaged = try ensemble.pFake(crops: crops)
        XCTAssertEqual(averaged, crops.indices.map { (firstScores[$0] + secondScores[$0]) / 2 })
        XCTAssertEqual(try ensemble.pFake(crops: []), [])

        // a member's own test-time augmentation is not used: the ensemble card's applies to the whole
        var flipCard = card()
        flipCard.testTimeAugmentation = "hflip"
        let flippedMember = try member(second, card: flipCard, file: "c.safetensors")
        let mixed = try DetectorRegistry.load(name: "meso4", weights: try self.ensemble([members[0], flippedMember]))
        XCTAssertEqual(try mixed.pFake(crops: crops), averaged)

        // flipping wraps the whole ensemble
        let flipping = try DetectorRegistry.load(name: "meso4", weights: try self.ensemble(members, testTimeAugmentation: "hflip"))
        let mirrored = try ensemble.pFake(crops: crops.map { $0.mirrored() })
        let both = try flipping.pFake(crops: crops)
        XCTAssertEqual(both, crops.indices.map { (averaged[$0] + mirrored[$0]) / 2 })

        // a member replaced after a load (same size, other weights) is hashed again and refused
        try SafeTensorsWriter.encode(meso4State(seed: 13), metadata: card().metadata)
            .write(to: directory.appendingPathComponent("b.safetensors"), options: .atomic)
        XCTAssertThrowsError(try DetectorRegistry.load(name: "meso4", weights: try self.ensemble(members))) {
            XCTAssertTrue("\($0)".contains("re-export the ensemble"), "\($0)")
        }
    }

    func testAnEnsembleLoadsOnlyTheMemberFilesItWasMeasuredWith() throws {
        let good = try member(meso4State(seed: 7), card: card(), file: "a.safetensors")
        let other = try member(meso4State(seed: 11), card: card(), file: "b.safetensors")
        func refusal(_ members: [EnsembleMember], file: String = "b.safetensors") throws -> String {
            var problem = ""
            XCTAssertThrowsError(try DetectorRegistry.load(name: "meso4", weights: try ensemble(members))) {
                guard case let .ensembleMember(named, text)? = $0 as? DetectorError else { return XCTFail("\($0)") }
                XCTAssertEqual(named, file)
                problem = text
            }
            return problem
        }
        XCTAssertTrue(try refusal([good, EnsembleMember(file: "gone.safetensors", sha256: other.sha256)], file: "gone.safetensors")
            .contains("not found"))
        let retrained = EnsembleMember(file: "b.safetensors", sha256: good.sha256)  // the pin of other bytes
        XCTAssertTrue(try refusal([good, retrained]).contains("re-export the ensemble"))
        var wide = card()
        wide.inputSize = 128
        let resized = try member(meso4State(seed: 11), card: wide, file: "b.safetensors")
        XCTAssertTrue(try refusal([good, resized]).contains("input_size is 128, the ensemble's 256"))
        let inception = try member(meso4State(seed: 11), card: card("mesoinception4"), file: "b.safetensors")
        XCTAssertTrue(try refusal([good, inception]).contains("architecture is mesoinception4"))
        var scaled = card()
        scaled.scaling = "x/127.5-1"
        let rescaled = try member(meso4State(seed: 11), card: scaled, file: "b.safetensors")
        XCTAssertTrue(try refusal([good, rescaled]).contains("scaling is x/127.5-1"))
        var nested = card()
        nested.ensembleMembers = [good, other]
        let inner = try member([:], card: nested, file: "b.safetensors")
        XCTAssertTrue(try refusal([good, inner]).contains("is itself an ensemble"))
        try Data("not safetensors".utf8).write(to: directory.appendingPathComponent("b.safetensors"))
        let garbage = EnsembleMember(file: "b.safetensors", sha256: good.sha256)
        XCTAssertFalse(try refusal([good, garbage]).isEmpty)

        // an ensemble file with tensors of its own, or a card with one member or a path, is refused
        var ensembleCard = card()
        ensembleCard.ensembleMembers = [good, other]
        let url = directory.appendingPathComponent("ensemble.safetensors")
        try SafeTensorsWriter.encode(meso4State(), metadata: ensembleCard.metadata).write(to: url)
        XCTAssertThrowsError(try DetectorRegistry.load(name: "meso4", weights: url)) {
            XCTAssertEqual($0 as? SafeTensorsError, .unexpectedTensors(meso4State().keys.sorted(), file: "ensemble.safetensors"))
        }
        var metadata = ensembleCard.metadata
        for value in [#"[{"file":"a.safetensors","sha256":"\#(good.sha256)"}]"#, "2",
                      #"[{"file":"a.safetensors","sha256":"\#(good.sha256)"},{"file":"a.safetensors","sha256":"\#(good.sha256)"}]"#,
                      #"[{"file":"../a.safetensors","sha256":"\#(good.sha256)"},{"file":"b.safetensors","sha256":"\#(good.sha256)"}]"#] {
            metadata["ensemble_members"] = value
            XCTAssertThrowsError(try ModelCard(metadata: metadata)) {
                XCTAssertEqual($0 as? ModelCardError, .invalidField("ensemble_members", value))
            }
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
