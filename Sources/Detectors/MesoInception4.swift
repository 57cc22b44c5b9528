import Imaging
import NN
import Tensor

/// MesoInception-4: two inception blocks, then two 5×5 conv blocks, each followed by
/// BatchNorm and max-pool, then the Meso classifier. Checkpoint keys: inception{1,2}.branch1,
/// .branch{2,3,4}_reduce, .branch{2,3,4}, bn1…bn4, conv3, conv4, fc1, fc2.
public final class MesoInception4: Detector {
    public let card: ModelCard
    private let inception1, inception2: Inception
    private let conv3, conv4: Conv2DKernel
    private let bn1, bn2, bn3, bn4: BatchNorm
    private let runner: MesoRunner
    private let workspace = Workspace()

    public init(loader: WeightLoader, card: ModelCard) throws {
        self.card = card
        inception1 = try Inception(loader, "inception1", inChannels: 3, widths: (1, 4, 4, 2))
        inception2 = try Inception(loader, "inception2", inChannels: 11, widths: (2, 4, 4, 2))
        conv3 = try Conv2d.load(loader, "conv3", inChannels: 12, outChannels: 16, kernel: 5, padding: .same)
        conv4 = try Conv2d.load(loader, "conv4", inChannels: 16, outChannels: 16, kernel: 5, padding: .same)
        bn1 = try BatchNorm.load(loader, "bn1", channels: 11, epsilon: Meso.batchNormEpsilon)
        bn2 = try BatchNorm.load(loader, "bn2", channels: 12, epsilon: Meso.batchNormEpsilon)
        bn3 = try BatchNorm.load(loader, "bn3", channels: 16, epsilon: Meso.batchNormEpsilon)
        bn4 = try BatchNorm.load(loader, "bn4", channels: 16, epsilon: Meso.batchNormEpsilon)
        runner = MesoRunner(input: try CropInput(card: card), classifier: try MesoClassifier(loader))
        try loader.finish()
    }

    public func pFake(crops: [RGBImage]) throws -> [Float] {
        runner.pFake(crops: crops) { x in
            var x = inception1(x, workspace: workspace)
            channelAffine(&x, scale: bn1.scale, shift: bn1.shift)
            x = inception2(Meso.pool(x, 2), workspace: workspace)
            channelAffine(&x, scale: bn2.scale, shift: bn2.shift)
            x = Meso.pool(x, 2)
            x = Meso.pool(conv2d(x, conv3, epilogue: bn3.after(.relu), workspace: workspace), 2)
            return Meso.pool(conv2d(x, conv4, epilogue: bn4.after(.relu), workspace: workspace), 4)
        }
    }
}

/// Inc(a, b, c, d) = concat(1×1 a | 1×1 b → 3×3 b | 1×1 c → 3×3 c dilation 2 |
/// 1×1 d → 3×3 d dilation 3), every conv followed by ReLU.
struct Inception {
    /// The four 1×1 convs read the same input: stacked into one conv (a+b+c+d outputs).
    let pointwise: Conv2DKernel
    let widths: (Int, Int, Int, Int)
    let branch2, branch3, branch4: Conv2DKernel

    init(_ loader: WeightLoader, _ name: String, inChannels: Int, widths: (Int, Int, Int, Int)) throws {
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
    }

    func callAsFunction(_ x: Tensor, workspace: Workspace) -> Tensor {
        let reduced = conv2d(x, pointwise, epilogue: Epilogue(activation: .relu), workspace: workspace)
        let (a, b, c, d) = widths
        let parts = splitChannels(reduced, [a, b, c, d])
        return concatChannels([
            parts[0],
            conv2d(parts[1], branch2, epilogue: Epilogue(activation: .relu), workspace: workspace),
            conv2d(parts[2], branch3, epilogue: Epilogue(activation: .relu), workspace: workspace),
            conv2d(parts[3], branch4, epilogue: Epilogue(activation: .relu), workspace: workspace),
        ])
    }
}
