import CBLAS

/// A 1×1 stride-1 unpadded convolution of a channel-major batch `[C, N, H, W]` → `[O, N, H, W]`,
/// one sgemm per sample over that sample's H·W columns (read in place, strided by N·H·W).
///
/// Why per sample rather than one product over all N·H·W columns: sgemm's summation order
/// depends on the product's shape (OpenBLAS picks tiles, edge kernels and small-matrix paths
/// by size, and other ones on other CPUs), so a crop scored inside a batch would differ in its
/// last digits from the same crop scored alone. A product of one sample's columns has the same
/// shape whatever the batch, so a sample's result does not depend on its batch, on any kernels.
public func pointwiseConv2d(channelMajor input: Tensor, _ kernel: Conv2DKernel, epilogue: Epilogue = .none) -> Tensor {
    let shape = ImageShape(of: input)
    precondition(kernel.window.height == 1 && kernel.window.width == 1 && kernel.window.strideX == 1
                 && kernel.window.strideY == 1 && kernel.groups == 1,
                 "pointwiseConv2d takes 1×1 stride-1 ungrouped kernels")
    precondition(shape.batch == kernel.inChannels,
                 "pointwise conv expects \(kernel.inChannels) channels, got \(shape.batch) (channel-major)")
    let samples = shape.channels, plane = shape.height * shape.width
    let row = samples * plane
    var output = Tensor(uninitialized: [kernel.outChannels, samples, shape.height, shape.width])
    guard row > 0 else { return output }
    input.storage.withUnsafeBufferPointer { source in
        kernel.weight.withUnsafeBufferPointer { weights in
            output.storage.withUnsafeMutableBufferPointer { target in
                for n in 0..<samples {
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans,
                                Int32(kernel.outChannels), Int32(plane), Int32(kernel.inChannels),
                                1, weights.baseAddress!, Int32(kernel.inChannels),
                                source.baseAddress! + n * plane, Int32(row),
                                0, target.baseAddress! + n * plane, Int32(row))
                }
                for o in 0..<kernel.outChannels {
                    epilogue.apply(to: target.baseAddress! + o * row, count: row, channel: o, bias: kernel.bias[o])
                }
            }
        }
    }
    return output
}
