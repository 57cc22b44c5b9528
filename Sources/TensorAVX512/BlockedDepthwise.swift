/// Depthwise convolution on the channel-blocked layout (`[C/16, planes, H, W, 16]`), for CPUs
/// with AVX-512: the channel-major kernel `Tensor.InterleavedDepthwise` with 16 channels a
/// vector and without its transposes, since the layout already holds a position's channels
/// side by side. Per block of 16 channels the planes are copied row by row into a zero-padded
/// buffer; every output reads its taps at constant offsets from its own corner, whatever the
/// stride, and blocks of 8 outputs (across rows and planes) run as 8 independent FMA chains.
///
/// Each output is the same chain as in the channel-major kernels: fused multiply-adds over the
/// taps in row-major order from zero (the padding's zeros included), then the bias and the
/// clamp, so all of them agree bit for bit.
public enum BlockedDepthwise {
    public typealias Vector = SIMD16<Float>
    public static let lanes = 16

    public struct Geometry: Sendable {
        public let planes: Int, height: Int, width: Int
        public let padTop: Int, padLeft: Int, padBottom: Int, padRight: Int
        public let kernelHeight: Int, kernelWidth: Int, strideY: Int, strideX: Int

        public init(planes: Int, height: Int, width: Int, padTop: Int, padLeft: Int, padBottom: Int, padRight: Int,
                    kernelHeight: Int, kernelWidth: Int, strideY: Int, strideX: Int) {
            (self.planes, self.height, self.width) = (planes, height, width)
            (self.padTop, self.padLeft, self.padBottom, self.padRight) = (padTop, padLeft, padBottom, padRight)
            (self.kernelHeight, self.kernelWidth, self.strideY, self.strideX) = (kernelHeight, kernelWidth, strideY, strideX)
        }

        var paddedHeight: Int { height + padTop + padBottom }
        var paddedWidth: Int { width + padLeft + padRight }
        public var outHeight: Int { (paddedHeight - kernelHeight) / strideY + 1 }
        public var outWidth: Int { (paddedWidth - kernelWidth) / strideX + 1 }
        var taps: Int { kernelHeight * kernelWidth }
        /// Scratch floats: one block's padded planes.
        public var scratchCount: Int { planes * paddedHeight * paddedWidth * lanes }
    }

    /// PyTorch's depthwise weights `[C, 1, kh, kw]` as the kernel reads them: per block of 16
    /// channels, per tap, the block's 16 weights (`[C/16, taps, 16]`).
    public static func packedFilter(_ weights: UnsafeBufferPointer<Float>, channels: Int) -> [Float] {
        precondition(channels % lanes == 0 && weights.count % channels == 0, "channels must be a multiple of 16")
        let taps = weights.count / channels
        return (0..<weights.count).map { i in
            let (block, rest) = i.quotientAndRemainder(dividingBy: taps * lanes)
            let (tap, lane) = rest.quotientAndRemainder(dividingBy: lanes)
            return weights[(block * lanes + lane) * taps + tap]
        }
    }

    /// `source` `[C/16, planes, height, width, 16]` → `target` `[C/16, planes, outHeight, outWidth, 16]`;
    /// `filter` from `packedFilter`.
    public static func run(filter: UnsafePointer<Float>, channels: Int, bias: UnsafePointer<Float>,
                           clamp: (low: Float, high: Float)?, geometry g: Geometry, source: UnsafePointer<Float>,
                           target: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        precondition(channels % lanes == 0, "channels must be a multiple of 16")
        let (paddedHeight, paddedWidth, taps) = (g.paddedHeight, g.paddedWidth, g.taps)
        let (outHeight, outWidth) = (g.outHeight, g.outWidth)
        let inputCount = g.planes * g.height * g.width, outputCount = g.planes * outHeight * outWidth
        let padded = scratch
        // Vector index in `padded` of each output's top-left tap, and each tap's offset from it.
        let cornerAt = (0..<outputCount).map { r in
            let (n, yx) = r.quotientAndRemainder(dividingBy: outHeight * outWidth)
            let (oy, ox) = yx.quotientAndRemainder(dividingBy: outWidth)
            return ((n * paddedHeight + oy * g.strideY) * paddedWidth + ox * g.strideX) * lanes
        }
        let tapAt = (0..<taps).map { (($0 / g.kernelWidth) * paddedWidth + $0 % g.kernelWidth) * lanes }
        // Zero once: the padding stays zero, the inside is overwritten for each block.
        padded.update(repeating: 0, count: g.planes * paddedHeight * paddedWidth * lanes)
        let rowFloats = g.width * lanes
        cornerAt.withUnsafeBufferPointer { cornerAt in
            tapAt.withUnsafeBufferPointer { tapAt in
                for block in 0..<(channels / lanes) {
                    let input = source + block * inputCount * lanes
                    for n in 0..<g.planes {
                        for y in 0..<g.height {
                            let row = ((n * paddedHeight + y + g.padTop) * paddedWidth + g.padLeft) * lanes
                            (padded + row).update(from: input + (n * g.height + y) * rowFloats, count: rowFloats)
                        }
                    }
                    let blockFilter = filter + block * taps * lanes
                    let biases = UnsafeRawPointer(bias + block * lanes).loadUnaligned(as: Vector.self)
                    let out = UnsafeMutableRawPointer(target + block * outputCount * lanes)
                    var r = 0
                    while r < outputCount {
                        let valid = smaller(8, outputCount - r)
                        // Past the last output the block repeats it, computed and not stored.
                        func corner(_ i: Int) -> UnsafePointer<Float> { UnsafePointer(padded + cornerAt[r + (i < valid ? i : valid - 1)]) }
                        let a = eightOutputs(corner(0), corner(1), corner(2), corner(3), corner(4), corner(5), corner(6),
                                             corner(7), filter: blockFilter, taps: tapAt)
                        func put(_ i: Int, _ v: Vector) { storeVector(finished(v, biases: biases, clamp: clamp), out + 64 * (r + i)) }
                        put(0, a.0)
                        if valid > 1 { put(1, a.1) }
                        if valid > 2 { put(2, a.2) }
                        if valid > 3 { put(3, a.3) }
                        if valid > 4 { put(4, a.4) }
                        if valid > 5 { put(5, a.5) }
                        if valid > 6 { put(6, a.6) }
                        if valid > 7 { put(7, a.7) }
                        r += 8
                    }
                }
            }
        }
    }

    typealias Eight = (Vector, Vector, Vector, Vector, Vector, Vector, Vector, Vector)

    /// Output i (16 channels) = Σ over the taps in order of `filter[tap] · corner_i[taps[tap]]`,
    /// one FMA chain each from zero.
    @inline(__always)
    static func eightOutputs(_ p0: UnsafePointer<Float>, _ p1: UnsafePointer<Float>, _ p2: UnsafePointer<Float>,
                             _ p3: UnsafePointer<Float>, _ p4: UnsafePointer<Float>, _ p5: UnsafePointer<Float>,
                             _ p6: UnsafePointer<Float>, _ p7: UnsafePointer<Float>, filter: UnsafePointer<Float>,
                             taps: UnsafeBufferPointer<Int>) -> Eight {
        var a0 = Vector(), a1 = Vector(), a2 = Vector(), a3 = Vector()
        var a4 = Vector(), a5 = Vector(), a6 = Vector(), a7 = Vector()
        for tap in taps.indices {
            let w = UnsafeRawPointer(filter + tap * lanes).loadUnaligned(as: Vector.self)
            let offset = taps[tap]
            func x(_ p: UnsafePointer<Float>) -> Vector { UnsafeRawPointer(p + offset).loadUnaligned(as: Vector.self) }
            a0.addProduct(w, x(p0)); a1.addProduct(w, x(p1)); a2.addProduct(w, x(p2)); a3.addProduct(w, x(p3))
            a4.addProduct(w, x(p4)); a5.addProduct(w, x(p5)); a6.addProduct(w, x(p6)); a7.addProduct(w, x(p7))
        }
        return (a0, a1, a2, a3, a4, a5, a6, a7)
    }
}
