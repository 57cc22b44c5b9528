import Foundation
import Imaging
import NN
import Tensor
import XCTest
@testable import Detectors

/// A parity fixture written by `Training/reference/*_golden.py` for a model on the formula
/// weights: its tensor keys with shapes, the formula crops, the card's input size and scaling,
/// and the reference numbers under their own names.
struct FormulaGolden {
    let keys: [(key: String, shape: [Int])]
    let crops: [RGBImage]
    private let json: [String: Any]

    /// Reads `Tests/Fixtures/<fixture>`.
    init(_ fixture: String) throws {
        let url = TestMaterial.packageRoot.appendingPathComponent("Tests/Fixtures/\(fixture)")
        json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        keys = (json["keys"] as! [[Any]]).map { ($0[0] as! String, ($0[1] as! [NSNumber]).map(\.intValue)) }
        crops = (json["crops"] as! [[String: Int]]).map(EfficientNetFormula.crop)
    }

    func strings(_ name: String) -> [String] { json[name] as! [String] }
    func numbers(_ name: String) -> [Double] { (json[name] as! [NSNumber]).map(\.doubleValue) }
    func rows(_ name: String) -> [[Double]] { (json[name] as! [[NSNumber]]).map { $0.map(\.doubleValue) } }
    func planes(_ name: String) -> [[[Double]]] { (json[name] as! [[[NSNumber]]]).map { $0.map { $0.map(\.doubleValue) } } }

    /// The card the reference assumed, under a test name for `architecture`.
    func card(architecture: String) -> ModelCard {
        ModelCard(name: "\(architecture)-formula", architecture: architecture, version: "0",
                  inputSize: (json["input_size"] as! NSNumber).intValue, colourOrder: "RGB",
                  scaling: json["scaling"] as! String, provenance: "EfficientNetFormula (tests)")
    }

    /// The formula tensor of every key (millions of values: callers keep it in a static).
    func formulaState() -> [String: Tensor] {
        Dictionary(uniqueKeysWithValues: keys.map { ($0.key, EfficientNetFormula.tensor($0.key, shape: $0.shape)) })
    }
}

/// A test case with a fresh folder for the weight files it writes.
class WeightFileTestCase: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws { directory = try TestMaterial.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// Writes `state` with `metadata` as `name` in the folder.
    func write(_ state: [String: Tensor], metadata: [String: String], name: String) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try SafeTensorsWriter.encode(state, metadata: metadata).write(to: url)
        return url
    }
}
