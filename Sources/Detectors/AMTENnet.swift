import Imaging
import NN
import Tensor

/// AMTENnet (Guo et al., CVIU 2021; seeds/NOTES.md 004), multi-class.
///
/// Adaptive manipulation trace extraction: F_mt = conv1(I) − I; reuse: conv2_1 → conv2_2 on F_mt,
/// concatenated after it (6 channels), conv3_1 → conv3_2 on that, concatenated after it (12
/// channels). Then conv4 3×3→24, conv5 3×3→48, conv6 3×3→64 (each with BatchNorm, folded into the
/// conv it directly follows) and conv7 1×1→128, each → ReLU → max-pool 3 stride 2 in Caffe's ceil
/// mode (Keras "same" padding at these sizes); fc1 300 → ReLU → fc2 300 → ReLU → fc3 → softmax over
/// the card's `manipulation_classes` (class 0 "real"); p_fake = 1 − p(real).
///
/// Keys (Training/models/amtennet.py): conv1, conv2_1, conv2_2, conv3_1, conv3_2, conv4…conv7,
/// bn4…bn6, fc1…fc3. Input: a multiple of 16 (128 in the authors' deploy file).
public final class AMTENnet: ManipulationClassifier {
    public let card: ModelCard
    public let manipulationClasses: [String]
    private let extractor: Conv2DKernel
    private let reuse2: (Conv2DKernel, Conv2DKernel)
    private let reuse3: (Conv2DKernel, Conv2DKernel)
    /// conv4…conv7, BatchNorm folded into the first three.
    private let trunk: [Conv2DKernel]
    private let fc1, fc2, fc3: DenseKernel
    private let input: CropInput
    private let workspace = Workspace()

    static let fcWidth = 300
    /// conv4…conv7: input channels, output channels, kernel.
    static let trunkLayers = [(12, 24, 3), (24, 48, 3), (48, 64, 3), (64, 128, 1)]
    /// Caffe's BatchNorm default (the authors' deploy file sets none).
    static let batchNormEpsilon: Float = 1e-5

    /// Features into fc1: each of the four pools halves the side (a multiple of 16).
    static func features(inputSize: Int) -> Int {
        let side = inputSize / 16
        return 128 * side * side
    }

    public init(loader: WeightLoader, card: ModelCard) throws {
        self.card = card
        guard let classes = try ManipulationClasses.read(loader.metadata) else {
            throw ModelCardError.missingField(ManipulationClasses.cardField)
        }
        manipulationClasses = classes
        // Four pools of 3 stride 2: Caffe's ceil mode is Keras "same" padding only on even sides.
        guard card.inputSize % 16 == 0 else { throw ModelCardError.invalidField("input_size", String(card.inputSize)) }
        func conv(_ name: String, _ inChannels: Int, _ outChannels: Int, _ kernel: Int) throws -> Conv2DKernel {
            try Conv2d.load(loader, name, inChannels: inChannels, outChannels: outChannels, kernel: kernel,
                            padding: .symmetric(kernel / 2))
        }
        extractor = try conv("conv1", 3, 3, 3)
        reuse2 = (try conv("conv2_1", 3, 3, 3), try conv("conv2_2", 3, 3, 3))
        reuse3 = (try conv("conv3_1", 6, 6, 3), try conv("conv3_2", 6, 6, 3))
        trunk = try Self.trunkLayers.enumerated().map { offset, layer in
            let index = offset + 4
            let kernel = try conv("conv\(index)", layer.0, layer.1, layer.2)
            guard index < 7 else { return kernel }
            let norm = try BatchNorm.load(loader, "bn\(index)", channels: layer.1, epsilon: Self.batchNormEpsilon)
            return kernel.folding(scale: norm.scale, shift: norm.shift)
        }
        fc1 = try Linear.load(loader, "fc1", inFeatures: Self.features(inputSize: card.inputSize), outFeatures: Self.fcWidth)
        fc2 = try Linear.load(loader, "fc2", inFeatures: Self.fcWidth, outFeatures: Self.fcWidth)
        fc3 = try Linear.load(loader, "fc3", inFeatures: Self.fcWidth, outFeatures: classes.count)
        input = try CropInput(card: card)
        try loader.finish()
    }

    public func pFake(crops: [RGBImage]) throws -> [Float] {
        try classProbabilities(crops: crops).map { 1 - $0[0] }
    }

    public func classProbabilities(crops: [RGBImage]) throws -> [[Float]] {
        guard !crops.isEmpty else { return [] }
        let classes = manipulationClasses.count
        var rows: [[Float]] = []
        rows.reserveCapacity(crops.count)
        // One crop at a time: each layer's activations stay in cache, and a crop's output does not
        // depend on the batch it came in.
        for crop in crops {
            let probabilities = softmax(logits(input.tensor([crop][...])))
            rows.append(Array(probabilities.storage.prefix(classes)))
        }
        return rows
    }

    /// F_reu: the trace and its two reuse stages, `[N, 12, S, S]`.
    func traces(_ x: Tensor) -> Tensor {
        var trace = conv2d(x, extractor, workspace: workspace)
        add(Tensor(shape: x.shape, storage: x.storage.map { -$0 }), to: &trace)
        let reused = concatChannels([trace, conv2d(conv2d(trace, reuse2.0, workspace: workspace), reuse2.1, workspace: workspace)])
        return concatChannels([reused, conv2d(conv2d(reused, reuse3.0, workspace: workspace), reuse3.1, workspace: workspace)])
    }

    /// Class logits `[N, classes]`.
    func logits(_ x: Tensor) -> Tensor {
        var x = traces(x)
        for layer in trunk {
            x = maxPool2d(conv2d(x, layer, epilogue: Epilogue(activation: .relu), workspace: workspace),
                          window: .square(3, stride: 2), padding: .same)
        }
        x = dense(x.flattenedPerSample(), fc1, activation: .relu)
        return dense(dense(x, fc2, activation: .relu), fc3)
    }
}
