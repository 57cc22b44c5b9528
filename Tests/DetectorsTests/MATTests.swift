import Foundation
import Imaging
import NN
import Tensor
import XCTest
@testable import Detectors

/// MAT against PyTorch (Training/models/mat.py in float64) on the formula weights and crops of
/// Training/reference/mat_golden.py (Tests/Fixtures/mat_golden.json): attention maps, regional
/// and global features, logits, p_fake; its strict loading; the attention overlays.
final class MATTests: WeightFileTestCase {
    /// Float32 rounding through the backbone, the texture convs and 2 dense layers, with room for
    /// any BLAS order (relative to 1 + |value| for the attention maps).
    static let tolerance = 1e-4

    struct Golden {
        let keys: [(key: String, shape: [Int])]
        let crops: [RGBImage]
        let attention: [[[Double]]]
        let regional: [[[Double]]]
        let global: [[Double]]
        let logits: [Double]
        let pFake: [Double]
        let card: ModelCard
        private let fixture: FormulaGolden

        init() throws {
            fixture = try FormulaGolden("mat_golden.json")
            (keys, crops) = (fixture.keys, fixture.crops)
            attention = fixture.planes("attention")
            regional = fixture.planes("regional")
            global = fixture.rows("global")
            logits = fixture.numbers("logits")
            pFake = fixture.numbers("p_fake")
            card = fixture.card(architecture: "mat")
        }

        func state() -> [String: Tensor] { fixture.formulaState() }
    }

    private func write(_ state: [String: Tensor], metadata: [String: String]) throws -> URL {
        try write(state, metadata: metadata, name: "mat.safetensors")
    }

    func testFormulaWeightsMatchPyTorch() throws {
        let golden = try Golden()
        XCTAssertEqual(golden.keys.count, 271)
        // Non-degenerate: every map has zeros and non-zeros, and the crops score apart.
        for maps in golden.attention { for map in maps { XCTAssertTrue(map.contains(0) && map.contains { $0 > 0 }) } }
        XCTAssertGreaterThan(golden.logits.max()! - golden.logits.min()!, 0.01)
        let detector = try DetectorRegistry.load(name: "mat", weights: try write(golden.state(), metadata: golden.card.metadata))
        let model = try XCTUnwrap(detector as? MAT)
        var attentionError = 0.0, featureError = 0.0
        for (index, crop) in golden.crops.enumerated() {
            let (features, maps) = model.analyse(crop)
            XCTAssertEqual(maps.maps.count, MAT.attentionCount)
            XCTAssertEqual([maps.height, maps.width], [8, 8])
            for (map, expected) in zip(maps.maps, golden.attention[index]) {
                for (value, reference) in zip(map, expected) {
                    attentionError = max(attentionError, abs(Double(value) - reference) / (1 + abs(reference)))
                }
            }
            for (k, expected) in golden.regional[index].enumerated() {
                for (c, reference) in expected.enumerated() {
                    featureError = max(featureError, abs(Double(features[k * MAT.textureChannels + c]) - reference))
                }
            }
            let globalStart = MAT.attentionCount * MAT.textureChannels
            for (c, reference) in golden.global[index].enumerated() {
                featureError = max(featureError, abs(Double(features[globalStart + c]) - reference))
            }
        }
        let results = try model.pFakeAndAttention(crops: golden.crops)
        let pError = zip(results.map(\.pFake), golden.pFake).map { abs(Double($0) - $1) }.max()!
        print("mat parity: max rel |Δattention| \(attentionError), max |Δfeature| \(featureError), max |Δp| \(pError)")
        XCTAssertLessThanOrEqual(attentionError, Self.tolerance)
        XCTAssertLessThanOrEqual(featureError, Self.tolerance)
        XCTAssertLessThanOrEqual(pError, Self.tolerance, "\(results.map(\.pFake)) vs \(golden.pFake)")
        // A crop scores the same alone as in a batch; pFake is pFakeAndAttention's score.
        let batch = try detector.pFake(crops: golden.crops)
        XCTAssertEqual(batch, results.map(\.pFake))
        XCTAssertEqual(try golden.crops.map { try detector.pFake(crops: [$0])[0] }, batch)
        XCTAssertEqual(try detector.pFake(crops: []), [])
    }

    func testLoadingIsStrictAndNamesTheKey() throws {
        let golden = try Golden()
        var missing = golden.state()
        missing["texture.2.bn.running_var"] = nil
        XCTAssertThrowsError(try DetectorRegistry.load(weights: try write(missing, metadata: golden.card.metadata))) {
            XCTAssertEqual($0 as? SafeTensorsError, .missingTensor("texture.2.bn.running_var", file: "mat.safetensors"))
        }
        var wrong = golden.state()
        wrong["attention.conv.weight"] = Tensor(zeros: [8, 112, 1, 1])
        XCTAssertThrowsError(try DetectorRegistry.load(weights: try write(wrong, metadata: golden.card.metadata))) {
            XCTAssertEqual($0 as? SafeTensorsError, .wrongShape("attention.conv.weight", expected: [4, 112, 1, 1], found: [8, 112, 1, 1]))
        }
        var extra = golden.state()
        extra["centres"] = Tensor(zeros: [4, 72])
        XCTAssertThrowsError(try DetectorRegistry.load(weights: try write(extra, metadata: golden.card.metadata))) {
            XCTAssertEqual($0 as? SafeTensorsError, .unexpectedTensors(["centres"], file: "mat.safetensors"))
        }
    }

    func testAnAttentionOverlayTintsWhereTheMapIsHigh() {
        // One map: high in the top-left 2×2 cell of a 4×4 grid, zero elsewhere.
        var map = [Float](repeating: 0, count: 16)
        map[0] = 2
        let maps = AttentionMaps(width: 4, height: 4, maps: [map, [Float](repeating: 0, count: 16)])
        let face = RGBImage(width: 32, height: 32, pixels: [UInt8](repeating: 100, count: 32 * 32 * 3))
        let overlay = maps.overlay(0, on: face)
        XCTAssertEqual([overlay.width, overlay.height], [64, 32])
        func pixel(_ x: Int, _ y: Int) -> [UInt8] { Array(overlay.pixels[((y * 64 + x) * 3)..<((y * 64 + x) * 3 + 3)]) }
        XCTAssertEqual(pixel(0, 0), [100, 100, 100])  // left half: the face as it is
        XCTAssertGreaterThan(pixel(32, 0)[0], 150)  // right half, top-left: tinted red
        XCTAssertEqual(pixel(63, 31), [100, 100, 100])  // far from the peak: untouched
        // An all-zero map tints nothing.
        XCTAssertEqual(Array(maps.overlay(1, on: face).pixels[(32 * 3)..<(33 * 3)]), [100, 100, 100])
    }
}
