import Foundation
import Imaging
import NN
import Tensor

/// ClassNSeg (Nguyen et al., BTAS 2019; seeds/NOTES.md 003): a Y-shaped autoencoder. The
/// encoder (9 × conv 3×3 + BatchNorm + ReLU) maps a 256² crop to a 128×16×16 latent whose two
/// 64-channel halves classify by activation: a_k = mean |half k|. The authors' class 1 is
/// *original*, so p_fake = softmax([a0, a1])[0] = sigmoid(a0 − a1). The decoders (transposed
/// convs) see the latent with the non-predicted half zeroed: `shared` → 32×64×64, then
/// `segmenter` → 2×256² softmax (channel 1 = manipulated) and `decoder` → 3×256² tanh (the
/// reconstruction). Keys are the authors' nn.Sequential indices (Training/models/classnseg.py):
/// `encoder.{0,3,…,24}` convs with BatchNorms at +1, `shared.{0,3,6,9}`, `segmenter.{0,…,12}`,
/// `decoder.{0,…,12}`. Every BatchNorm directly follows its conv and is folded into it.
///
/// `pFake` runs the encoder only; the segmenter runs for masks, the reconstruction branch only
/// when asked (each costs about as much as the encoder).
public final class ClassNSeg: MaskingDetector {
    public let card: ModelCard
    private let input: CropInput
    private let encoder: [Conv2DKernel]
    private let shared: [ConvTranspose2DKernel]
    private let segmenter: [ConvTranspose2DKernel]
    private let reconstructor: [ConvTranspose2DKernel]
    private let workspace = Workspace()

    /// PyTorch's BatchNorm2d default, which the authors trained with.
    static let batchNormEpsilon: Float = 1e-5
    static let encoderChannels = [8, 8, 16, 16, 32, 32, 64, 64, 128]
    static let encoderStrides = [1, 2, 1, 2, 1, 2, 1, 2, 1]
    /// (in, out, stride) of the BatchNorm + ReLU blocks of `shared` and of each branch.
    static let sharedBlocks = [(128, 64, 1), (64, 64, 2), (64, 32, 1), (32, 32, 2)]
    static let branchBlocks = [(32, 16, 1), (16, 16, 2), (16, 8, 1), (8, 8, 2)]
    static let latentChannels = 128
    static let latentSize = 16

    /// One crop's outputs.
    public struct Output: Sendable {
        /// a0, a1: mean |latent half| (class 0 = manipulated, 1 = original).
        public let activations: [Float]
        public let pFake: Float
        public let mask: ManipulationMask?
        /// `[3, 256, 256]` in [-1, 1] (the normalised input's reconstruction), when asked for.
        public let reconstruction: Tensor?
    }

    public init(loader: WeightLoader, card: ModelCard) throws {
        guard card.inputSize == 256 else {
            throw DetectorError.unsupportedCard(field: "input_size", value: String(card.inputSize))
        }
        self.card = card
        input = try CropInput(card: card)
        var encoder: [Conv2DKernel] = []
        var channels = 3
        for (index, (out, stride)) in zip(Self.encoderChannels, Self.encoderStrides).enumerated() {
            let conv = try Conv2d.load(loader, "encoder.\(3 * index)", inChannels: channels, outChannels: out, kernel: 3,
                                       stride: stride, padding: .symmetric(1))
            let norm = try BatchNorm.load(loader, "encoder.\(3 * index + 1)", channels: out, epsilon: Self.batchNormEpsilon)
            encoder.append(conv.folding(scale: norm.scale, shift: norm.shift))
            channels = out
        }
        self.encoder = encoder
        shared = try Self.upBlocks(loader, "shared", Self.sharedBlocks)
        segmenter = try Self.upBlocks(loader, "segmenter", Self.branchBlocks)
            + [ConvTranspose2d.load(loader, "segmenter.12", inChannels: 8, outChannels: 2, kernel: 3, padding: 1)]
        reconstructor = try Self.upBlocks(loader, "decoder", Self.branchBlocks)
            + [ConvTranspose2d.load(loader, "decoder.12", inChannels: 8, outChannels: 3, kernel: 3, padding: 1)]
        try loader.finish()
    }

    /// Transposed conv 3×3, padding 1 (output_padding 1 when strided) + folded BatchNorm, per block.
    private static func upBlocks(_ loader: WeightLoader, _ name: String,
                                 _ blocks: [(Int, Int, Int)]) throws -> [ConvTranspose2DKernel] {
        try blocks.enumerated().map { index, block in
            let (inChannels, outChannels, stride) = block
            let conv = try ConvTranspose2d.load(loader, "\(name).\(3 * index)", inChannels: inChannels,
                                                outChannels: outChannels, kernel: 3, stride: stride, padding: 1,
                                                outputPadding: stride - 1)
            let norm = try BatchNorm.load(loader, "\(name).\(3 * index + 1)", channels: outChannels,
                                          epsilon: batchNormEpsilon)
            return conv.folding(scale: norm.scale, shift: norm.shift)
        }
    }

    public func pFake(crops: [RGBImage]) throws -> [Float] {
        analyse(crops, masks: false, reconstruction: false).map(\.pFake)
    }

    public func pFakeAndMasks(crops: [RGBImage]) throws -> [(pFake: Float, mask: ManipulationMask)] {
        analyse(crops, masks: true, reconstruction: false).map { ($0.pFake, $0.mask!) }
    }

    /// Each crop through the encoder, then (when asked) the shared decoder and the branches.
    /// One crop at a time: the 256² planes stay in cache, and a crop scores the same in any batch.
    public func analyse(_ crops: [RGBImage], masks: Bool, reconstruction: Bool) -> [Output] {
        crops.indices.map { index in
            let latent = encode(input.tensor(crops[index...index]))
            let activations = Self.activations(latent)
            let pFake = stableSigmoidOfDifference(activations[0], activations[1])
            guard masks || reconstruction else {
                return Output(activations: activations, pFake: pFake, mask: nil, reconstruction: nil)
            }
            let features = run(shared, Self.keepingPredictedHalf(latent, activations), last: nil)
            var mask: ManipulationMask?
            if masks {
                let logits = run(segmenter, features, last: .identity)
                mask = ManipulationMask(width: logits.shape[3], height: logits.shape[2],
                                        probabilities: Self.manipulatedProbability(logits))
            }
            let image = reconstruction ? run(reconstructor, features, last: .tanh) : nil
            return Output(activations: activations, pFake: pFake, mask: mask,
                          reconstruction: image.map { $0.reshaped(Array($0.shape.dropFirst())) })
        }
    }

    /// `[1, 3, 256, 256]` → latent `[1, 128, 16, 16]`.
    func encode(_ x: Tensor) -> Tensor {
        encoder.reduce(x) { conv2d($0, $1, epilogue: Epilogue(activation: .relu), workspace: workspace) }
    }

    /// Runs transposed-conv blocks: ReLU after each, except the last one's `last` activation when given.
    private func run(_ layers: [ConvTranspose2DKernel], _ x: Tensor, last: Activation?) -> Tensor {
        var x = x
        for (index, layer) in layers.enumerated() {
            let activation = index == layers.count - 1 ? (last ?? .relu) : .relu
            x = convTranspose2d(x, layer, epilogue: Epilogue(activation: activation), workspace: workspace)
        }
        return x
    }

    /// Channel 1 of the softmax over two channels, `[1, 2, H, W]` → H·W values: softmax([x0, x1])[1]
    /// = 1 / (1 + e^(x0 − x1)), without computing channel 0 (half the exponentials, no copies).
    static func manipulatedProbability(_ logits: Tensor) -> [Float] {
        let plane = logits.shape[2] * logits.shape[3]
        return logits.storage.withUnsafeBufferPointer { values in
            [Float](unsafeUninitializedCapacity: plane) { out, count in
                for i in 0..<plane { out[i] = 1 / (1 + exp(values[i] - values[plane + i])) }
                count = plane
            }
        }
    }

    /// [a0, a1] of one crop's latent, summed in Double (16,384 values each).
    static func activations(_ latent: Tensor) -> [Float] {
        let half = latent.count / 2
        return latent.storage.withUnsafeBufferPointer { values in
            (0..<2).map { part in
                var sum = 0.0
                for i in (part * half)..<((part + 1) * half) { sum += Double(abs(values[i])) }
                return Float(sum / Double(half))
            }
        }
    }

    /// The latent with the half of the class not predicted set to zero (class 1 when a1 ≥ a0).
    static func keepingPredictedHalf(_ latent: Tensor, _ activations: [Float]) -> Tensor {
        var kept = latent
        let half = latent.count / 2
        let dropped = activations[1] >= activations[0] ? 0 : 1
        kept.storage.withUnsafeMutableBufferPointer { values in
            (values.baseAddress! + dropped * half).update(repeating: 0, count: half)
        }
        return kept
    }
}

/// sigmoid(a − b) without overflow.
private func stableSigmoidOfDifference(_ a: Float, _ b: Float) -> Float {
    let d = Double(a) - Double(b)
    return Float(d >= 0 ? 1 / (1 + exp(-d)) : exp(d) / (1 + exp(d)))
}
