import TensorAVX512

/// The channel-blocked layout `[C/16, N, H, W, 16]`: a position's 16 channels of a block side
/// by side, one AVX-512 vector (ONNX Runtime's NCHWc). The late, small planes of EfficientNet
/// run in it on CPUs with AVX-512: its depthwise convolution needs no transposes, and its 1×1
/// product reads each input value once per tile, with no panel copies. Every kernel here sums
/// each output in the same order as its channel-major counterpart, so both layouts give the
/// same bits (`ChannelBlockedTests`).
public enum ChannelBlocked {
    public static let lanes = 16

    /// Whether the kernels can run here (they are the AVX-512 module's).
    public static var available: Bool { WideKernels.available }
}

/// A 1×1 convolution in the layout it runs in: blocked where the CPU can (AVX-512) and the
/// caller chose it (outputs a multiple of 16), else channel-major. Either takes an input in
/// either layout and gives its output in its own.
public enum LaidOutPointwise: Sendable {
    case channelMajor(Conv2DKernel)
    case blocked(BlockedPointwiseKernel)

    public init(_ kernel: Conv2DKernel, blocked: Bool) {
        self = blocked ? .blocked(BlockedPointwiseKernel(kernel)) : .channelMajor(kernel)
    }

    public func callAsFunction(_ input: Tensor, epilogue: Epilogue = .none) -> Tensor {
        switch self {
        case let .channelMajor(kernel) where input.rank == 5 && ChannelBlocked.available && epilogue.registerClamp != nil:
            pointwiseConv2d(fromBlocked: input, kernel, epilogue: epilogue)
        case let .channelMajor(kernel): pointwiseConv2d(channelMajor: channelMajorLayout(input), kernel, epilogue: epilogue)
        case let .blocked(kernel): pointwiseConv2d(blocked: input, kernel, epilogue: epilogue)
        }
    }
}

/// The 1×1 convolution from a blocked `[K/16, N, H, W, 16]` input to a channel-major
/// `[O, N, H, W]` output (how a block with, say, 24 output channels leaves the layout): the
/// 16-float channel-major product, its panels filled through register transposes. The same
/// bits as `pointwiseConv2d(channelMajor:)` on the same values.
public func pointwiseConv2d(fromBlocked input: Tensor, _ kernel: Conv2DKernel, epilogue: Epilogue = .none) -> Tensor {
    precondition(ChannelBlocked.available, "the blocked kernels need AVX-512")
    guard let clamp = epilogue.registerClamp else { preconditionFailure("blocked convs take bias/ReLU/ReLU6 epilogues") }
    precondition(kernel.window.height == 1 && kernel.window.width == 1 && kernel.window.strideX == 1
                 && kernel.window.strideY == 1 && kernel.groups == 1
                 && input.rank == 5 && input.shape[4] == ChannelBlocked.lanes
                 && input.shape[0] * ChannelBlocked.lanes == kernel.inChannels,
                 "a 1×1 conv over \(kernel.inChannels) channels cannot take blocked \(input.shape)")
    let positions = input.shape[1...3].reduce(1, *)
    var output = Tensor(uninitialized: [kernel.outChannels] + input.shape[1...3])
    input.storage.withUnsafeBufferPointer { source in
        kernel.weight.withUnsafeBufferPointer { weights in
            kernel.bias.withUnsafeBufferPointer { bias in
                output.storage.withUnsafeMutableBufferPointer { target in
                    withUnsafeTemporaryAllocation(of: Float.self,
                                                  capacity: WidePointwiseGEMM.scratchCount(inChannels: kernel.inChannels)) {
                        WidePointwiseGEMM.run(weights: weights.baseAddress!, outChannels: kernel.outChannels,
                                              inChannels: kernel.inChannels, bias: bias.baseAddress!, clamp: clamp,
                                              source: source.baseAddress!, sourceStride: positions, columns: positions,
                                              target: target.baseAddress!, targetStride: positions, scratch: $0.baseAddress!,
                                              blockedSource: true)
                    }
                }
            }
        }
    }
    return output
}

/// A 1×1 convolution's weights packed for the blocked product (`BlockedPointwise.PackedWeights`):
/// each input channel's weights for 16 consecutive outputs are one vector.
public struct BlockedPointwiseKernel: Sendable {
    public let outChannels: Int, inChannels: Int
    let packedWeights: BlockedPointwise.PackedWeights
    let bias: [Float]

    public init(_ kernel: Conv2DKernel) {
        precondition(kernel.window.height == 1 && kernel.window.width == 1 && kernel.window.strideX == 1
                     && kernel.window.strideY == 1 && kernel.groups == 1 && kernel.outChannels % ChannelBlocked.lanes == 0,
                     "a blocked 1×1 kernel takes ungrouped stride-1 1×1 kernels with a multiple of 16 outputs")
        (outChannels, inChannels, bias) = (kernel.outChannels, kernel.inChannels, kernel.bias)
        packedWeights = kernel.weight.withUnsafeBufferPointer {
            BlockedPointwise.PackedWeights($0.baseAddress!, outChannels: kernel.outChannels, inChannels: kernel.inChannels)
        }
    }
}

/// The 1×1 convolution from a blocked `[K/16, N, H, W, 16]` or a channel-major `[K, N, H, W]`
/// input (any K: how a network enters the layout) → blocked `[O/16, N, H, W, 16]`. The epilogue
/// must be a bias and at most a clamp (identity, ReLU, ReLU6).
public func pointwiseConv2d(blocked input: Tensor, _ kernel: BlockedPointwiseKernel, epilogue: Epilogue = .none) -> Tensor {
    precondition(ChannelBlocked.available, "the blocked kernels need AVX-512")
    guard let clamp = epilogue.registerClamp else { preconditionFailure("blocked convs take bias/ReLU/ReLU6 epilogues") }
    let blocked = input.rank == 5
    let positions = input.shape.dropFirst().prefix(3).reduce(1, *)
    precondition(blocked ? input.shape[0] * ChannelBlocked.lanes == kernel.inChannels && input.shape[4] == ChannelBlocked.lanes
                         : input.rank == 4 && input.shape[0] == kernel.inChannels,
                 "a blocked 1×1 conv over \(kernel.inChannels) channels cannot take \(input.shape)")
    var output = Tensor(uninitialized: [kernel.outChannels / ChannelBlocked.lanes] + input.shape[1...3] + [ChannelBlocked.lanes])
    input.storage.withUnsafeBufferPointer { source in
        kernel.bias.withUnsafeBufferPointer { bias in
            output.storage.withUnsafeMutableBufferPointer { target in
                BlockedPointwise.run(kernel.packedWeights, bias: bias.baseAddress!, clamp: clamp, source: source.baseAddress!,
                                     layout: blocked ? .blocked : .channelMajor, positions: positions,
                                     target: target.baseAddress!)
            }
        }
    }
    return output
}

/// A depthwise convolution with its filter packed for the blocked kernel (`BlockedDepthwise.packedFilter`).
public struct BlockedDepthwiseKernel: Sendable {
    public let kernel: Conv2DKernel
    let packedFilter: [Float]

    public init(_ kernel: Conv2DKernel) {
        precondition(DepthwiseConvolution.applies(kernel) && kernel.inChannels % ChannelBlocked.lanes == 0,
                     "a blocked depthwise kernel takes depthwise kernels over a multiple of 16 channels")
        self.kernel = kernel
        packedFilter = kernel.weight.withUnsafeBufferPointer { BlockedDepthwise.packedFilter($0, channels: kernel.inChannels) }
    }
}

/// Depthwise convolution in the blocked layout: `[C/16, N, H, W, 16]` → `[C/16, N, H', W', 16]`.
/// The epilogue must be a bias and at most a clamp.
public func depthwiseConv2d(blocked input: Tensor, _ blockedKernel: BlockedDepthwiseKernel, epilogue: Epilogue = .none,
                            workspace: Workspace) -> Tensor {
    precondition(ChannelBlocked.available, "the blocked kernels need AVX-512")
    guard let clamp = epilogue.registerClamp else { preconditionFailure("blocked convs take bias/ReLU/ReLU6 epilogues") }
    let kernel = blockedKernel.kernel
    precondition(input.rank == 5 && input.shape[0] * ChannelBlocked.lanes == kernel.inChannels,
                 "a depthwise kernel over \(kernel.inChannels) channels cannot take blocked \(input.shape)")
    let (planes, height, width) = (input.shape[1], input.shape[2], input.shape[3])
    let window = kernel.window
    let pad = kernel.padding.resolved(height: height, width: width, window: window)
    let geometry = BlockedDepthwise.Geometry(planes: planes, height: height, width: width, padTop: pad.top,
                                             padLeft: pad.left, padBottom: pad.bottom, padRight: pad.right,
                                             kernelHeight: window.height, kernelWidth: window.width,
                                             strideY: window.strideY, strideX: window.strideX)
    var output = Tensor(uninitialized: [input.shape[0], planes, geometry.outHeight, geometry.outWidth, ChannelBlocked.lanes])
    input.storage.withUnsafeBufferPointer { source in
        blockedKernel.packedFilter.withUnsafeBufferPointer { filter in
            kernel.bias.withUnsafeBufferPointer { bias in
                output.storage.withUnsafeMutableBufferPointer { target in
                    workspace.withColumns(count: geometry.scratchCount) { scratch in
                        BlockedDepthwise.run(filter: filter.baseAddress!, channels: kernel.inChannels,
                                             bias: bias.baseAddress!, clamp: clamp, geometry: geometry,
                                             source: source.baseAddress!, target: target.baseAddress!, scratch: scratch)
                    }
                }
            }
        }
    }
    return output
}

/// Each channel's mean over its plane, per sample: blocked `[C/16, N, H, W, 16]` → `[N, C]`,
/// summed in the order `globalAvgPool` sums a plane (so the same bits).
public func globalAvgPool(blocked input: Tensor) -> Tensor {
    let lanes = ChannelBlocked.lanes
    let (blocks, samples, plane) = (input.shape[0], input.shape[1], input.shape[2] * input.shape[3])
    var means = [Float](repeating: 0, count: samples * blocks * lanes)
    input.storage.withUnsafeBufferPointer { x in
        for block in 0..<blocks {
            for sample in 0..<samples {
                let start = (block * samples + sample) * plane * lanes
                var sum = SIMD16<Float>()
                for position in 0..<plane {
                    sum += UnsafeRawPointer(x.baseAddress! + start + position * lanes).loadUnaligned(as: SIMD16<Float>.self)
                }
                let mean = sum / SIMD16(repeating: Float(plane))
                for lane in 0..<lanes { means[sample * blocks * lanes + block * lanes + lane] = mean[lane] }
            }
        }
    }
    return Tensor(shape: [samples, blocks * lanes], storage: means)
}

/// `x` channel-major `[C, N, H, W]` (C a multiple of 16) or already blocked → blocked
/// `[C/16, N, H, W, 16]`, the same values.
public func blockedLayout(_ input: Tensor) -> Tensor {
    guard input.rank == 4 else { return input }
    let lanes = ChannelBlocked.lanes
    precondition(input.shape[0] % lanes == 0, "\(input.shape[0]) channels do not fill blocks of \(lanes)")
    let positions = input.shape[1] * input.shape[2] * input.shape[3]
    var output = Tensor(uninitialized: [input.shape[0] / lanes] + input.shape[1...3] + [lanes])
    input.storage.withUnsafeBufferPointer { x in
        output.storage.withUnsafeMutableBufferPointer { y in
            for channel in 0..<input.shape[0] {
                let (block, lane) = channel.quotientAndRemainder(dividingBy: lanes)
                let from = x.baseAddress! + channel * positions, to = y.baseAddress! + block * positions * lanes + lane
                for position in 0..<positions { to[position * lanes] = from[position] }
            }
        }
    }
    return output
}

/// `x` blocked `[C/16, N, H, W, 16]` or already channel-major → channel-major `[C, N, H, W]`,
/// the same values.
public func channelMajorLayout(_ input: Tensor) -> Tensor {
    guard input.rank == 5 else { return input }
    let lanes = ChannelBlocked.lanes
    precondition(input.shape[4] == lanes, "\(input.shape) is not channel-blocked")
    let channels = input.shape[0] * lanes
    let positions = input.shape[1] * input.shape[2] * input.shape[3]
    var output = Tensor(uninitialized: [channels, input.shape[1], input.shape[2], input.shape[3]])
    input.storage.withUnsafeBufferPointer { x in
        output.storage.withUnsafeMutableBufferPointer { y in
            for channel in 0..<channels {
                let (block, lane) = channel.quotientAndRemainder(dividingBy: lanes)
                let from = x.baseAddress! + block * positions * lanes + lane, to = y.baseAddress! + channel * positions
                for position in 0..<positions { to[position] = from[position * lanes] }
            }
        }
    }
    return output
}

/// Per-sample channel means `[N, C]` of a blocked `[C/16, N, H, W, 16]` or channel-major
/// `[C, N, H, W]` input, the same bits either way.
public func channelMeans(_ input: Tensor) -> Tensor {
    input.rank == 5 ? globalAvgPool(blocked: input) : swappingLeadingAxes(globalAvgPool(input))
}
