import CBLAS

/// A 2-D convolution's parameters: weights in PyTorch's OIHW layout
/// `[outChannels, inChannels / groups, kernelHeight, kernelWidth]`, optional bias.
public struct Conv2DKernel: Sendable, Equatable {
    public let outChannels: Int
    public let inChannels: Int
    public let groups: Int
    public let window: Window
    public let padding: Padding
    public let weight: [Float]
    public let bias: [Float]
    /// The filters repacked for the direct kernel (empty when it does not apply).
    let directFilters: [Float]

    public init(outChannels: Int, inChannels: Int, window: Window, padding: Padding, groups: Int = 1,
                weight: [Float], bias: [Float]? = nil) {
        precondition(groups > 0 && inChannels % groups == 0 && outChannels % groups == 0,
                     "groups \(groups) must divide in (\(inChannels)) and out (\(outChannels)) channels")
        precondition(weight.count == outChannels * (inChannels / groups) * window.height * window.width,
                     "conv weight has \(weight.count) values, expected OIHW \(outChannels)×\(inChannels / groups)×\(window.height)×\(window.width)")
        precondition(bias == nil || bias!.count == outChannels, "conv bias needs \(outChannels) values")
        self.outChannels = outChannels
        self.inChannels = inChannels
        self.groups = groups
        self.window = window
        self.padding = padding
        self.weight = weight
        self.bias = bias ?? [Float](repeating: 0, count: outChannels)
        self.directFilters = DirectConvolution.applies(groups: groups, window: window, inChannels: inChannels,
                                                                  outChannels: outChannels)
            ? DirectConvolution.pack(weight, outChannels: outChannels, inChannels: inChannels,
                                     taps: window.height * window.width)
            : []
    }

    /// Length of one output channel's filter within its group.
    public var filterLength: Int { (inChannels / groups) * window.height * window.width }

    /// Folds a per-output-channel affine that *directly* follows this convolution (a BatchNorm
    /// with no activation in between) into the weights and bias.
    public func folding(scale: [Float], shift: [Float]) -> Conv2DKernel {
        precondition(scale.count == outChannels && shift.count == outChannels, "fold needs \(outChannels) channels")
        let length = filterLength
        return Conv2DKernel(outChannels: outChannels, inChannels: inChannels, window: window, padding: padding,
                            groups: groups, weight: weight.enumerated().map { $1 * scale[$0 / length] },
                            bias: (0..<outChannels).map { bias[$0] * scale[$0] + shift[$0] })
    }

    /// Stacks convolutions that read the same input with the same window (e.g. the 1×1 branches
    /// of an inception module) into one, their outputs concatenated along channels.
    public static func stacked(_ kernels: [Conv2DKernel]) -> Conv2DKernel {
        let first = kernels[0]
        precondition(kernels.allSatisfy {
            $0.inChannels == first.inChannels && $0.window == first.window && $0.padding == first.padding
                && $0.groups == 1
        }, "only ungrouped convolutions with equal input and window can be stacked")
        return Conv2DKernel(outChannels: kernels.reduce(0) { $0 + $1.outChannels }, inChannels: first.inChannels,
                            window: first.window, padding: first.padding,
                            weight: kernels.flatMap(\.weight), bias: kernels.flatMap(\.bias))
    }
}

/// Which matrix product an im2col convolution runs: OpenBLAS's sgemm, or the engine's own
/// (`PointwiseGEMM`: every output the same chain of FMAs on any CPU; on AVX-512 faster than sgemm
/// for EfficientNet's stem, whose product is only 27 deep).
public enum ConvolutionProduct: Sendable {
    case blas, engine
}

/// Scratch budget for one im2col tile: small enough to stay in L2 while sgemm reads it.
private let columnTileFloats = 48 * 1024

/// Convolves an NCHW batch. Depthwise kernels (groups = channels) use their own kernel;
/// stride-1 ungrouped kernels with few inputs the direct kernel; the rest: im2col over tiles of
/// output rows + sgemm per group, with the epilogue applied to each tile while it is in cache.
/// 1×1 stride-1 unpadded convolutions skip im2col and multiply the input directly.
public func conv2d(_ input: Tensor, _ kernel: Conv2DKernel, epilogue: Epilogue = .none,
                   workspace: Workspace, product: ConvolutionProduct = .blas) -> Tensor {
    let inShape = ImageShape(of: input)
    precondition(inShape.channels == kernel.inChannels,
                 "conv expects \(kernel.inChannels) input channels, got \(inShape.channels)")
    let pad = kernel.padding.resolved(height: inShape.height, width: inShape.width, window: kernel.window)
    let (outHeight, outWidth) = pad.outputSize(height: inShape.height, width: inShape.width, window: kernel.window)
    var output = Tensor(uninitialized: [inShape.batch, kernel.outChannels, outHeight, outWidth])
    conv2d(input, fromChannel: 0, kernel, epilogue: epilogue, into: &output, atChannel: 0, workspace: workspace,
           product: product)
    return output
}

/// Convolves input channels `inputChannel ..< inputChannel + kernel.inChannels` into output
/// channels `outputChannel ..< outputChannel + kernel.outChannels` of an existing tensor, so the
/// branches of an inception module read slices of one tensor and write one concatenated output
/// without copies.
public func conv2d(_ input: Tensor, fromChannel inputChannel: Int, _ kernel: Conv2DKernel, epilogue: Epilogue = .none,
                   into output: inout Tensor, atChannel outputChannel: Int, workspace: Workspace,
                   product: ConvolutionProduct = .blas) {
    let inShape = ImageShape(of: input)
    let outShape = ImageShape(of: output)
    let window = kernel.window
    let pad = kernel.padding.resolved(height: inShape.height, width: inShape.width, window: window)
    let (outHeight, outWidth) = pad.outputSize(height: inShape.height, width: inShape.width, window: window)
    precondition(inputChannel >= 0 && inputChannel + kernel.inChannels <= inShape.channels,
                 "conv reads channels \(inputChannel)..<\(inputChannel + kernel.inChannels) of \(inShape.channels)")
    precondition(outputChannel >= 0 && outputChannel + kernel.outChannels <= outShape.channels
                 && outShape.batch == inShape.batch && outShape.height == outHeight && outShape.width == outWidth,
                 "conv output \(outShape.dims) cannot take \(kernel.outChannels) channels of \(outHeight)×\(outWidth) at \(outputChannel)")
    input.storage.withUnsafeBufferPointer { inBuffer in
        output.storage.withUnsafeMutableBufferPointer { outBuffer in
            for n in 0..<inShape.batch {
                let source = inBuffer.baseAddress! + n * inShape.sample + inputChannel * inShape.plane
                let target = outBuffer.baseAddress! + n * outShape.sample + outputChannel * outShape.plane
                if DepthwiseConvolution.applies(kernel) {
                    depthwise(kernel, epilogue: epilogue, source: source, planes: 1, height: inShape.height,
                              width: inShape.width, pad: pad, target: target, workspace: workspace)
                } else if kernel.directFilters.isEmpty {
                    im2colConv2d(kernel, pad: pad, epilogue: epilogue, source: source, inShape: inShape,
                                 target: target, outHeight: outHeight, outWidth: outWidth, workspace: workspace,
                                 product: product)
                } else {
                    let scratch = DirectConvolution.paddedCount(channels: kernel.inChannels, height: inShape.height,
                                                                width: inShape.width, pad: pad)
                    kernel.directFilters.withUnsafeBufferPointer { packed in
                        workspace.withColumns(count: scratch) { padded in
                            DirectConvolution.run(kernel, packed: packed.baseAddress!, epilogue: epilogue,
                                                  source: source, height: inShape.height, width: inShape.width, pad: pad,
                                                  target: target, outHeight: outHeight, outWidth: outWidth, padded: padded)
                        }
                    }
                }
            }
        }
    }
}

/// One sample through im2col + a matrix product (sgemm, or the engine's own), group by group.
private func im2colConv2d(_ kernel: Conv2DKernel, pad: ResolvedPadding, epilogue: Epilogue,
                          source sample: UnsafePointer<Float>, inShape: ImageShape,
                          target output: UnsafeMutablePointer<Float>, outHeight: Int, outWidth: Int,
                          workspace: Workspace, product: ConvolutionProduct) {
    let window = kernel.window
    let outPlane = outHeight * outWidth
    let groupIn = kernel.inChannels / kernel.groups
    let groupOut = kernel.outChannels / kernel.groups
    let depth = kernel.filterLength
    let isPointwise = window.height == 1 && window.width == 1 && window.strideX == 1 && window.strideY == 1
        && pad == ResolvedPadding(top: 0, left: 0, bottom: 0, right: 0)
    let rowsPerTile = isPointwise ? outHeight : max(1, min(outHeight, columnTileFloats / max(depth * outWidth, 1)))
    let geometry = Im2ColGeometry(height: inShape.height, width: inShape.width, channels: groupIn,
                                  window: window, padding: pad, outWidth: outWidth)
    kernel.weight.withUnsafeBufferPointer { weights in
        workspace.withColumns(count: isPointwise ? 0 : depth * rowsPerTile * outWidth) { columns in
            for g in 0..<kernel.groups {
                let source = sample + g * groupIn * inShape.plane
                let target = output + g * groupOut * outPlane
                let filters = weights.baseAddress! + g * groupOut * depth
                var row = 0
                while row < outHeight {
                    let rows = min(rowsPerTile, outHeight - row)
                    let tileColumns = rows * outWidth
                    let matrix: UnsafePointer<Float>
                    if isPointwise {
                        matrix = source
                    } else {
                        geometry.fill(columns, from: source, outRows: row..<(row + rows))
                        matrix = UnsafePointer(columns)
                    }
                    let tile = target + row * outWidth
                    let clamp = epilogue.registerClamp
                    if product == .engine, let clamp {
                        kernel.bias.withUnsafeBufferPointer { bias in
                            withUnsafeTemporaryAllocation(of: Float.self,
                                                          capacity: PointwiseGEMM.scratchCount(inChannels: depth)) { scratch in
                                PointwiseGEMM.run(weights: filters, outChannels: groupOut, inChannels: depth,
                                                  finish: .init(bias: bias.baseAddress! + g * groupOut, clamp: clamp),
                                                  source: matrix, sourceStride: tileColumns, columns: tileColumns,
                                                  target: tile, targetStride: outPlane, scratch: scratch.baseAddress!)
                            }
                        }
                    } else {
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans,
                                    Int32(groupOut), Int32(tileColumns), Int32(depth),
                                    1, filters, Int32(depth), matrix, Int32(tileColumns),
                                    0, tile, Int32(outPlane))
                        for o in 0..<groupOut {
                            let channel = g * groupOut + o
                            epilogue.apply(to: tile + o * outPlane, count: tileColumns,
                                           channel: channel, bias: kernel.bias[channel])
                        }
                    }
                    row += rows
                }
            }
        }
    }
}
