import Imaging
import NN
import Tensor

/// MAT (Zhao et al., CVPR 2021, "Multi-attentional deepfake detection") on the project's
/// EfficientNet-Lite0. At the 128 px input:
/// - M = 4 attention maps: block 10's output (112 ch, 8×8) → 1×1 conv + BN + ReLU;
/// - textural enhancement: block 2's output (24 ch, 32×32) minus its 3×3 local average (the
///   border averaging only the pixels inside), then three densely connected 3×3 conv + BN + ReLU
///   (24 ch each, each reading the input and every earlier output) → F, the three stacked (72 ch);
/// - bilinear attention pooling: each map resized bilinearly (half-pixel centres) to F's plane,
///   v_k = Σ F ⊙ A_k / (H·W), then v_k / max(‖v_k‖₂, 1e-6) → P (4 × 72);
/// - global feature G: the same pooling of the head's map (1280 ch after ReLU6) under Σ_k A_k;
/// - classifier: [P, G] (1,568) → dense 256 → ReLU → dense 1 → sigmoid = p_fake.
/// Keys (Training/models/mat.py): `backbone.` + EfficientNetLite0's, `attention.{conv,bn}`,
/// `texture.{0,1,2}.{conv,bn}`, `classifier.{0,2}`. docs/mat.md.
public final class MAT: AttentionDetector {
    public let card: ModelCard
    private let backbone: EfficientNetLite0
    private let attention: Conv2DKernel
    private let texture: [Conv2DKernel]
    private let hidden: DenseKernel
    private let output: DenseKernel
    private let workspace = Workspace()

    static let attentionBlock = 10
    static let shallowBlock = 2
    static let attentionCount = 4
    static let textureGrowth = 24
    static let textureLayers = 3
    static let hiddenWidth = 256
    static let normEpsilon: Float = 1e-6
    static let textureChannels = textureGrowth * textureLayers
    static let featureWidth = attentionCount * textureChannels + EfficientNetLite0.headChannels

    /// Output channels of block `index` of the backbone.
    static func blockChannels(_ index: Int) -> Int {
        EfficientNetLite0.blockChannels()[index]
    }

    public init(loader: WeightLoader, card: ModelCard) throws {
        self.card = card
        backbone = try EfficientNetLite0(loader: loader, card: card, keyPrefix: "backbone.")
        attention = try EfficientNetLite0.convBatchNorm(loader, "attention.conv", "attention.bn",
                                                        inChannels: Self.blockChannels(Self.attentionBlock),
                                                        outChannels: Self.attentionCount, kernel: 1)
        let shallow = Self.blockChannels(Self.shallowBlock)
        texture = try (0..<Self.textureLayers).map { layer in
            try EfficientNetLite0.convBatchNorm(loader, "texture.\(layer).conv", "texture.\(layer).bn",
                                                inChannels: shallow + layer * Self.textureGrowth,
                                                outChannels: Self.textureGrowth, kernel: 3)
        }
        hidden = try Linear.load(loader, "classifier.0", inFeatures: Self.featureWidth, outFeatures: Self.hiddenWidth)
        output = try Linear.load(loader, "classifier.2", inFeatures: Self.hiddenWidth, outFeatures: 1)
        try loader.finish()
    }

    public func pFake(crops: [RGBImage]) throws -> [Float] {
        try pFakeAndAttention(crops: crops).map(\.pFake)
    }

    public func pFakeAndAttention(crops: [RGBImage]) throws -> [(pFake: Float, attention: AttentionMaps)] {
        guard !crops.isEmpty else { return [] }
        var features: [Float] = []
        var maps: [AttentionMaps] = []
        for crop in crops {
            let analysis = analyse(crop)
            features += analysis.features
            maps.append(analysis.attention)
        }
        var logits = dense(dense(Tensor(shape: [crops.count, Self.featureWidth], storage: features), hidden,
                                 activation: .relu), output)
        activate(&logits, .sigmoid)
        return Array(zip(logits.storage, maps))
    }

    /// One crop's classifier input [P flattened, G] and its attention maps.
    func analyse(_ crop: RGBImage) -> (features: [Float], attention: AttentionMaps) {
        let (head, kept) = backbone.featureMaps(crop, keeping: [Self.shallowBlock, Self.attentionBlock])
        // Channel-major [C, 1, H, W] is NCHW [1, C, H, W]: the same values in the same order.
        let maps = pointwiseConv2d(channelMajor: kept[Self.attentionBlock]!, attention, epilogue: Epilogue(activation: .relu))
        let mapShape = (height: maps.shape[2], width: maps.shape[3])
        let textural = texturalFeatures(kept[Self.shallowBlock]!)
        var features: [Float] = []
        features.reserveCapacity(Self.featureWidth)
        let plane = mapShape.height * mapShape.width
        var summed = [Float](repeating: 0, count: plane)
        for k in 0..<Self.attentionCount {
            let map = Array(maps.storage[(k * plane)..<((k + 1) * plane)])
            for i in 0..<plane { summed[i] += map[i] }
            features += attentionPooled(textural, under: map, mapShape)
        }
        features += attentionPooled(head, under: summed, mapShape)
        let attentionMaps = AttentionMaps(width: mapShape.width, height: mapShape.height,
                                          maps: (0..<Self.attentionCount).map { Array(maps.storage[($0 * plane)..<(($0 + 1) * plane)]) })
        return (features, attentionMaps)
    }

    /// Block 2's output minus its local average, through the three densely connected convs:
    /// the convs' outputs stacked, NCHW [1, 72, H, W].
    func texturalFeatures(_ shallow: Tensor) -> Tensor {
        let x = shallow.reshaped([1, shallow.shape[0], shallow.shape[2], shallow.shape[3]])
        var contrast = avgPool2d(x, window: Window(height: 3, width: 3), padding: .symmetric(1), countPadding: false)
        for i in contrast.storage.indices { contrast.storage[i] = x.storage[i] - contrast.storage[i] }
        var stack = contrast
        var outputs: [Tensor] = []
        for layer in texture {
            let y = conv2d(stack, layer, epilogue: Epilogue(activation: .relu), workspace: workspace)
            outputs.append(y)
            stack = concatChannels([stack, y])
        }
        return concatChannels(outputs)
    }

    /// Normalised average pooling of `features` ([1, C, H, W] or [C, 1, H, W]) under `map`
    /// (`mapShape`, resized bilinearly to H×W): C values of unit length (or all 0).
    func attentionPooled(_ features: Tensor, under map: [Float], _ mapShape: (height: Int, width: Int)) -> [Float] {
        let channels = features.shape[0] * features.shape[1], height = features.shape[2], width = features.shape[3]
        let weights = resizedPlane(map, from: mapShape, to: (height, width))
        let plane = height * width
        var pooled = [Float](repeating: 0, count: channels)
        features.storage.withUnsafeBufferPointer { values in
            for c in 0..<channels {
                var sum: Float = 0
                for i in 0..<plane { sum += values[c * plane + i] * weights[i] }
                pooled[c] = sum / Float(plane)
            }
        }
        let norm = max(pooled.reduce(0) { $0 + $1 * $1 }.squareRoot(), Self.normEpsilon)
        return pooled.map { $0 / norm }
    }
}

/// PyTorch's `interpolate(mode="bilinear", align_corners=False)` of one float plane.
func resizedPlane(_ plane: [Float], from source: (height: Int, width: Int), to target: (height: Int, width: Int)) -> [Float] {
    if source == target { return plane }
    let rows = BilinearTaps(input: source.height, output: target.height)
    let columns = BilinearTaps(input: source.width, output: target.width)
    var out = [Float](repeating: 0, count: target.height * target.width)
    for y in 0..<target.height {
        let (y0, y1, h0, h1) = rows[y]
        for x in 0..<target.width {
            let (x0, x1, w0, w1) = columns[x]
            let top = w0 * plane[y0 * source.width + x0] + w1 * plane[y0 * source.width + x1]
            let bottom = w0 * plane[y1 * source.width + x0] + w1 * plane[y1 * source.width + x1]
            out[y * target.width + x] = h0 * top + h1 * bottom
        }
    }
    return out
}
