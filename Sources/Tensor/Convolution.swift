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
        self.directFilters = DirectConvolution.applies(groups: groups, window: window)
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

private func directConv2d(_ input: Tensor, _ inShape: ImageShape, _ kernel: Conv2DKernel, pad: ResolvedPadding,
                          epilogue: Epilogue, into output: inout Tensor, _ outShape: ImageShape, workspace: Workspace) {
    let scratch = DirectConvolution.paddedCount(channels: inShape.channels, height: inShape.height, width: inShape.width, pad: pad)
    input.storage.withUnsafeBufferPointer { inBuffer in
        output.storage.withUnsafeMutableBufferPointer { outBuffer in
            kernel.directFilters.withUnsafeBufferPointer { packed in
                workspace.withColumns(count: scratch) { padded in
                    for n in 0..<inShape.batch {
                        DirectConvolution.run(kernel, packed: packed.baseAddress!, epilogue: epilogue,
                                              source: inBuffer.baseAddress! + n * inShape.sample,
                                              height: inShape.height, width: inShape.width, pad: pad,
                                              target: outBuffer.baseAddress! + n * outShape.sample,
                                              outHeight: outShape.height, outWidth: outShape.width, padded: padded)
                    }
                }
            }
        }
    }
}

/// Scratch budget for one im2col tile: small enough to stay in L2 while sgemm reads it.
private let columnTileFloats = 48 * 1024

/// Convolves an NCHW batch. Stride-1 ungrouped kernels use the direct kernel; the rest: im2col over tiles of output rows + sgemm per group, with the
/// epilogue applied to each tile while it is in cache. 1×1 stride-1 unpadded convolutions skip
/// im2col and multiply the input directly.
public func conv2d(_ input: Tensor, _ kernel: Conv2DKernel, epilogue: Epilogue = .none,
                   workspace: Workspace) -> Tensor {
    let inShape = ImageShape(of: input)
    precondition(inShape.channels == kernel.inChannels,
                 "conv expects \(kernel.inChannels) input channels, got \(inShape.channels)")
    let window = kernel.window
    let pad = kernel.padding.resolved(height: inShape.height, width: inShape.width, window: window)
    let (outHeight, outWidth) = pad.outputSize(height: inShape.height, width: inShape.width, window: window)
    let outShape = ImageShape(batch: inShape.batch, channels: kernel.outChannels, height: outHeight, width: outWidth)
    var output = Tensor(zeros: outShape.dims)
    if !kernel.directFilters.isEmpty {
        directConv2d(input, inShape, kernel, pad: pad, epilogue: epilogue, into: &output, outShape, workspace: workspace)
        return output
    }

    let groupIn = kernel.inChannels / kernel.groups
    let groupOut = kernel.outChannels / kernel.groups
    let depth = kernel.filterLength
    let isPointwise = window.height == 1 && window.width == 1 && window.strideX == 1 && window.strideY == 1
        && pad == ResolvedPadding(top: 0, left: 0, bottom: 0, right: 0)
    let rowsPerTile = max(1, min(outHeight, columnTileFloats / max(depth * outWidth, 1)))
    let geometry = Im2ColGeometry(height: inShape.height, width: inShape.width, channels: groupIn,
                                  window: window, padding: pad, outWidth: outWidth)

    input.storage.withUnsafeBufferPointer { inBuffer in
        output.storage.withUnsafeMutableBufferPointer { outBuffer in
            kernel.weight.withUnsafeBufferPointer { weights in
                workspace.withColumns(count: isPointwise ? 0 : depth * rowsPerTile * outWidth) { columns in
                    for n in 0..<inShape.batch {
                        for g in 0..<kernel.groups {
                            let source = inBuffer.baseAddress! + n * inShape.sample + g * groupIn * inShape.plane
                            let target = outBuffer.baseAddress! + n * outShape.sample + g * groupOut * outShape.plane
                            let filters = weights.baseAddress! + g * groupOut * depth
                            var row = 0
                            while row < outHeight {
                                let rows = isPointwise ? outHeight : min(rowsPerTile, outHeight - row)
                                let tileColumns = rows * outWidth
                                let matrix: UnsafePointer<Float>
                                if isPointwise {
                                    matrix = UnsafePointer(source)
                                } else {
                                    geometry.fill(columns, from: source, outRows: row..<(row + rows))
                                    matrix = UnsafePointer(columns)
                                }
                                let tile = target + row * outWidth
                                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans,
                                            Int32(groupOut), Int32(tileColumns), Int32(depth),
                                            1, filters, Int32(depth), matrix, Int32(tileColumns),
                                            0, tile, Int32(outShape.plane))
                                for o in 0..<groupOut {
                                    let channel = g * groupOut + o
                                    epilogue.apply(to: tile + o * outShape.plane, count: tileColumns,
                                                   channel: channel, bias: kernel.bias[channel])
                                }
                                row += rows
                            }
                        }
                    }
                }
            }
        }
    }
    return output
}
