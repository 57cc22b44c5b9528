import Imaging
import NN
import Tensor

/// MesoInception-4: two inception blocks, then two 5×5 conv blocks, each followed by
/// BatchNorm and max-pool (each BatchNorm applied in the epilogue of the convs before it), then the Meso classifier. Checkpoint keys: inception{1,2}.branch1,
/// .branch{2,3,4}_reduce, .branch{2,3,4}, bn1…bn4, conv3, conv4, fc1, fc2.
public final class MesoInception4: Detector {
    public let card: ModelCard
    private let inception1, inception2: Inception
    private let conv3, conv4: Conv2DKernel
    private let bn3, bn4: BatchNorm
    private let runner: MesoRunner
    private let workspace = Workspace()

    public init(loader: WeightLoader, card: ModelCard) throws {
        self.card = card
        inception1 = try Inception(loader, "inception1", inChannels: 3, widths: (1, 4, 4, 2),
                                   batchNorm: try BatchNorm.load(loader, "bn1", channels: 11, epsilon: Meso.batchNormEpsilon))
        inception2 = try Inception(loader, "inception2", inChannels: 11, widths: (2, 4, 4, 2),
                                   batchNorm: try BatchNorm.load(loader, "bn2", channels: 12, epsilon: Meso.batchNormEpsilon))
        conv3 = try Conv2d.load(loader, "conv3", inChannels: 12, outChannels: 16, kernel: 5, padding: .same)
        conv4 = try Conv2d.load(loader, "conv4", inChannels: 16, outChannels: 16, kernel: 5, padding: .same)
        bn3 = try BatchNorm.load(loader, "bn3", channels: 16, epsilon: Meso.batchNormEpsilon)
        bn4 = try BatchNorm.load(loader, "bn4", channels: 16, epsilon: Meso.batchNormEpsilon)
        runner = MesoRunner(input: try CropInput(card: card), classifier: try MesoClassifier(loader))
        try loader.finish()
    }

    public func pFake(crops: [RGBImage]) throws -> [Float] {
        runner.pFake(crops: crops) { x in
            var x = Meso.pool(inception1(x, workspace: workspace), 2)
            x = Meso.pool(inception2(x, workspace: workspace), 2)
            x = Meso.pool(conv2d(x, conv3, epilogue: bn3.after(.relu), workspace: workspace), 2)
            return Meso.pool(conv2d(x, conv4, epilogue: bn4.after(.relu), workspace: workspace), 4)
        }
    }
}

/// Inc(a, b, c, d) = concat(1×1 a | 1×1 b → 3×3 b | 1×1 c → 3×3 c dilation 2 |
/// 1×1 d → 3×3 d dilation 3), every conv followed by ReLU, then the block's BatchNorm.
/// The BatchNorm is applied per branch in the epilogue of the conv that produces its channels,
/// and each branch writes straight into the concatenated output.
struct Inception {
    /// The four 1×1 convs read the same input: stacked into one conv (a+b+c+d outputs) whose
    /// first `a` channels are branch 1's final output.
    let pointwise: Conv2DKernel
    let pointwiseEpilogue: Epilogue
    let widths: (Int, Int, Int, Int)
    let branch2, branch3, branch4: Conv2DKernel
    let epilogue2, epilogue3, epilogue4: Epilogue

    init(_ loader: WeightLoader, _ name: String, inChannels: Int, widths: (Int, Int, Int, Int), batchNorm: BatchNorm) throws {
        self.widths = widths
        let (a, b, c, d) = widths
        func pointwise(_ branch: String, _ width: Int) throws -> Conv2DKernel {
            try Conv2d.load(loader, "\(name).\(branch)", inChannels: inChannels, outChannels: width, kernel: 1, padding: .same)
        }
        self.pointwise = Conv2DKernel.stacked([try pointwise("branch1", a), try pointwise("branch2_reduce", b),
                                               try pointwise("branch3_reduce", c), try pointwise("branch4_reduce", d)])
        branch2 = try Conv2d.load(loader, "\(name).branch2", inChannels: b, outChannels: b, kernel: 3, padding: .same)
        branch3 = try Conv2d.load(loader, "\(name).branch3", inChannels: c, outChannels: c, kernel: 3, padding: .same, dilation: 2)
        branch4 = try Conv2d.load(loader, "\(name).branch4", inChannels: d, outChannels: d, kernel: 3, padding: .same, dilation: 3)
        func normalised(_ channels: Range<Int>) -> Epilogue {
            Epilogue(activation: .relu, scale: Array(batchNorm.scale[channels]), shift: Array(batchNorm.shift[channels]))
        }
        let reduceOnly = b + c + d
        pointwiseEpilogue = Epilogue(activation: .relu,
                                     scale: Array(batchNorm.scale[0..<a]) + [Float](repeating: 1, count: reduceOnly),
                                     shift: Array(batchNorm.shift[0..<a]) + [Float](repeating: 0, count: reduceOnly))
        epilogue2 = normalised(a..<(a + b))
        epilogue3 = normalised((a + b)..<(a + b + c))
        epilogue4 = normalised((a + b + c)..<(a + b + c + d))
    }

    var outChannels: Int { widths.0 + widths.1 + widths.2 + widths.3 }

    func callAsFunction(_ x: Tensor, workspace: Workspace) -> Tensor {
        let reduced = conv2d(x, pointwise, epilogue: pointwiseEpilogue, workspace: workspace)
        let (a, b, c, _) = widths
        let shape = ImageShape(of: reduced)
        var output = Tensor(uninitialized: [shape.batch, outChannels, shape.height, shape.width])
        copyChannels(reduced, from: 0, count: a, into: &output, at: 0)
        conv2d(reduced, fromChannel: a, branch2, epilogue: epilogue2, into: &output, atChannel: a, workspace: workspace)
        conv2d(reduced, fromChannel: a + b, branch3, epilogue: epilogue3, into: &output, atChannel: a + b, workspace: workspace)
        conv2d(reduced, fromChannel: a + b + c, branch4, epilogue: epilogue4, into: &output, atChannel: a + b + c,
               workspace: workspace)
        return output
    }
}
