/// Direct convolution for stride-1, ungrouped kernels with few channels (all of MesoNet's):
/// shapes too skinny for BLAS to pay off. Four output channels × 24 output columns are
/// accumulated in twelve SIMD registers: per filter tap, three input loads and four weight
/// broadcasts feed twelve FMAs (measured: 8 channels × 1 vector, nine loads per eight FMAs,
/// was slowest; 4 × 2 in between).
enum DirectConvolution {
    static let lanes = 8
    /// Output channels per register block (the packed filters' innermost dimension).
    static let block = 4
    /// Output columns per register block: three vectors.
    static let columns = 3 * lanes
    typealias Vector = SIMD8<Float>

    /// Pointwise (1×1) convolutions over 16 or more channels are plain matrix products, which
    /// sgemm does better (EfficientNet's expand/project convs; MesoInception's 1×1s stay here).
    /// So are convolutions with 32 or more outputs over filters of 128 or more taps (ClassNSeg's
    /// 16→32 … 64→128 3×3 layers: im2col + sgemm took 0.56–0.64 ms where this kernel took
    /// 0.87–0.96 ms on the AMD EPYC development VM); MesoNet's layers (≤ 16 outputs) stay here.
    static func applies(groups: Int, window: Window, inChannels: Int, outChannels: Int) -> Bool {
        let pointwise = window.height == 1 && window.width == 1
        let wide = outChannels >= 32 && inChannels * window.height * window.width >= 128
        return groups == 1 && window.strideX == 1 && window.strideY == 1 && !(pointwise && inChannels >= 16) && !wide
    }

    /// Filters as `[ceil(out/4)][in][kh][kw][4]`, zero for the padding channels of the last block,
    /// so the kernel walks them sequentially and broadcasts each lane.
    static func pack(_ weight: [Float], outChannels: Int, inChannels: Int, taps: Int) -> [Float] {
        let blocks = (outChannels + block - 1) / block
        var packed = [Float](repeating: 0, count: blocks * inChannels * taps * block)
        for o in 0..<outChannels {
            let (b, lane) = o.quotientAndRemainder(dividingBy: block)
            for i in 0..<inChannels {
                for t in 0..<taps {
                    packed[((b * inChannels + i) * taps + t) * block + lane] = weight[(o * inChannels + i) * taps + t]
                }
            }
        }
        return packed
    }

    /// One sample: `source` `[in, height, width]` → `target` `[out, outHeight, outWidth]`.
    /// `padded` is scratch of at least `paddedCount(...)` floats.
    static func run(_ kernel: Conv2DKernel, packed: UnsafePointer<Float>, epilogue: Epilogue,
                    source: UnsafePointer<Float>, height: Int, width: Int, pad: ResolvedPadding,
                    target: UnsafeMutablePointer<Float>, outHeight: Int, outWidth: Int,
                    padded: UnsafeMutablePointer<Float>) {
        let window = kernel.window
        let paddedHeight = height + pad.top + pad.bottom
        let paddedWidth = width + pad.left + pad.right
        let paddedPlane = paddedHeight * paddedWidth
        copyPadded(source, channels: kernel.inChannels, height: height, width: width, pad: pad, into: padded,
                   paddedWidth: paddedWidth, paddedPlane: paddedPlane)
        let taps = window.height * window.width
        let blockStride = kernel.inChannels * taps * block
        let outPlane = outHeight * outWidth
        let floatSize = MemoryLayout<Float>.stride
        for b in 0..<((kernel.outChannels + block - 1) / block) {
            let channels = min(block, kernel.outChannels - b * block)
            let filters = packed + b * blockStride
            for oy in 0..<outHeight {
                var ox = 0
                while ox < outWidth {
                    var a00 = Vector(), a01 = Vector(), a10 = Vector(), a11 = Vector()
                    var a20 = Vector(), a21 = Vector(), a30 = Vector(), a31 = Vector()
                    var a02 = Vector(), a12 = Vector(), a22 = Vector(), a32 = Vector()
                    var w = filters
                    for c in 0..<kernel.inChannels {
                        let plane = UnsafeRawPointer(padded + c * paddedPlane + oy * paddedWidth + ox)
                        for ky in 0..<window.height {
                            let row = plane + ky * window.dilationY * paddedWidth * floatSize
                            for kx in 0..<window.width {
                                let offset = kx * window.dilationX * floatSize
                                let v0 = row.loadUnaligned(fromByteOffset: offset, as: Vector.self)
                                let v1 = row.loadUnaligned(fromByteOffset: offset + lanes * floatSize, as: Vector.self)
                                let v2 = row.loadUnaligned(fromByteOffset: offset + 2 * lanes * floatSize, as: Vector.self)
                                let w0 = Vector(repeating: w[0])
                                a00.addProduct(w0, v0); a01.addProduct(w0, v1); a02.addProduct(w0, v2)
                                let w1 = Vector(repeating: w[1])
                                a10.addProduct(w1, v0); a11.addProduct(w1, v1); a12.addProduct(w1, v2)
                                let w2 = Vector(repeating: w[2])
                                a20.addProduct(w2, v0); a21.addProduct(w2, v1); a22.addProduct(w2, v2)
                                let w3 = Vector(repeating: w[3])
                                a30.addProduct(w3, v0); a31.addProduct(w3, v1); a32.addProduct(w3, v2)
                                w += block
                            }
                        }
                    }
                    let count = min(columns, outWidth - ox)
                    let out = target + b * block * outPlane + oy * outWidth + ox
                    // Explicit stores: an array of the accumulators would allocate per block.
                    store(a00, a01, a02, to: out, count: count)
                    if channels > 1 { store(a10, a11, a12, to: out + outPlane, count: count) }
                    if channels > 2 { store(a20, a21, a22, to: out + 2 * outPlane, count: count) }
                    if channels > 3 { store(a30, a31, a32, to: out + 3 * outPlane, count: count) }
                    ox += columns
                }
                for j in 0..<channels {
                    let channel = b * block + j
                    epilogue.apply(to: target + channel * outPlane + oy * outWidth, count: outWidth,
                                   channel: channel, bias: kernel.bias[channel])
                }
            }
        }
    }

    /// Scratch floats `run` needs: the padded input plus one block of slack, because the last
    /// column block of a row may read up to 23 values past the row (those lanes are discarded).
    static func paddedCount(channels: Int, height: Int, width: Int, pad: ResolvedPadding) -> Int {
        channels * (height + pad.top + pad.bottom) * (width + pad.left + pad.right) + columns
    }

    @inline(__always)
    private static func store(_ low: Vector, _ middle: Vector, _ high: Vector, to pointer: UnsafeMutablePointer<Float>, count: Int) {
        if count == columns {
            UnsafeMutableRawPointer(pointer).storeBytes(of: low, as: Vector.self)
            UnsafeMutableRawPointer(pointer + lanes).storeBytes(of: middle, as: Vector.self)
            UnsafeMutableRawPointer(pointer + 2 * lanes).storeBytes(of: high, as: Vector.self)
        } else {
            for i in 0..<count { pointer[i] = i < lanes ? low[i] : i < 2 * lanes ? middle[i - lanes] : high[i - 2 * lanes] }
        }
    }

    private static func copyPadded(_ source: UnsafePointer<Float>, channels: Int, height: Int, width: Int,
                                   pad: ResolvedPadding, into padded: UnsafeMutablePointer<Float>,
                                   paddedWidth: Int, paddedPlane: Int) {
        let total = channels * paddedPlane + columns
        if pad == ResolvedPadding(top: 0, left: 0, bottom: 0, right: 0) {
            padded.update(from: source, count: channels * paddedPlane)
            (padded + channels * paddedPlane).update(repeating: 0, count: columns)
            return
        }
        padded.update(repeating: 0, count: total)
        for c in 0..<channels {
            for y in 0..<height {
                (padded + c * paddedPlane + (y + pad.top) * paddedWidth + pad.left)
                    .update(from: source + (c * height + y) * width, count: width)
            }
        }
    }
}
