/// The 1×1 convolution's matrix product (`Tensor.PointwiseGEMM`) in 16-float vectors, for CPUs
/// with AVX-512: this module alone is compiled for it, and Tensor calls it only where the CPU
/// has it (`Tensor.WideKernels`). On CPUs that execute 512-bit FMAs at full width, the 8-float
/// tile is bound by the FMA units at half of what they could do.
///
/// Every output is the same chain as in the 8-float product: fused multiply-adds over the input
/// channels k = 0, 1, …, K−1 from zero, then the bias, then the clamp (the same compare-and-select
/// as `Tensor.finished`), so the two products agree bit for bit and a crop scores the same on a
/// CPU with or without AVX-512.
public enum WidePointwiseGEMM {
    public typealias Vector = SIMD16<Float>
    public static let lanes = 16
    /// Output channels per tile: 4 rows × 3 vectors = 12 accumulators (8 rows on narrower tiles).
    static let rows = 4
    /// Columns per tile at most (3 vectors).
    public static let tileWidth = 3 * lanes

    /// Floats of scratch `run` needs: zero weights for the padding rows of the last tile, the
    /// columns of one tile copied into a panel up to `tileWidth` wide, and a partial tile's rows.
    public static func scratchCount(inChannels: Int) -> Int { inChannels * (1 + tileWidth) + 2 * rows * tileWidth + lanes }

    /// `target[o, j] = finish(Σₖ weights[o, k] · source[k, j])` for `columns` columns;
    /// `source` rows are `sourceStride` apart, `target` rows `targetStride` apart, `weights`
    /// row-major `[O, K]`. Finish: `+ bias[o]`, then clamped to `clamp` when given.
    /// `blockedSource`: the source is channel-blocked instead, `[K/16, columns, 16]` (K a
    /// multiple of 16, `sourceStride` unused); its columns reach the panel through 16×16
    /// register transposes.
    public static func run(weights: UnsafePointer<Float>, outChannels: Int, inChannels: Int, bias: UnsafePointer<Float>,
                           clamp: (low: Float, high: Float)?, source: UnsafePointer<Float>, sourceStride: Int, columns: Int,
                           target: UnsafeMutablePointer<Float>, targetStride: Int, scratch: UnsafeMutablePointer<Float>,
                           blockedSource: Bool = false) {
        precondition(!blockedSource || inChannels % lanes == 0, "a blocked source holds a multiple of 16 channels")
        let k = inChannels
        let zeros = UnsafePointer(scratch)
        scratch.update(repeating: 0, count: k)
        // The panel starts on a 64-byte boundary, so every panel row (a whole number of vectors) does.
        let misalignment = Int(bitPattern: scratch + k) % 64 / MemoryLayout<Float>.stride
        let panel = scratch + k + (lanes - misalignment) % lanes, edge = panel + k * tileWidth
        var j = 0
        while j < columns {
            // As many 16-wide vectors as the remaining columns need, at most 3: a 4×4 plane's
            // 16 columns are one vector; a partial last vector computes zeros and drops them.
            let remaining = columns - j
            let vectors = min(3, (remaining + lanes - 1) / lanes)
            let width = min(vectors * lanes, remaining)
            let panelWidth = vectors * lanes
            // The tile's columns, copied to a contiguous panel once and read by every row tile.
            if blockedSource {
                fillPanel(panel, panelWidth: panelWidth, fromBlocked: source, columns: columns, first: j, width: width, k: k)
            } else if width == panelWidth {
                for i in 0..<k {
                    let from = UnsafeRawPointer(source + i * sourceStride + j)
                    let to = UnsafeMutableRawPointer(panel + i * panelWidth)
                    for v in 0..<vectors {
                        to.storeBytes(of: from.loadUnaligned(fromByteOffset: 64 * v, as: Vector.self), toByteOffset: 64 * v,
                                      as: Vector.self)
                    }
                }
            } else {
                for i in 0..<k {
                    let row = panel + i * panelWidth
                    row.update(from: source + i * sourceStride + j, count: width)
                    (row + width).update(repeating: 0, count: panelWidth - width)
                }
            }
            let x = UnsafePointer(panel)
            // 4 rows × 3 vectors, or 8 rows × 1 or 2: at least 8 independent FMA chains, which
            // two FMA units of 4 cycles' latency need (4 × 1 left half of them idle).
            let tileRows = vectors == 3 ? rows : 2 * rows
            var o = 0
            while o < outChannels {
                let valid = min(tileRows, outChannels - o)
                // Rows past the last output channel multiply zeros and are not stored.
                func w(_ r: Int) -> UnsafePointer<Float> { r < valid ? weights + (o + r) * k : zeros }
                // A partial tile is stored whole into `edge`, then its columns copied: no scalar
                // store loop in the tiles (which kept the optimizer from inlining their loads).
                let full = width == panelWidth
                let out = Output(y: full ? target + o * targetStride + j : edge, stride: full ? targetStride : panelWidth,
                                 vectors: vectors, bias: bias + o, clamp: clamp)
                switch vectors {
                case 3: tile3((w(0), w(1), w(2), w(3)), k: k, x: x, validRows: valid, out)
                case 2: tallTile2((w(0), w(1), w(2), w(3), w(4), w(5), w(6), w(7)), k: k, x: x, validRows: valid, out)
                default: tallTile1((w(0), w(1), w(2), w(3), w(4), w(5), w(6), w(7)), k: k, x: x, validRows: valid, out)
                }
                if !full {
                    for r in 0..<valid {
                        (target + (o + r) * targetStride + j).update(from: edge + r * panelWidth, count: width)
                    }
                }
                o += tileRows
            }
            j += width
        }
    }

    /// Panel rows `0..<k` (each `panelWidth` wide) from columns `first ..< first + width` of a
    /// blocked source `[k/16, columns, 16]`, zero past `width`: per 16 channels and 16 columns,
    /// 16 position vectors transposed into 16 channel rows.
    private static func fillPanel(_ panel: UnsafeMutablePointer<Float>, panelWidth: Int, fromBlocked source: UnsafePointer<Float>,
                                  columns: Int, first: Int, width: Int, k: Int) {
        for block in 0..<(k / lanes) {
            let positions = source + (block * columns + first) * lanes
            var group = 0
            while group * lanes < panelWidth {
                let valid = max(0, min(lanes, width - group * lanes))
                func at(_ i: Int) -> Vector {
                    i < valid ? UnsafeRawPointer(positions + (group * lanes + i) * lanes).loadUnaligned(as: Vector.self) : Vector()
                }
                let t = transposed((at(0), at(1), at(2), at(3), at(4), at(5), at(6), at(7),
                                    at(8), at(9), at(10), at(11), at(12), at(13), at(14), at(15)))
                let rows = UnsafeMutableRawPointer(panel + block * lanes * panelWidth + group * lanes)
                let rowBytes = panelWidth * MemoryLayout<Float>.stride
                func put(_ c: Int, _ v: Vector) { rows.storeBytes(of: v, toByteOffset: c * rowBytes, as: Vector.self) }
                put(0, t.0); put(1, t.1); put(2, t.2); put(3, t.3); put(4, t.4); put(5, t.5); put(6, t.6); put(7, t.7)
                put(8, t.8); put(9, t.9); put(10, t.10); put(11, t.11); put(12, t.12); put(13, t.13); put(14, t.14)
                put(15, t.15)
                group += 1
            }
        }
    }

    typealias Sixteen = (Vector, Vector, Vector, Vector, Vector, Vector, Vector, Vector,
                         Vector, Vector, Vector, Vector, Vector, Vector, Vector, Vector)

    /// Row c of the result = lane c of every input vector. Four rounds of pairing rows and
    /// taking their even and odd lanes: each round rotates an element's (row, column) bits by one.
    @inline(__always)
    static func transposed(_ m: Sixteen) -> Sixteen {
        var r = m
        for _ in 0..<4 {
            let p0 = SIMD32(lowHalf: r.0, highHalf: r.1), p1 = SIMD32(lowHalf: r.2, highHalf: r.3)
            let p2 = SIMD32(lowHalf: r.4, highHalf: r.5), p3 = SIMD32(lowHalf: r.6, highHalf: r.7)
            let p4 = SIMD32(lowHalf: r.8, highHalf: r.9), p5 = SIMD32(lowHalf: r.10, highHalf: r.11)
            let p6 = SIMD32(lowHalf: r.12, highHalf: r.13), p7 = SIMD32(lowHalf: r.14, highHalf: r.15)
            r = (p0.evenHalf, p1.evenHalf, p2.evenHalf, p3.evenHalf, p4.evenHalf, p5.evenHalf, p6.evenHalf, p7.evenHalf,
                 p0.oddHalf, p1.oddHalf, p2.oddHalf, p3.oddHalf, p4.oddHalf, p5.oddHalf, p6.oddHalf, p7.oddHalf)
        }
        return r
    }

    // One function per tile shape, each with `vectors` a constant: inlined into `run`, the
    // three made it so large that the optimizer stopped inlining the vector loads in it.
    typealias FourRows = (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>)

    @inline(never)
    private static func tile3(_ w: FourRows, k: Int, x: UnsafePointer<Float>, validRows: Int, _ out: Output) {
        tile(vectors: 3, w.0, w.1, w.2, w.3, k: k, x: x, validRows: validRows, out)
    }

    @inline(never)
    private static func tallTile2(_ w: EightRows, k: Int, x: UnsafePointer<Float>, validRows: Int, _ out: Output) {
        tallTile(vectors: 2, w, k: k, x: x, validRows: validRows, out)
    }

    @inline(never)
    private static func tallTile1(_ w: EightRows, k: Int, x: UnsafePointer<Float>, validRows: Int, _ out: Output) {
        tallTile(vectors: 1, w, k: k, x: x, validRows: validRows, out)
    }

    /// Where a tile's rows go and how they are finished.
    struct Output {
        let y: UnsafeMutablePointer<Float>
        let stride: Int
        /// Vectors per row, all stored.
        let vectors: Int
        let bias: UnsafePointer<Float>
        let clamp: (low: Float, high: Float)?
    }

    /// Four output rows × `vectors` × 16 columns (the panel's width), of which `validRows` are
    /// stored. Inlined with `vectors` a constant, so unused accumulators vanish.
    @_transparent
    private static func tile(vectors: Int, _ w0: UnsafePointer<Float>, _ w1: UnsafePointer<Float>,
                             _ w2: UnsafePointer<Float>, _ w3: UnsafePointer<Float>, k: Int, x: UnsafePointer<Float>,
                             validRows: Int, _ out: Output) {
        var a00 = Vector(), a01 = Vector(), a02 = Vector(), a10 = Vector(), a11 = Vector(), a12 = Vector()
        var a20 = Vector(), a21 = Vector(), a22 = Vector(), a30 = Vector(), a31 = Vector(), a32 = Vector()
        // The panel is 64-byte aligned: plain vector reads, no generic unaligned load that the
        // optimizer may leave out of line.
        var row = UnsafeRawPointer(x).assumingMemoryBound(to: Vector.self)
        for i in 0..<k {
            let x0 = row[0]
            let x1 = vectors > 1 ? row[1] : Vector()
            let x2 = vectors > 2 ? row[2] : Vector()
            var b = Vector(repeating: w0[i])
            a00.addProduct(b, x0)
            if vectors > 1 { a01.addProduct(b, x1) }
            if vectors > 2 { a02.addProduct(b, x2) }
            b = Vector(repeating: w1[i])
            a10.addProduct(b, x0)
            if vectors > 1 { a11.addProduct(b, x1) }
            if vectors > 2 { a12.addProduct(b, x2) }
            b = Vector(repeating: w2[i])
            a20.addProduct(b, x0)
            if vectors > 1 { a21.addProduct(b, x1) }
            if vectors > 2 { a22.addProduct(b, x2) }
            b = Vector(repeating: w3[i])
            a30.addProduct(b, x0)
            if vectors > 1 { a31.addProduct(b, x1) }
            if vectors > 2 { a32.addProduct(b, x2) }
            row += vectors
        }
        store(a00, a01, a02, row: 0, out)
        if validRows > 1 { store(a10, a11, a12, row: 1, out) }
        if validRows > 2 { store(a20, a21, a22, row: 2, out) }
        if validRows > 3 { store(a30, a31, a32, row: 3, out) }
    }
    typealias EightRows = (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>,
                           UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>)

    /// Eight output rows × `vectors` (1 or 2) × 16 columns, of which `validRows`
    /// are stored; the same chains as `tile`.
    @_transparent
    private static func tallTile(vectors: Int, _ w: EightRows, k: Int, x: UnsafePointer<Float>, validRows: Int,
                                 _ out: Output) {
        var a00 = Vector(), a01 = Vector(), a10 = Vector(), a11 = Vector(), a20 = Vector(), a21 = Vector()
        var a30 = Vector(), a31 = Vector(), a40 = Vector(), a41 = Vector(), a50 = Vector(), a51 = Vector()
        var a60 = Vector(), a61 = Vector(), a70 = Vector(), a71 = Vector()
        // The panel is 64-byte aligned: plain vector reads, no generic unaligned load that the
        // optimizer may leave out of line.
        var row = UnsafeRawPointer(x).assumingMemoryBound(to: Vector.self)
        for i in 0..<k {
            let x0 = row[0]
            let x1 = vectors > 1 ? row[1] : Vector()
            var b = Vector(repeating: w.0[i])
            a00.addProduct(b, x0)
            if vectors > 1 { a01.addProduct(b, x1) }
            b = Vector(repeating: w.1[i])
            a10.addProduct(b, x0)
            if vectors > 1 { a11.addProduct(b, x1) }
            b = Vector(repeating: w.2[i])
            a20.addProduct(b, x0)
            if vectors > 1 { a21.addProduct(b, x1) }
            b = Vector(repeating: w.3[i])
            a30.addProduct(b, x0)
            if vectors > 1 { a31.addProduct(b, x1) }
            b = Vector(repeating: w.4[i])
            a40.addProduct(b, x0)
            if vectors > 1 { a41.addProduct(b, x1) }
            b = Vector(repeating: w.5[i])
            a50.addProduct(b, x0)
            if vectors > 1 { a51.addProduct(b, x1) }
            b = Vector(repeating: w.6[i])
            a60.addProduct(b, x0)
            if vectors > 1 { a61.addProduct(b, x1) }
            b = Vector(repeating: w.7[i])
            a70.addProduct(b, x0)
            if vectors > 1 { a71.addProduct(b, x1) }
            row += vectors
        }
        let unused = Vector()
        store(a00, a01, unused, row: 0, out)
        if validRows > 1 { store(a10, a11, unused, row: 1, out) }
        if validRows > 2 { store(a20, a21, unused, row: 2, out) }
        if validRows > 3 { store(a30, a31, unused, row: 3, out) }
        if validRows > 4 { store(a40, a41, unused, row: 4, out) }
        if validRows > 5 { store(a50, a51, unused, row: 5, out) }
        if validRows > 6 { store(a60, a61, unused, row: 6, out) }
        if validRows > 7 { store(a70, a71, unused, row: 7, out) }
    }

}

// @_transparent, here and on the tiles: with @inline(__always) the optimizer left them out of
// line, passing each vector in four pieces.

/// Row `r`'s `out.vectors` vectors, biased and clamped.
@_transparent
private func store(_ v0: SIMD16<Float>, _ v1: SIMD16<Float>, _ v2: SIMD16<Float>, row r: Int,
                   _ out: WidePointwiseGEMM.Output) {
    let target = UnsafeMutableRawPointer(out.y + r * out.stride)
    target.storeBytes(of: finished(v0, bias: out.bias[r], clamp: out.clamp), as: SIMD16<Float>.self)
    if out.vectors > 1 {
        target.storeBytes(of: finished(v1, bias: out.bias[r], clamp: out.clamp), toByteOffset: 64, as: SIMD16<Float>.self)
    }
    if out.vectors > 2 {
        target.storeBytes(of: finished(v2, bias: out.bias[r], clamp: out.clamp), toByteOffset: 128, as: SIMD16<Float>.self)
    }
}

/// `values + bias`, clamped: the lane arithmetic of `Tensor.finished` (the sum, then the
/// selects of Swift's max and min, so −0 → +0 and NaN is kept).
@_transparent
func finished(_ values: SIMD16<Float>, bias: Float, clamp: (low: Float, high: Float)?) -> SIMD16<Float> {
    finished(values, biases: SIMD16(repeating: bias), clamp: clamp)
}
