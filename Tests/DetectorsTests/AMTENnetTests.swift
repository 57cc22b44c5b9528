import Foundation
import Imaging
import NN
import Tensor
import XCTest
@testable import Detectors

/// AMTENnet against PyTorch (Training/models/amtennet.py in float64) on the formula weights and
/// crops of Training/reference/amtennet_golden.py (Tests/Fixtures/amtennet_golden.json); its
/// classes on the card and its strict loading.
final class AMTENnetTests: WeightFileTestCase {
    /// Float32 rounding through 11 convolutions and 3 dense layers, with room for any BLAS order.
    static let tolerance = 1e-4

    struct Golden {
        let keys: [(key: String, shape: [Int])]
        let classes: [String]
        let crops: [RGBImage]
        let sampledTraces: [[[Double]]]
        let logits: [[Double]]
        let probabilities: [[Double]]
        let pFake: [Double]
        let card: ModelCard

        init() throws {
            let fixture = try FormulaGolden("amtennet_golden.json")
            (keys, crops) = (fixture.keys, fixture.crops)
            classes = fixture.strings("classes")
            sampledTraces = fixture.planes("sampled_traces")
            logits = fixture.rows("logits")
            probabilities = fixture.rows("probabilities")
            pFake = fixture.numbers("p_fake")
            card = fixture.card(architecture: "amtennet")
        }

        func state() -> [String: Tensor] { Golden.formulaTensors }

        /// The formula tensors of the fixture's keys, made once (≈ 2.6 M values in Double).
        private static let formulaTensors: [String: Tensor] = (try? FormulaGolden("amtennet_golden.json").formulaState()) ?? [:]

        var metadata: [String: String] {
            var metadata = card.metadata
            metadata[ManipulationClasses.cardField] = String(decoding: try! JSONEncoder().encode(classes), as: UTF8.self)
            return metadata
        }
    }

    private func write(_ state: [String: Tensor], metadata: [String: String]) throws -> URL {
        try write(state, metadata: metadata, name: "amtennet.safetensors")
    }

    func testMatchesPyTorchOnFormulaWeights() throws {
        let golden = try Golden()
        let model = try XCTUnwrap(try DetectorRegistry.load(weights: try write(golden.state(), metadata: golden.metadata)) as? AMTENnet)
        XCTAssertEqual(model.manipulationClasses, golden.classes)

        // The trace extractor on its own, so a wrong extractor is told apart from a wrong trunk.
        let input = try CropInput(card: golden.card).tensor(golden.crops[...])
        let traces = model.traces(input)
        XCTAssertEqual(traces.shape, [golden.crops.count, 12, 128, 128])
        let plane = 128 * 128
        for (n, channels) in golden.sampledTraces.enumerated() {
            for (c, expected) in channels.enumerated() {
                for (i, value) in expected.enumerated() {
                    XCTAssertEqual(Double(traces.storage[(n * 12 + c) * plane + i]), value, accuracy: Self.tolerance,
                                   "F_reu crop \(n) channel \(c) value \(i)")
                }
            }
        }
        let logits = model.logits(input)
        let probabilities = try model.classProbabilities(crops: golden.crops)
        let pFake = try model.pFake(crops: golden.crops)
        var worst = 0.0
        for n in golden.crops.indices {
            for c in golden.classes.indices {
                let logit = Double(logits.storage[n * golden.classes.count + c])
                XCTAssertEqual(logit, golden.logits[n][c], accuracy: Self.tolerance * (1 + abs(golden.logits[n][c])),
                               "logit crop \(n) class \(c)")
                XCTAssertEqual(Double(probabilities[n][c]), golden.probabilities[n][c], accuracy: Self.tolerance,
                               "p(\(golden.classes[c])) crop \(n)")
                worst = max(worst, abs(Double(probabilities[n][c]) - golden.probabilities[n][c]))
            }
            XCTAssertEqual(Double(pFake[n]), golden.pFake[n], accuracy: Self.tolerance, "p_fake crop \(n)")
        }
        print("AMTENnet parity: largest |Δp| \(worst)")
        // A batch gives each crop what it gets alone.
        XCTAssertEqual(try model.pFake(crops: [golden.crops[2]]), [pFake[2]])
        XCTAssertEqual(try model.pFake(crops: []), [])
    }

    func testLoadingIsStrictAndNeedsTheClasses() throws {
        let golden = try Golden()
        var missing = golden.state()
        missing["bn5.running_var"] = nil
        XCTAssertThrowsError(try DetectorRegistry.load(weights: try write(missing, metadata: golden.metadata))) {
            XCTAssertEqual($0 as? SafeTensorsError, .missingTensor("bn5.running_var", file: "amtennet.safetensors"))
        }
        var extra = golden.state()
        extra["fc4.weight"] = Tensor(zeros: [1, 1])
        XCTAssertThrowsError(try DetectorRegistry.load(weights: try write(extra, metadata: golden.metadata))) {
            XCTAssertEqual($0 as? SafeTensorsError, .unexpectedTensors(["fc4.weight"], file: "amtennet.safetensors"))
        }
        // fc3 must have one row per class the card names.
        var fewer = golden.metadata
        fewer[ManipulationClasses.cardField] = #"["real","self_blend"]"#
        XCTAssertThrowsError(try DetectorRegistry.load(weights: try write(golden.state(), metadata: fewer))) {
            XCTAssertEqual($0 as? SafeTensorsError, .wrongShape("fc3.weight", expected: [2, 300], found: [5, 300]))
        }
        XCTAssertThrowsError(try DetectorRegistry.load(weights: try write(golden.state(), metadata: golden.card.metadata))) {
            XCTAssertEqual($0 as? ModelCardError, .missingField("manipulation_classes"))
        }
        for bad in [#"["fake","real"]"#, #"["real"]"#, #"["real","a","a"]"#, #"["real","a:b"]"#, "not json"] {
            var metadata = golden.metadata
            metadata[ManipulationClasses.cardField] = bad
            XCTAssertThrowsError(try DetectorRegistry.load(weights: try write(golden.state(), metadata: metadata)), bad) {
                XCTAssertEqual($0 as? ModelCardError, .invalidField("manipulation_classes", bad))
            }
        }
        var odd = golden.metadata
        odd["input_size"] = "120"
        XCTAssertThrowsError(try DetectorRegistry.load(weights: try write(golden.state(), metadata: odd))) {
            XCTAssertEqual($0 as? ModelCardError, .invalidField("input_size", "120"))
        }
    }

    func testMostLikelyManipulationSkipsReal() {
        let classes = ["real", "self_blend", "lip_sync"]
        let guess = ManipulationClasses.mostLikelyManipulation([0.9, 0.04, 0.06], classes: classes)
        XCTAssertEqual(guess?.name, "lip_sync")
        XCTAssertEqual(guess?.probability, 0.06)
        XCTAssertEqual(ManipulationClasses.mostLikelyManipulation([0.5, 0.25, 0.25], classes: classes)?.name, "self_blend")
        XCTAssertNil(ManipulationClasses.mostLikelyManipulation([1], classes: ["real"]))
    }
}
