import Tensor

/// Builders for engine kernels from checkpoint tensors, keyed like PyTorch modules:
/// `<name>.weight`, `<name>.bias`, `<name>.running_mean` …

public enum Conv2d {
    /// `torch.nn.Conv2d(inChannels, outChannels, kernel, stride, padding, dilation, groups, bias)`.
    public static func load(_ loader: WeightLoader, _ name: String, inChannels: Int, outChannels: Int,
                            kernel: Int, stride: Int = 1, padding: Padding, dilation: Int = 1,
                            groups: Int = 1, bias: Bool = true) throws -> Conv2DKernel {
        let weight = try loader.take("\(name).weight", shape: [outChannels, inChannels / groups, kernel, kernel])
        let biasValues = bias ? try loader.take("\(name).bias", shape: [outChannels]) : nil
        return Conv2DKernel(outChannels: outChannels, inChannels: inChannels,
                            window: .square(kernel, stride: stride, dilation: dilation), padding: padding,
                            groups: groups, weight: weight, bias: biasValues)
    }
}

/// Inference BatchNorm as the per-channel affine `x·scale + shift` it reduces to.
public struct BatchNorm: Sendable, Equatable {
    public let scale: [Float]
    public let shift: [Float]

    /// `torch.nn.BatchNorm2d(channels, eps)`; `num_batches_tracked` is not exported.
    public static func load(_ loader: WeightLoader, _ name: String, channels: Int, epsilon: Float) throws -> BatchNorm {
        let gamma = try loader.take("\(name).weight", shape: [channels])
        let beta = try loader.take("\(name).bias", shape: [channels])
        let mean = try loader.take("\(name).running_mean", shape: [channels])
        let variance = try loader.take("\(name).running_var", shape: [channels])
        // Computed in Double so the affine matches a float64 reference to the last bits we can keep.
        let scale = (0..<channels).map { Double(gamma[$0]) / (Double(variance[$0]) + Double(epsilon)).squareRoot() }
        let shift = (0..<channels).map { Double(beta[$0]) - Double(mean[$0]) * scale[$0] }
        return BatchNorm(scale: scale.map(Float.init), shift: shift.map(Float.init))
    }

    public init(scale: [Float], shift: [Float]) {
        self.scale = scale
        self.shift = shift
    }

    /// The epilogue of a conv that is followed by `activation`, then this BatchNorm.
    public func after(_ activation: Activation) -> Epilogue {
        Epilogue(activation: activation, scale: scale, shift: shift)
    }
}

public enum Linear {
    /// `torch.nn.Linear(inFeatures, outFeatures)`.
    public static func load(_ loader: WeightLoader, _ name: String, inFeatures: Int, outFeatures: Int) throws -> DenseKernel {
        DenseKernel(inFeatures: inFeatures, outFeatures: outFeatures,
                    weight: try loader.take("\(name).weight", shape: [outFeatures, inFeatures]),
                    bias: try loader.take("\(name).bias", shape: [outFeatures]))
    }
}
