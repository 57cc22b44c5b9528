import Foundation
import Imaging
import NN
import Tensor
import XCTest
@testable import Detectors

/// FakeSpotter against PyTorch (Training/models/fakespotter.py in float64) on the formula weights
/// and crops of Training/reference/fakespotter_golden.py (Tests/Fixtures/fakespotter_golden.json),
/// with the backbone in the file and in a file beside it; and its strict loading.
final class FakeSpotterTests: WeightFileTestCase {
    /// Float32 rounding through the backbone and 5 dense layers, with room for any BLAS order.
    static let tolerance = 1e-4

    struct Golden {
        let keys: [(key: String, shape: [Int])]
        let crops: [RGBImage]
        let thresholds: [Float]
        let coverage: [String]
        let sampledMeans: [[[Double]]]
        let logits: [Double]
        let pFake: [Double]
        let card: ModelCard

        init() throws {
            let fixture = try FormulaGolden("fakespotter_golden.json")
            (keys, crops) = (fixture.keys, fixture.crops)
            thresholds = fixture.numbers("thresholds").map(Float.init)
            coverage = fixture.strings("coverage")
            sampledMeans = fixture.planes("sampled_means")
            logits = fixture.numbers("logits")
            pFake = fixture.numbers("p_fake")
            card = fixture.card(architecture: "fakespotter")
        }

        /// Every tensor of a self-contained file: formula tensors and the fixture's thresholds.
        func state() -> [String: Tensor] {
            var state = Golden.formulaTensors
            state["thresholds"] = Tensor(shape: [thresholds.count], storage: thresholds)
            return state
        }

        /// The formula tensors of the fixture's keys, made once (≈ 3 M values in Double).
        private static let formulaTensors: [String: Tensor] = (try? FormulaGolden("fakespotter_golden.json").formulaState()) ?? [:]
    }

    private func write(_ state: [String: Tensor], metadata: [String: String]) throws -> URL {
        try write(state, metadata: metadata, name: "fakespotter.safetensors")
    }

    /// The golden state split in two: the backbone as an EfficientNet-Lite0 file of its own
    /// (keys without `backbone.`), and the FakeSpotter file naming it by SHA-256.
    private func writeSplit(_ golden: Golden, backboneCard: ModelCard? = nil, digest: String? = nil) throws -> URL {
        var backbone: [String: Tensor] = [:], own: [String: Tensor] = [:]
        for (key, tensor) in golden.state() {
            if key.hasPrefix("backbone.") { backbone[String(key.dropFirst("backbone.".count))] = tensor } else { own[key] = tensor }
        }
        var card = backboneCard ?? golden.card
        if backboneCard == nil { card.architecture = "efficientnet_lite0"; card.name = "backbone-formula" }
        let backboneURL = try write(backbone, metadata: card.metadata, name: "backbone.safetensors")
        let sha = try digest ?? SafeTensorsFile(url: backboneURL).sha256()
        var metadata = golden.card.metadata
        metadata[FakeSpotter.backboneField] = #"{"file":"backbone.safetensors","sha256":"\#(sha)"}"#
        return try write(own, metadata: metadata)
    }

    private func assertMatchesGolden(_ detector: any Detector, _ golden: Golden, line: UInt = #line) throws {
        let model = try XCTUnwrap(detector as? FakeSpotter, line: line)
        let means = model.layerMeans(golden.crops)
        XCTAssertEqual(means.map { $0.shape }, FakeSpotter.layerChannels.map { [golden.crops.count, $0] }, line: line)
        var meanError = 0.0
        for (crop, layers) in golden.sampledMeans.enumerated() {
            for (layer, expected) in layers.enumerated() {
                let channels = FakeSpotter.layerChannels[layer]
                for (channel, value) in expected.enumerated() {
                    meanError = max(meanError, abs(Double(means[layer].storage[crop * channels + channel]) - value) / (1 + abs(value)))
                }
            }
        }
        let coverage = model.coverage(means, count: golden.crops.count)
        let bits = (0..<golden.crops.count).map { crop in
            String(coverage.storage[(crop * FakeSpotter.neurons)..<((crop + 1) * FakeSpotter.neurons)].map { $0 == 1 ? "1" : "0" })
        }
        let logits = model.logits(golden.crops).storage
        let pFake = try model.pFake(crops: golden.crops)
        let logitError = zip(logits, golden.logits).map { abs(Double($0) - $1) }.max()!
        let pError = zip(pFake, golden.pFake).map { abs(Double($0) - $1) }.max()!
        print("fakespotter parity: max rel |Δmean| \(meanError), max |Δlogit| \(logitError), max |Δp| \(pError)")
        XCTAssertLessThanOrEqual(meanError, Self.tolerance, line: line)
        XCTAssertEqual(bits, golden.coverage, "coverage bits", line: line)
        XCTAssertLessThanOrEqual(logitError, Self.tolerance, "\(logits) vs \(golden.logits)", line: line)
        XCTAssertLessThanOrEqual(pError, Self.tolerance, "\(pFake) vs \(golden.pFake)", line: line)
    }

    func testFormulaWeightsMatchPyTorchWithTheBackboneInTheFile() throws {
        let golden = try Golden()
        XCTAssertEqual(golden.keys.count, 257)
        XCTAssertEqual(FakeSpotter.neurons, 2064)
        // Non-degenerate: crops differ in their coverage and score apart.
        XCTAssertEqual(Set(golden.coverage).count, golden.crops.count)
        XCTAssertGreaterThan(golden.logits.max()! - golden.logits.min()!, 0.05)
        let detector = try DetectorRegistry.load(name: "fakespotter", weights: try write(golden.state(), metadata: golden.card.metadata))
        try assertMatchesGolden(detector, golden)
        let batch = try detector.pFake(crops: golden.crops)
        XCTAssertEqual(try golden.crops.map { try detector.pFake(crops: [$0])[0] }, batch)
        XCTAssertEqual(try detector.pFake(crops: []), [])
    }

    func testABackboneFileBesideItLoadsAndScoresTheSame() throws {
        let golden = try Golden()
        let detector = try DetectorRegistry.load(weights: try writeSplit(golden))
        XCTAssertEqual(detector.card.architecture, "fakespotter")
        try assertMatchesGolden(detector, golden)
        // The catalog counts the backbone's weights with the file's own.
        let catalog = ModelCatalog(directory: directory)
        let all = golden.keys.reduce(0) { $0 + $1.shape.reduce(1, *) } + golden.thresholds.count
        XCTAssertEqual(try catalog.resolve("fakespotter-formula").parameterCount, all)
    }

    func testLoadingIsStrictAndNamesTheKey() throws {
        let golden = try Golden()
        var missing = golden.state()
        missing["thresholds"] = nil
        XCTAssertThrowsError(try DetectorRegistry.load(weights: try write(missing, metadata: golden.card.metadata))) {
            XCTAssertEqual($0 as? SafeTensorsError, .missingTensor("thresholds", file: "fakespotter.safetensors"))
        }
        var wrong = golden.state()
        wrong["mlp.0.weight"] = Tensor(zeros: [512, 1280])
        XCTAssertThrowsError(try DetectorRegistry.load(weights: try write(wrong, metadata: golden.card.metadata))) {
            XCTAssertEqual($0 as? SafeTensorsError, .wrongShape("mlp.0.weight", expected: [512, 2064], found: [512, 1280]))
        }
        var backboneMissing = golden.state()
        backboneMissing["backbone._bn1.running_var"] = nil
        XCTAssertThrowsError(try DetectorRegistry.load(weights: try write(backboneMissing, metadata: golden.card.metadata))) {
            XCTAssertEqual($0 as? SafeTensorsError, .missingTensor("backbone._bn1.running_var", file: "fakespotter.safetensors"))
        }
        var extra = golden.state()
        extra["mlp.10.weight"] = Tensor(zeros: [1, 1])
        XCTAssertThrowsError(try DetectorRegistry.load(weights: try write(extra, metadata: golden.card.metadata))) {
            XCTAssertEqual($0 as? SafeTensorsError, .unexpectedTensors(["mlp.10.weight"], file: "fakespotter.safetensors"))
        }
    }

    func testAReferencedBackboneMustBeThePinnedFittingFile() throws {
        let golden = try Golden()
        let changed = try writeSplit(golden, digest: String(repeating: "0", count: 64))
        XCTAssertThrowsError(try DetectorRegistry.load(weights: changed)) {
            guard case let .backbone(file, problem)? = $0 as? FakeSpotterError else { return XCTFail("\($0)") }
            XCTAssertEqual(file, "backbone.safetensors")
            XCTAssertTrue(problem.contains("SHA-256"), problem)
        }
        var meso = golden.card
        meso.architecture = "meso4"
        XCTAssertThrowsError(try DetectorRegistry.load(weights: try writeSplit(golden, backboneCard: meso))) {
            XCTAssertEqual($0 as? FakeSpotterError, .backbone(file: "backbone.safetensors", problem: "architecture is meso4, not efficientnet_lite0"))
        }
        var other = golden.card
        other.architecture = "efficientnet_lite0"
        other.inputSize = 160
        XCTAssertThrowsError(try DetectorRegistry.load(weights: try writeSplit(golden, backboneCard: other))) {
            XCTAssertEqual($0 as? FakeSpotterError, .backbone(file: "backbone.safetensors", problem: "input_size is 160, not 128"))
        }
        // Backbone tensors in the file as well as a referenced backbone: the file's are unexpected.
        let split = try writeSplit(golden)
        var both = golden.card.metadata
        let backboneSHA = try SafeTensorsFile(url: directory.appendingPathComponent("backbone.safetensors")).sha256()
        both[FakeSpotter.backboneField] = #"{"file":"backbone.safetensors","sha256":"\#(backboneSHA)"}"#
        XCTAssertThrowsError(try DetectorRegistry.load(weights: try write(golden.state(), metadata: both, name: "both.safetensors"))) {
            guard case let .unexpectedTensors(keys, _)? = $0 as? SafeTensorsError else { return XCTFail("\($0)") }
            XCTAssertEqual(keys.count, 247)
        }
        try FileManager.default.removeItem(at: directory.appendingPathComponent("backbone.safetensors"))
        XCTAssertThrowsError(try DetectorRegistry.load(weights: split)) {
            XCTAssertEqual($0 as? FakeSpotterError, .backbone(file: "backbone.safetensors", problem: "not found beside fakespotter.safetensors"))
        }
        var escaping = golden.card.metadata
        escaping[FakeSpotter.backboneField] = #"{"file":"../backbone.safetensors","sha256":"00"}"#
        XCTAssertThrowsError(try DetectorRegistry.load(weights: try write([:], metadata: escaping))) {
            guard case .invalidField(FakeSpotter.backboneField, _)? = $0 as? ModelCardError else { return XCTFail("\($0)") }
        }
    }
}
