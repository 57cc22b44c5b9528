/// Depthwise convolution (groups = channels, one k×k filter per channel: MobileNet's and
/// EfficientNet's): im2col + sgemm would run one 1×k² by k²×plane product per channel, all
/// overhead. Here each channel's padded plane is split into `stride` column phases, so that
/// output column `ox`, tap `kx` reads phase `kx % stride` at column `ox + kx / stride`:
/// contiguous for any stride, and eight output columns accumulate in one SIMD register over all
/// taps before a single store.
enum DepthwiseConvolution {
    static let lanes = 8
    typealias Vector = SIMD8<Float>

    static func applies(_ kernel: Conv2DKernel) -> Bool {
        kernel.groups > 1 && kernel.groups == kernel.inChannels && kernel.outChannels == kernel.inChannels
            && kernel.window.dilationX == 1 && kernel.window.dilationY == 1
    }

    /// Width of one phase row: enough columns for every output column plus the taps right of it.
    static func phaseWidth(width: Int, pad: ResolvedPadding, strideX: Int) -> Int {
        (width + pad.left + pad.right + strideX - 1) / strideX
    }

    /// Scratch floats `run` needs: one channel's phases, plus a vector of slack because the last
    /// vector of a row may read up to seven values past it (those lanes are discarded).
    static func scratchCount(height: Int, width: Int, pad: ResolvedPadding, window: Window) -> Int {
        window.strideX * (height + pad.top + pad.bottom) * phaseWidth(width: width, pad: pad, strideX: window.strideX) + lanes
    }

    /// One sample: `source` `[C, height, width]` → `target` `[C, outHeight, outWidth]`.
    static func run(_ kernel: Conv2DKernel, epilogue: Epilogue, source: UnsafePointer<Float>, height: Int, width: Int,
                    pad: ResolvedPadding, target: UnsafeMutablePointer<Float>, outHeight: Int, outWidth: Int,
                    scratch: UnsafeMutablePointer<Float>) {
        let window = kernel.window
        let (strideX, strideY) = (window.strideX, window.strideY)
        let paddedHeight = height + pad.top + pad.bottom
        let rowLength = phaseWidth(width: width, pad: pad, strideX: strideX)
        let phasePlane = paddedHeight * rowLength
        let taps = window.height * window.width
        // Where each tap reads, relative to the output position's first phase column.
        let offsets = (0..<taps).map { tap in
            let (ky, kx) = tap.quotientAndRemainder(dividingBy: window.width)
            return (kx % strideX) * phasePlane + ky * rowLength + kx / strideX
        }
        (scratch + strideX * phasePlane).update(repeating: 0, count: lanes)
        kernel.weight.withUnsafeBufferPointer { weights in
            offsets.withUnsafeBufferPointer { offsets in
                for c in 0..<kernel.inChannels {
                    fillPhases(source + c * height * width, height: height, width: width, pad: pad, strideX: strideX,
                               rowLength: rowLength, paddedHeight: paddedHeight, into: scratch)
                    let filter = weights.baseAddress! + c * taps
                    let output = target + c * outHeight * outWidth
                    for oy in 0..<outHeight {
                        let row = scratch + oy * strideY * rowLength
                        let out = output + oy * outWidth
                        var ox = 0
                        // Two vectors per step: each weight broadcast feeds two FMAs.
                        while ox + 2 * lanes <= outWidth {
                            var low = Vector(), high = Vector()
                            for tap in 0..<taps {
                                let weight = Vector(repeating: filter[tap])
                                let start = UnsafeRawPointer(row + ox + offsets[tap])
                                low.addProduct(weight, start.loadUnaligned(as: Vector.self))
                                high.addProduct(weight, start.loadUnaligned(fromByteOffset: 32, as: Vector.self))
                            }
                            UnsafeMutableRawPointer(out + ox).storeBytes(of: low, as: Vector.self)
                            UnsafeMutableRawPointer(out + ox + lanes).storeBytes(of: high, as: Vector.self)
                            ox += 2 * lanes
                        }
                        while ox < outWidth {
                            var sum = Vector()
                            for tap in 0..<taps {
                                sum.addProduct(Vector(repeating: filter[tap]),
                                               UnsafeRawPointer(row + ox + offsets[tap]).loadUnaligned(as: Vector.self))
                            }
                            let count = min(lanes, outWidth - ox)
                            if count == lanes {
                                UnsafeMutableRawPointer(out + ox).storeBytes(of: sum, as: Vector.self)
                            } else {
                                for i in 0..<count { out[ox + i] = sum[i] }
                            }
                            ox += lanes
                        }
                        epilogue.apply(to: out, count: outWidth, channel: c, bias: kernel.bias[c])
                    }
                }
            }
        }
    }

    /// Phase `p` row `y` column `j` = padded input (y, j·strideX + p), zero in the padding.
    private static func fillPhases(_ plane: UnsafePointer<Float>, height: Int, width: Int, pad: ResolvedPadding,
                                   strideX: Int, rowLength: Int, paddedHeight: Int,
                                   into scratch: UnsafeMutablePointer<Float>) {
        for phase in 0..<strideX {
            let phaseStart = scratch + phase * paddedHeight * rowLength
            for y in 0..<paddedHeight {
                let row = phaseStart + y * rowLength
                let iy = y - pad.top
                guard iy >= 0 && iy < height else {
                    row.update(repeating: 0, count: rowLength)
                    continue
                }
                // Columns j whose input column j·strideX + phase − pad.left lies inside the row.
                let offset = phase - pad.left
                let first = min(rowLength, offset >= 0 ? 0 : (-offset + strideX - 1) / strideX)
                let last = max(first, min(rowLength, width - 1 - offset < 0 ? 0 : (width - 1 - offset) / strideX + 1))
                row.update(repeating: 0, count: first)
                let input = plane + iy * width + offset
                if strideX == 1 {
                    (row + first).update(from: input + first, count: last - first)
                } else {
                    for j in first..<last { row[j] = input[j * strideX] }
                }
                (row + last).update(repeating: 0, count: rowLength - last)
            }
        }
    }
}
