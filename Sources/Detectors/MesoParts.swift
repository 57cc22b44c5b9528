import Imaging
import NN
import Tensor

/// Pieces both MesoNet architectures share (Afchar et al., 2018; seeds/NOTES.md).
enum Meso {
    /// Keras' BatchNormalization default; the authors' weights were trained with it.
    static let batchNormEpsilon: Float = 1e-3
    /// 256 input pooled by 2·2·2·4 → 8×8 × 16 channels into fc1.
    static let features = 16 * 8 * 8

    /// Keras "same" max-pooling with window = stride (pads bottom/right when needed).
    static func pool(_ x: Tensor, _ size: Int) -> Tensor {
        maxPool2d(x, window: .square(size, stride: size), padding: .same)
    }

    /// Crops processed through the convolutional trunk at a time: small chunks keep each
    /// layer's activations in cache instead of streaming a whole batch through memory.
    static let trunkChunk = 1
}

/// flatten (C,H,W) → fc1 16 → LeakyReLU(0.1) → fc2 1 → sigmoid. Dropout is inference-free.
/// fc2 was negated at import, so its sigmoid is p_fake.
struct MesoClassifier {
    let fc1: DenseKernel
    let fc2: DenseKernel

    init(_ loader: WeightLoader) throws {
        fc1 = try Linear.load(loader, "fc1", inFeatures: Meso.features, outFeatures: 16)
        fc2 = try Linear.load(loader, "fc2", inFeatures: 16, outFeatures: 1)
    }

    func pFake(_ features: Tensor) -> [Float] {
        var logits = dense(dense(features.flattenedPerSample(), fc1, activation: .leakyRelu(slope: 0.1)), fc2)
        activate(&logits, .sigmoid)
        return logits.storage
    }
}

/// Runs crops through a trunk (image → features) chunk by chunk, then the classifier once.
struct MesoRunner {
    let input: CropInput
    let classifier: MesoClassifier

    func pFake(crops: [RGBImage], trunk: (Tensor) -> Tensor) -> [Float] {
        guard !crops.isEmpty else { return [] }
        var features: [Float] = []
        features.reserveCapacity(crops.count * Meso.features)
        for start in stride(from: 0, to: crops.count, by: Meso.trunkChunk) {
            let chunk = crops[start..<min(start + Meso.trunkChunk, crops.count)]
            let output = trunk(input.tensor(chunk))
            precondition(output.count == chunk.count * Meso.features, "trunk produced \(output.shape)")
            features.append(contentsOf: output.storage)
        }
        return classifier.pFake(Tensor(shape: [crops.count, Meso.features], storage: features))
    }
}
