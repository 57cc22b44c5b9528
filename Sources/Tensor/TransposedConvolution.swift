import CBLAS

/// A 2-D transposed convolution's parameters, as `torch.nn.ConvTranspose2d(in, out, kernel,
/// stride, padding, output_padding)`: weights in PyTorch's layout `[inChannels, outChannels,
/// kernelHeight, kernelWidth]`, a bias per output channel. Output size per axis:
/// `(input − 1)·stride − 2·padding + kernel + outputPadding`.
public struct ConvTranspose2DKernel: Sendable, Equatable {
    public let inChannels: Int
    public let outChannels: Int
    public let kernelSize: Int
    public let stride: Int
    public let padding: Int
    public let outputPadding: Int
    public let weight: [Float]
    public let bias: [Float]
    /// Stride 1 is an ordinary convolution with the filters flipped and in/out swapped, padded
    /// `kernel − 1 − padding`: that runs on the conv kernels
    /// (direct SIMD kernel for few channels), faster than sgemm + col2im on these skinny shapes.
    let equivalentConv: Conv2DKernel?

    public init(inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                outputPadding: Int = 0, weight: [Float], bias: [Float]? = nil) {
        precondition(kernelSize > 0 && stride > 0 && padding >= 0 && outputPadding >= 0,
                     "transposed conv needs a positive kernel and stride, non-negative paddings")
        // PyTorch's rule: the extra output rows must come from a stride step, not thin air.
        precondition(outputPadding < stride, "output_padding \(outputPadding) must be smaller than stride \(stride)")
        precondition(padding <= kernelSize - 1, "padding \(padding) larger than kernel − 1 is not supported")
        precondition(weight.count == inChannels * outChannels * kernelSize * kernelSize,
                     "transposed conv weight has \(weight.count) values, expected \(inChannels)×\(outChannels)×\(kernelSize)×\(kernelSize)")
        precondition(bias == nil || bias!.count == outChannels, "transposed conv bias needs \(outChannels) values")
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.outputPadding = outputPadding
        self.weight = weight
        self.bias = bias ?? [Float](repeating: 0, count: outChannels)
        if stride == 1 {
            let taps = kernelSize * kernelSize
            var flipped = [Float](repeating: 0, count: weight.count)
            for i in 0..<inChannels {
                for o in 0..<outChannels {
                    for t in 0..<taps {
                        flipped[(o * inChannels + i) * taps + (taps - 1 - t)] = weight[(i * outChannels + o) * taps + t]
                    }
                }
            }
            let edge = kernelSize - 1 - padding
            equivalentConv = Conv2DKernel(outChannels: outChannels, inChannels: inChannels, window: .square(kernelSize),
                                          padding: .explicit(top: edge, left: edge, bottom: edge, right: edge),
                                          weight: flipped, bias: self.bias)
        } else {
            equivalentConv = nil
        }
    }

    /// Output height or width for an input of `size`.
    public func outputSize(_ size: Int) -> Int {
        (size - 1) * stride - 2 * padding + kernelSize + outputPadding
    }

    /// Folds a per-output-channel affine that directly follows (a BatchNorm) into weights and bias.
    public func folding(scale: [Float], shift: [Float]) -> ConvTranspose2DKernel {
        precondition(scale.count == outChannels && shift.count == outChannels, "fold needs \(outChannels) channels")
        let taps = kernelSize * kernelSize
        return ConvTranspose2DKernel(inChannels: inChannels, outChannels: outChannels, kernelSize: kernelSize,
                                     stride: stride, padding: padding, outputPadding: outputPadding,
                                     weight: weight.enumerated().map { $1 * scale[($0 / taps) % outChannels] },
                                     bias: (0..<outChannels).map { bias[$0] * scale[$0] + shift[$0] })
    }
}

/// Scratch budget for one tile of sgemm output columns (kept in L2 while col2im reads it).
private let transposedTileFloats = 64 * 1024

/// Transposed convolution of an NCHW batch, one sample at a time (so a crop's result does not
/// depend on its batch). Stride 1 runs as the equivalent convolution; other strides as sgemm
/// `Wᵀ·X` → per-input-pixel patches `[out·k·k, pixels]`, scattered (col2im) into the output,
/// tiles of input rows at a time.
public func convTranspose2d(_ input: Tensor, _ kernel: ConvTranspose2DKernel, epilogue: Epilogue = .none,
                            workspace: Workspace) -> Tensor {
    let inShape = ImageShape(of: input)
    precondition(inShape.channels == kernel.inChannels,
                 "transposed conv expects \(kernel.inChannels) input channels, got \(inShape.channels)")
    let outHeight = kernel.outputSize(inShape.height), outWidth = kernel.outputSize(inShape.width)
    precondition(outHeight > 0 && outWidth > 0, "transposed conv output of \(inShape.dims) would be empty")
    // (Stride 1 has no output padding: it must be smaller than the stride.)
    if let conv = kernel.equivalentConv { return conv2d(input, conv, epilogue: epilogue, workspace: workspace) }
    var output = Tensor(zeros: [inShape.batch, kernel.outChannels, outHeight, outWidth])
    let outPlane = outHeight * outWidth
    let taps = kernel.kernelSize * kernel.kernelSize
    let patchRows = kernel.outChannels * taps
    let rowsPerTile = max(1, min(inShape.height, transposedTileFloats / max(patchRows * inShape.width, 1)))
    input.storage.withUnsafeBufferPointer { inBuffer in
        output.storage.withUnsafeMutableBufferPointer { outBuffer in
            kernel.weight.withUnsafeBufferPointer { weights in
                workspace.withColumns(count: patchRows * rowsPerTile * inShape.width) { patches in
                    for n in 0..<inShape.batch {
                        let source = inBuffer.baseAddress! + n * inShape.sample
                        let target = outBuffer.baseAddress! + n * kernel.outChannels * outPlane
                        var row = 0
                        while row < inShape.height {
                            let rows = min(rowsPerTile, inShape.height - row)
                            let pixels = rows * inShape.width
                            // patches[(o,ky,kx), p] = Σ_i W[i, (o,ky,kx)] · X[i, p]: W is [in, out·k·k], read transposed.
                            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans,
                                        Int32(patchRows), Int32(pixels), Int32(kernel.inChannels),
                                        1, weights.baseAddress!, Int32(patchRows),
                                        source + row * inShape.width, Int32(inShape.plane),
                                        0, patches, Int32(pixels))
                            scatterPatches(patches, kernel: kernel, inRows: row..<(row + rows), inWidth: inShape.width,
                                           into: target, outHeight: outHeight, outWidth: outWidth)
                            row += rows
                        }
                        for o in 0..<kernel.outChannels {
                            epilogue.apply(to: target + o * outPlane, count: outPlane, channel: o, bias: kernel.bias[o])
                        }
                    }
                }
            }
        }
    }
    return output
}

/// col2im: adds each input pixel's `k×k` patch per output channel at `(iy·s − p + ky, ix·s − p + kx)`,
/// dropping what falls outside the output (the padding).
private func scatterPatches(_ patches: UnsafePointer<Float>, kernel: ConvTranspose2DKernel, inRows: Range<Int>,
                            inWidth: Int, into output: UnsafeMutablePointer<Float>, outHeight: Int, outWidth: Int) {
    let k = kernel.kernelSize, s = kernel.stride, p = kernel.padding
    let pixels = inRows.count * inWidth
    for o in 0..<kernel.outChannels {
        let plane = output + o * outHeight * outWidth
        for ky in 0..<k {
            for kx in 0..<k {
                let patch = patches + ((o * k + ky) * k + kx) * pixels
                let xOffset = kx - p
                // Input columns whose output column lies inside the image.
                let first = xOffset >= 0 ? 0 : (-xOffset + s - 1) / s
                let last = min(inWidth, outWidth - 1 - xOffset < 0 ? 0 : (outWidth - 1 - xOffset) / s + 1)
                guard first < last else { continue }
                for (r, iy) in inRows.enumerated() {
                    let oy = iy * s - p + ky
                    guard oy >= 0 && oy < outHeight else { continue }
                    let values = patch + r * inWidth
                    let target = plane + oy * outWidth + xOffset
                    for ix in first..<last { target[ix * s] += values[ix] }
                }
            }
        }
    }
}
