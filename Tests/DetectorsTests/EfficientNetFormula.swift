import Foundation
import Imaging
import NN
import Tensor

/// The Swift twin of Training/reference/efficientnet_golden.py: the same integer formulas give
/// bit-identical weights and crops on both sides (see its docstring), and the committed JSON
/// holds the key list and the PyTorch float64 outputs.
struct EfficientNetGolden {
    let keys: [(key: String, shape: [Int])]
    let crops: [RGBImage]
    let logits: [Double]
    let pFake: [Double]
    let card: ModelCard

    /// `fixture`: efficientnet_lite0_golden or efficientnet_lite1_golden (Tests/Fixtures).
    init(_ fixture: String = "efficientnet_lite0_golden") throws {
        let url = TestMaterial.packageRoot.appendingPathComponent("Tests/Fixtures/\(fixture).json")
        guard let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] else {
            throw CocoaError(.fileReadCorruptFile)
        }
        keys = (json["keys"] as! [[Any]]).map { ($0[0] as! String, ($0[1] as! [NSNumber]).map(\.intValue)) }
        crops = (json["crops"] as! [[String: Int]]).map(EfficientNetFormula.crop)
        logits = (json["logits"] as! [NSNumber]).map(\.doubleValue)
        pFake = (json["p_fake"] as! [NSNumber]).map(\.doubleValue)
        card = ModelCard(name: "efficientnet_lite0-formula", architecture: json["architecture"] as! String, version: "0",
                         inputSize: (json["input_size"] as! NSNumber).intValue, colourOrder: "RGB",
                         scaling: json["scaling"] as! String, provenance: "EfficientNetFormula (tests)")
    }

    /// Every tensor of the key list, filled by the formula.
    func state() -> [String: Tensor] {
        Dictionary(uniqueKeysWithValues: keys.map { ($0.key, EfficientNetFormula.tensor($0.key, shape: $0.shape)) })
    }
}

enum EfficientNetFormula {
    static func fnv1a(_ text: String) -> UInt32 {
        text.utf8.reduce(0x811C_9DC5) { ($0 ^ UInt32($1)) &* 0x0100_0193 }
    }

    /// murmur3's finaliser.
    static func fmix32(_ value: UInt32) -> UInt32 {
        var x = value
        x ^= x >> 16
        x = x &* 0x85EB_CA6B
        x ^= x >> 13
        x = x &* 0xC2B2_AE35
        return x ^ (x >> 16)
    }

    /// u ∈ [-1, 1) for each index of tensor `key`.
    static func uniform(_ key: String, count: Int) -> [Double] {
        let base = fnv1a(key)
        return (0..<count).map { index in
            let h = fmix32(base &+ UInt32(truncatingIfNeeded: index) &* 0x9E37_79B9)
            return Double(h >> 8) / 8_388_608 - 1
        }
    }

    static func tensor(_ key: String, shape: [Int]) -> Tensor {
        let u = uniform(key, count: shape.reduce(1, *))
        let values: [Double]
        if key.hasSuffix("running_var") {
            values = u.map { 1 + 0.5 * $0 }
        } else if key.hasSuffix("running_mean") || key.hasSuffix(".bias") {
            values = u.map { 0.1 * $0 }
        } else if shape.count >= 2 {
            let bound = (6 / Double(shape.dropFirst().reduce(1, *))).squareRoot()
            values = u.map { $0 * bound }
        } else {
            values = u.map { 1 + 0.25 * $0 }
        }
        return Tensor(shape: shape, storage: values.map(Float.init))
    }

    /// Gradients + a checkerboard + noise: `crop(spec)` of the Python generator.
    static func crop(_ spec: [String: Int]) -> RGBImage {
        let size = spec["size"]!, ax = spec["ax"]!, ay = spec["ay"]!, cell = spec["cell"]!, seed = spec["seed"]!
        var pixels = [UInt8](repeating: 0, count: size * size * 3)
        for y in 0..<size {
            for x in 0..<size {
                for c in 0..<3 {
                    let noise = Int(fmix32(UInt32(truncatingIfNeeded: (seed << 20) + (y * size + x) * 3 + c)) >> 26)
                    let checker = ((x / cell) ^ (y / cell)) & 1
                    pixels[(y * size + x) * 3 + c] = UInt8((ax * x + ay * y + 85 * c + 60 * checker + noise) % 256)
                }
            }
        }
        return RGBImage(width: size, height: size, pixels: pixels)
    }
}
