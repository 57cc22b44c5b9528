/// A 1×1 stride-1 unpadded convolution of a channel-major batch `[C, N, H, W]` → `[O, N, H, W]`:
/// one matrix product over all N·H·W columns (each channel's row is contiguous across samples).
///
/// A sample's result does not depend on its batch: `PointwiseGEMM` sums every output in one
/// fixed order whatever the product's shape (sgemm picks tiles and edge kernels by size, and
/// other ones on other CPUs, so with it a crop scored in a batch differed in its last digits).
public func pointwiseConv2d(channelMajor input: Tensor, _ kernel: Conv2DKernel, epilogue: Epilogue = .none) -> Tensor {
    let shape = ImageShape(of: input)
    precondition(kernel.window.height == 1 && kernel.window.width == 1 && kernel.window.strideX == 1
                 && kernel.window.strideY == 1 && kernel.groups == 1,
                 "pointwiseConv2d takes 1×1 stride-1 ungrouped kernels")
    precondition(shape.batch == kernel.inChannels,
                 "pointwise conv expects \(kernel.inChannels) channels, got \(shape.batch) (channel-major)")
    let row = shape.channels * shape.height * shape.width
    var output = Tensor(uninitialized: [kernel.outChannels, shape.channels, shape.height, shape.width])
    guard row > 0 else { return output }
    // ReLU and ReLU6 are clamps done in the tile; other epilogues run over the stored rows.
    let clamp = epilogue.registerClamp
    let zeroBias = [Float](repeating: 0, count: clamp == nil ? kernel.outChannels : 0)
    input.storage.withUnsafeBufferPointer { source in
        kernel.weight.withUnsafeBufferPointer { weights in
            output.storage.withUnsafeMutableBufferPointer { target in
                (clamp == nil ? zeroBias : kernel.bias).withUnsafeBufferPointer { bias in
                    withUnsafeTemporaryAllocation(of: Float.self,
                                                  capacity: PointwiseGEMM.scratchCount(inChannels: kernel.inChannels)) { scratch in
                        PointwiseGEMM.run(weights: weights.baseAddress!, outChannels: kernel.outChannels,
                                          inChannels: kernel.inChannels,
                                          finish: .init(bias: bias.baseAddress!, clamp: clamp ?? nil),
                                          source: source.baseAddress!, sourceStride: row, columns: row,
                                          target: target.baseAddress!, targetStride: row, scratch: scratch.baseAddress!)
                    }
                }
                if clamp == nil {
                    for o in 0..<kernel.outChannels {
                        epilogue.apply(to: target.baseAddress! + o * row, count: row, channel: o, bias: kernel.bias[o])
                    }
                }
            }
        }
    }
    return output
}
