/// Depthwise convolution with 8 channels in a vector (the "NCHWc" idea inside this engine's
/// channel-major layout), for the planes where the plane-grid kernels waste work: small planes
/// (4×4 to 20×20), whose grids compute 1.2–2.3× the needed outputs (their padding rows and
/// columns are a large part of the grid), and strided convolutions, whose phase grid costs a
/// deinterleaving copy of the input and computes the grid's dropped columns.
///
/// Per group of 8 channels, the planes are copied once into a zero-padded buffer of 8-channel
/// vectors (`[planes, paddedHeight, paddedWidth, 8]`, an 8×8 transpose per 8 positions), every
/// output position then reads its taps at constant offsets from its own corner, whatever the
/// stride, and blocks of 8 positions (across rows and planes alike) are computed with 8
/// independent FMA chains and transposed back into the channels' rows. No output is computed
/// that is not needed, except in the last block. Each output is the same chain of fused
/// multiply-adds over the taps in row-major order from zero (the padding's zeros included) as
/// in the plane-grid kernels, so all of them agree bit for bit.
enum InterleavedDepthwise {
    typealias Vector = SIMD8<Float>
    static let lanes = 8
    /// Stride-1 planes of at most this many values; larger ones go to the stacked kernel, whose
    /// padding is a small part of the plane and which needs no transposes.
    static let largestPlane = 400

    static func applies(_ kernel: Conv2DKernel, height: Int, width: Int) -> Bool {
        let strided = kernel.window.strideX > 1 || kernel.window.strideY > 1
        return DepthwiseConvolution.applies(kernel) && kernel.inChannels % lanes == 0
            && (strided || height * width <= largestPlane)
    }

    struct Layout {
        let planes: Int, height: Int, width: Int
        let pad: ResolvedPadding
        let outHeight: Int, outWidth: Int

        init(planes: Int, height: Int, width: Int, pad: ResolvedPadding, window: Window) {
            (self.planes, self.height, self.width, self.pad) = (planes, height, width, pad)
            (outHeight, outWidth) = pad.outputSize(height: height, width: width, window: window)
        }

        var paddedHeight: Int { height + pad.top + pad.bottom }
        var paddedWidth: Int { width + pad.left + pad.right }
        var inputCount: Int { planes * height * width }
        var outputCount: Int { planes * outHeight * outWidth }
        /// Scratch floats: the padded vectors of one group, then its packed filter.
        func scratchCount(taps: Int) -> Int { (planes * paddedHeight * paddedWidth + taps) * lanes }
    }

    /// `source` `[C, planes, height, width]` → `target` `[C, planes, outHeight, outWidth]`, C a
    /// multiple of 8.
    static func run(_ kernel: Conv2DKernel, epilogue: Epilogue, source: UnsafePointer<Float>, planes: Int,
                    height: Int, width: Int, pad: ResolvedPadding, target: UnsafeMutablePointer<Float>,
                    scratch: UnsafeMutablePointer<Float>) {
        let window = kernel.window
        let layout = Layout(planes: planes, height: height, width: width, pad: pad, window: window)
        let (paddedHeight, paddedWidth) = (layout.paddedHeight, layout.paddedWidth)
        let taps = window.height * window.width
        let padded = scratch, filter = scratch + planes * paddedHeight * paddedWidth * lanes
        // Vector index in `padded` of each input value, and of each output's top-left tap.
        let inputAt = (0..<layout.inputCount).map { q in
            let (n, yx) = q.quotientAndRemainder(dividingBy: height * width)
            let (y, x) = yx.quotientAndRemainder(dividingBy: width)
            return (n * paddedHeight + y + pad.top) * paddedWidth + x + pad.left
        }
        let cornerAt = (0..<layout.outputCount).map { r in
            let (n, yx) = r.quotientAndRemainder(dividingBy: layout.outHeight * layout.outWidth)
            let (oy, ox) = yx.quotientAndRemainder(dividingBy: layout.outWidth)
            return (n * paddedHeight + oy * window.strideY) * paddedWidth + ox * window.strideX
        }
        let tapAt = (0..<taps).map { ($0 / window.width) * paddedWidth + $0 % window.width }
        // Zero once: the padding stays zero, the inside is overwritten for each group.
        padded.update(repeating: 0, count: planes * paddedHeight * paddedWidth * lanes)
        let clamp = epilogue.registerClamp
        withBuffers(kernel.weight, kernel.bias, inputAt, cornerAt, tapAt) { weights, bias, inputAt, cornerAt, tapAt in
            for group in stride(from: 0, to: kernel.inChannels, by: lanes) {
                fill(padded, from: source + group * layout.inputCount, rowStride: layout.inputCount, at: inputAt)
                for tap in 0..<taps {
                    for c in 0..<lanes { filter[tap * lanes + c] = weights[(group + c) * taps + tap] }
                }
                let biases = UnsafeRawPointer(bias.baseAddress! + group).loadUnaligned(as: Vector.self)
                let out = target + group * layout.outputCount
                var r = 0
                while r < layout.outputCount {
                    let valid = min(lanes, layout.outputCount - r)
                    // Past the last output the block repeats it, computed and dropped.
                    func corner(_ i: Int) -> UnsafePointer<Float> {
                        UnsafePointer(padded + cornerAt[r + min(i, valid - 1)] * lanes)
                    }
                    var block = eightOutputs(corner(0), corner(1), corner(2), corner(3), corner(4), corner(5), corner(6),
                                             corner(7), filter: UnsafePointer(filter), taps: tapAt)
                    if let clamp { block = finishedBlock(block, biases: biases, clamp: clamp) }
                    store(transposed(block), into: out + r, rowStride: layout.outputCount, count: valid)
                    r += lanes
                }
                if clamp == nil {  // other epilogues over the stored rows
                    for c in 0..<lanes {
                        epilogue.apply(to: out + c * layout.outputCount, count: layout.outputCount, channel: group + c,
                                       bias: bias[group + c])
                    }
                }
            }
        }
    }

    @inline(__always)
    private static func finishedBlock(_ b: Block, biases: Vector, clamp: (low: Float, high: Float)?) -> Block {
        func f(_ v: Vector) -> Vector { finished(v, biases: biases, clamp: clamp) }
        return (f(b.0), f(b.1), f(b.2), f(b.3), f(b.4), f(b.5), f(b.6), f(b.7))
    }

    private static func withBuffers(_ weights: [Float], _ bias: [Float], _ inputAt: [Int], _ cornerAt: [Int], _ tapAt: [Int],
                                    _ body: (UnsafeBufferPointer<Float>, UnsafeBufferPointer<Float>, UnsafeBufferPointer<Int>,
                                             UnsafeBufferPointer<Int>, UnsafeBufferPointer<Int>) -> Void) {
        weights.withUnsafeBufferPointer { weights in
            bias.withUnsafeBufferPointer { bias in
                inputAt.withUnsafeBufferPointer { inputAt in
                    cornerAt.withUnsafeBufferPointer { cornerAt in
                        tapAt.withUnsafeBufferPointer { body(weights, bias, inputAt, cornerAt, $0) }
                    }
                }
            }
        }
    }

    typealias Block = (Vector, Vector, Vector, Vector, Vector, Vector, Vector, Vector)

    /// 8 channel rows (`rowStride` apart) → one vector per position at `padded[at[q]]`.
    private static func fill(_ padded: UnsafeMutablePointer<Float>, from rows: UnsafePointer<Float>, rowStride: Int,
                             at: UnsafeBufferPointer<Int>) {
        var q = 0
        while q + lanes <= at.count {
            func row(_ c: Int) -> Vector { UnsafeRawPointer(rows + c * rowStride + q).loadUnaligned(as: Vector.self) }
            let t = transposed((row(0), row(1), row(2), row(3), row(4), row(5), row(6), row(7)))
            func put(_ i: Int, _ v: Vector) {
                UnsafeMutableRawPointer(padded + at[q + i] * lanes).storeBytes(of: v, as: Vector.self)
            }
            put(0, t.0); put(1, t.1); put(2, t.2); put(3, t.3); put(4, t.4); put(5, t.5); put(6, t.6); put(7, t.7)
            q += lanes
        }
        while q < at.count {
            for c in 0..<lanes { padded[at[q] * lanes + c] = rows[c * rowStride + q] }
            q += 1
        }
    }

    /// Output i (8 channels) = Σ over the taps in order of `filter[tap] · corner_i[taps[tap]]`,
    /// one FMA chain each from zero: eight chains, enough to cover the FMA latency.
    @inline(__always)
    private static func eightOutputs(_ p0: UnsafePointer<Float>, _ p1: UnsafePointer<Float>, _ p2: UnsafePointer<Float>,
                                     _ p3: UnsafePointer<Float>, _ p4: UnsafePointer<Float>, _ p5: UnsafePointer<Float>,
                                     _ p6: UnsafePointer<Float>, _ p7: UnsafePointer<Float>, filter: UnsafePointer<Float>,
                                     taps: UnsafeBufferPointer<Int>) -> Block {
        var a0 = Vector(), a1 = Vector(), a2 = Vector(), a3 = Vector()
        var a4 = Vector(), a5 = Vector(), a6 = Vector(), a7 = Vector()
        for tap in taps.indices {
            let w = UnsafeRawPointer(filter + tap * lanes).loadUnaligned(as: Vector.self)
            let offset = taps[tap] * lanes
            func x(_ p: UnsafePointer<Float>) -> Vector { UnsafeRawPointer(p + offset).loadUnaligned(as: Vector.self) }
            a0.addProduct(w, x(p0)); a1.addProduct(w, x(p1)); a2.addProduct(w, x(p2)); a3.addProduct(w, x(p3))
            a4.addProduct(w, x(p4)); a5.addProduct(w, x(p5)); a6.addProduct(w, x(p6)); a7.addProduct(w, x(p7))
        }
        return (a0, a1, a2, a3, a4, a5, a6, a7)
    }

    /// Row c of the result = lane c of every input vector. Three rounds of pairing rows and
    /// taking their even and odd lanes: each round rotates an element's (row, column) bits by one.
    @inline(__always)
    static func transposed(_ m: Block) -> Block {
        var r = m
        for _ in 0..<3 {
            let p0 = SIMD16(lowHalf: r.0, highHalf: r.1), p1 = SIMD16(lowHalf: r.2, highHalf: r.3)
            let p2 = SIMD16(lowHalf: r.4, highHalf: r.5), p3 = SIMD16(lowHalf: r.6, highHalf: r.7)
            r = (p0.evenHalf, p1.evenHalf, p2.evenHalf, p3.evenHalf, p0.oddHalf, p1.oddHalf, p2.oddHalf, p3.oddHalf)
        }
        return r
    }

    /// Row c of `rows` (the 8 channels' values at 8 positions) to `target + c · rowStride`, its
    /// first `count` values.
    @inline(__always)
    private static func store(_ rows: Block, into target: UnsafeMutablePointer<Float>, rowStride: Int, count: Int) {
        func put(_ c: Int, _ v: Vector) {
            let row = target + c * rowStride
            if count == lanes {
                UnsafeMutableRawPointer(row).storeBytes(of: v, as: Vector.self)
            } else {
                for i in 0..<count { row[i] = v[i] }
            }
        }
        put(0, rows.0); put(1, rows.1); put(2, rows.2); put(3, rows.3)
        put(4, rows.4); put(5, rows.5); put(6, rows.6); put(7, rows.7)
    }
}
