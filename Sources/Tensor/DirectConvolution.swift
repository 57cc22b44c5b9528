/// Direct convolution for stride-1, ungrouped kernels with few channels (all of MesoNet's):
/// shapes too skinny for BLAS to pay off. Eight output channels × eight output columns are
/// accumulated in SIMD registers while the input row segment is loaded once per tap.
enum DirectConvolution {
    static let lanes = 8
    typealias Vector = SIMD8<Float>

    static func applies(groups: Int, window: Window) -> Bool {
        groups == 1 && window.strideX == 1 && window.strideY == 1
    }

    /// Filters as `[ceil(out/8)][in][kh][kw][8]`, zero for the padding channels of the last block,
    /// so the kernel walks them sequentially and broadcasts each lane.
    static func pack(_ weight: [Float], outChannels: Int, inChannels: Int, taps: Int) -> [Float] {
        let blocks = (outChannels + lanes - 1) / lanes
        var packed = [Float](repeating: 0, count: blocks * inChannels * taps * lanes)
        for o in 0..<outChannels {
            let (block, lane) = o.quotientAndRemainder(dividingBy: lanes)
            for i in 0..<inChannels {
                for t in 0..<taps {
                    packed[((block * inChannels + i) * taps + t) * lanes + lane] = weight[(o * inChannels + i) * taps + t]
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
        let blockStride = kernel.inChannels * taps * lanes
        let outPlane = outHeight * outWidth
        for block in 0..<((kernel.outChannels + lanes - 1) / lanes) {
            let channels = min(lanes, kernel.outChannels - block * lanes)
            let filters = packed + block * blockStride
            for oy in 0..<outHeight {
                var ox = 0
                while ox < outWidth {
                    var a0 = Vector(), a1 = Vector(), a2 = Vector(), a3 = Vector()
                    var a4 = Vector(), a5 = Vector(), a6 = Vector(), a7 = Vector()
                    var w = filters
                    for c in 0..<kernel.inChannels {
                        let plane = UnsafeRawPointer(padded + c * paddedPlane + oy * paddedWidth + ox)
                        for ky in 0..<window.height {
                            let row = plane + ky * window.dilationY * paddedWidth * MemoryLayout<Float>.stride
                            for kx in 0..<window.width {
                                let v = row.loadUnaligned(fromByteOffset: kx * window.dilationX * MemoryLayout<Float>.stride,
                                                          as: Vector.self)
                                a0.addProduct(Vector(repeating: w[0]), v)
                                a1.addProduct(Vector(repeating: w[1]), v)
                                a2.addProduct(Vector(repeating: w[2]), v)
                                a3.addProduct(Vector(repeating: w[3]), v)
                                a4.addProduct(Vector(repeating: w[4]), v)
                                a5.addProduct(Vector(repeating: w[5]), v)
                                a6.addProduct(Vector(repeating: w[6]), v)
                                a7.addProduct(Vector(repeating: w[7]), v)
                                w += lanes
                            }
                        }
                    }
                    let count = min(lanes, outWidth - ox)
                    let out = target + block * lanes * outPlane + oy * outWidth + ox
                    // Explicit stores: an array of the accumulators would allocate per block.
                    store(a0, to: out, count: count)
                    if channels > 1 { store(a1, to: out + outPlane, count: count) }
                    if channels > 2 { store(a2, to: out + 2 * outPlane, count: count) }
                    if channels > 3 { store(a3, to: out + 3 * outPlane, count: count) }
                    if channels > 4 { store(a4, to: out + 4 * outPlane, count: count) }
                    if channels > 5 { store(a5, to: out + 5 * outPlane, count: count) }
                    if channels > 6 { store(a6, to: out + 6 * outPlane, count: count) }
                    if channels > 7 { store(a7, to: out + 7 * outPlane, count: count) }
                    ox += lanes
                }
                for j in 0..<channels {
                    let channel = block * lanes + j
                    epilogue.apply(to: target + channel * outPlane + oy * outWidth, count: outWidth,
                                   channel: channel, bias: kernel.bias[channel])
                }
            }
        }
    }

    /// Scratch floats `run` needs: the padded input plus one vector of slack, because the last
    /// column block of a row may read up to 7 values past the row (those lanes are discarded).
    static func paddedCount(channels: Int, height: Int, width: Int, pad: ResolvedPadding) -> Int {
        channels * (height + pad.top + pad.bottom) * (width + pad.left + pad.right) + lanes
    }

    @inline(__always)
    private static func store(_ vector: Vector, to pointer: UnsafeMutablePointer<Float>, count: Int) {
        if count == lanes {
            UnsafeMutableRawPointer(pointer).storeBytes(of: vector, as: Vector.self)
        } else {
            for i in 0..<count { pointer[i] = vector[i] }
        }
    }

    private static func copyPadded(_ source: UnsafePointer<Float>, channels: Int, height: Int, width: Int,
                                   pad: ResolvedPadding, into padded: UnsafeMutablePointer<Float>,
                                   paddedWidth: Int, paddedPlane: Int) {
        let total = channels * paddedPlane + lanes
        if pad == ResolvedPadding(top: 0, left: 0, bottom: 0, right: 0) {
            padded.update(from: source, count: channels * paddedPlane)
            (padded + channels * paddedPlane).update(repeating: 0, count: lanes)
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
