import TensorAVX512

/// The matrix product of a 1×1 convolution, `target[o, j] = epilogue(Σₖ weight[o, k] · source[k, j])`,
/// with the weights read in place (row-major `[O, K]`) and the epilogue's bias and clamp applied
/// while the tile is still in registers.
///
/// Why not sgemm: EfficientNet's late planes are 4×4 to 8×8, so each product is a few dozen
/// columns wide, where sgemm spends much of its time packing the weights for a handful of
/// columns. And why its results do not depend on the batch: every output is one chain of fused
/// multiply-adds over k = 0, 1, …, K−1 from zero, the same in the vector tiles and the scalar
/// edge, so a column's value does not depend on where it falls among the others.
///
/// On CPUs with AVX-512 the product runs in 16-float vectors instead (`WidePointwiseGEMM`, the
/// same chains), which `run` picks unless told otherwise.
enum PointwiseGEMM {
    typealias Vector = SIMD8<Float>
    static let lanes = 8
    /// Output channels per tile: 4 rows × 3 vectors = 12 accumulators, which with the three
    /// source vectors and the broadcast weight fill AVX2's 16 registers. Four weight broadcasts
    /// per 12 FMAs (6 rows × 2 vectors needed six), and every EfficientNet width is a multiple of
    /// 4, so no tile computes rows it drops.
    static let rows = 4
    /// Columns per tile at most (3 vectors).
    static let tileWidth = 3 * lanes

    /// What the tile does to its sums before storing them.
    struct Finish {
        let bias: UnsafePointer<Float>
        /// Clamp to [low, high] (ReLU, ReLU6); nil: store the biased sum as it is.
        let clamp: (low: Float, high: Float)?
    }

    /// Floats of scratch `run` needs: zero weights for the padding rows of the last tile, and
    /// the columns of one tile copied into a panel up to 24 wide (48 in the 16-float product).
    /// (No call into the AVX-512 module unless the CPU has it: even its arithmetic is compiled for it.)
    static func scratchCount(inChannels: Int) -> Int {
        let narrow = inChannels * (1 + tileWidth)
        return WideKernels.available ? max(narrow, WidePointwiseGEMM.scratchCount(inChannels: inChannels)) : narrow
    }

    /// `source` rows are `sourceStride` apart, `target` rows `targetStride` apart; `columns`
    /// columns of each are used.
    /// `weights` are row-major `[O, K]`, read in place.
    static func run(weights: UnsafePointer<Float>, outChannels: Int, inChannels: Int, finish: Finish,
                    source: UnsafePointer<Float>, sourceStride: Int, columns: Int,
                    target: UnsafeMutablePointer<Float>, targetStride: Int, scratch: UnsafeMutablePointer<Float>,
                    wide: Bool = WideKernels.available) {
        if wide {
            WidePointwiseGEMM.run(weights: weights, outChannels: outChannels, inChannels: inChannels, bias: finish.bias,
                                  clamp: finish.clamp, source: source, sourceStride: sourceStride, columns: columns,
                                  target: target, targetStride: targetStride, scratch: scratch)
            return
        }
        let k = inChannels
        let zeros = UnsafePointer(scratch)
        scratch.update(repeating: 0, count: k)
        let panel = scratch + k
        var j = 0
        while j < columns {
            // 24-wide tiles while that many columns remain, then 16 and 8: a 4×4 plane's 16
            // columns (one crop at 128 px) fill one 16-wide tile instead of two thirds of a 24.
            let remaining = columns - j
            let vectors = remaining >= 3 * lanes ? 3 : remaining > lanes ? 2 : 1
            let width = min(vectors * lanes, remaining)
            let panelWidth = vectors * lanes
            // The tile's columns, copied to a contiguous panel once and read by every row tile:
            // read in place, rows a multiple of 4 KiB apart share one L1 set and evict each
            // other. Past the last column the panel holds zeros, computed and dropped.
            if width == panelWidth {
                for i in 0..<k {  // vector moves, not a memmove call per row
                    let from = UnsafeRawPointer(source + i * sourceStride + j)
                    let to = UnsafeMutableRawPointer(panel + i * panelWidth)
                    for v in 0..<vectors {
                        to.storeBytes(of: from.loadUnaligned(fromByteOffset: 32 * v, as: Vector.self), toByteOffset: 32 * v,
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
            var o = 0
            while o < outChannels {
                let valid = min(rows, outChannels - o)
                // Rows past the last output channel multiply zeros and are not stored.
                func w(_ r: Int) -> UnsafePointer<Float> { r < valid ? weights + (o + r) * k : zeros }
                let y = target + o * targetStride + j
                switch vectors {  // constants, so each call is its own unrolled tile
                case 3: tile(vectors: 3, w(0), w(1), w(2), w(3), k: k, x: x, y: y, targetStride: targetStride,
                             validRows: valid, width: width, bias: finish.bias + o, clamp: finish.clamp)
                case 2: tile(vectors: 2, w(0), w(1), w(2), w(3), k: k, x: x, y: y, targetStride: targetStride,
                             validRows: valid, width: width, bias: finish.bias + o, clamp: finish.clamp)
                default: tile(vectors: 1, w(0), w(1), w(2), w(3), k: k, x: x, y: y, targetStride: targetStride,
                              validRows: valid, width: width, bias: finish.bias + o, clamp: finish.clamp)
                }
                o += rows
            }
            j += width
        }
    }

    /// Four output rows × `vectors` × 8 columns (the panel's width), of which `validRows` ×
    /// `width` are stored. Inlined with `vectors` a constant, so the unused accumulators vanish.
    @inline(__always)
    private static func tile(vectors: Int, _ w0: UnsafePointer<Float>, _ w1: UnsafePointer<Float>,
                             _ w2: UnsafePointer<Float>, _ w3: UnsafePointer<Float>, k: Int, x: UnsafePointer<Float>,
                             y: UnsafeMutablePointer<Float>, targetStride: Int, validRows: Int, width: Int,
                             bias: UnsafePointer<Float>, clamp: (low: Float, high: Float)?) {
        var a00 = Vector(), a01 = Vector(), a02 = Vector(), a10 = Vector(), a11 = Vector(), a12 = Vector()
        var a20 = Vector(), a21 = Vector(), a22 = Vector(), a30 = Vector(), a31 = Vector(), a32 = Vector()
        var row = UnsafeRawPointer(x)
        let rowBytes = vectors * lanes * MemoryLayout<Float>.stride
        for i in 0..<k {
            let x0 = row.loadUnaligned(as: Vector.self)
            let x1 = vectors > 1 ? row.loadUnaligned(fromByteOffset: 32, as: Vector.self) : Vector()
            let x2 = vectors > 2 ? row.loadUnaligned(fromByteOffset: 64, as: Vector.self) : Vector()
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
            row += rowBytes
        }
        let out = (y: y, stride: targetStride, width: width, bias: bias, clamp: clamp)
        store(a00, a01, a02, row: 0, out)
        if validRows > 1 { store(a10, a11, a12, row: 1, out) }
        if validRows > 2 { store(a20, a21, a22, row: 2, out) }
        if validRows > 3 { store(a30, a31, a32, row: 3, out) }
    }

    /// Row `r`'s first `out.width` columns (at most 3 vectors' worth), biased and clamped.
    @inline(__always)
    private static func store(_ v0: Vector, _ v1: Vector, _ v2: Vector, row r: Int,
                              _ out: (y: UnsafeMutablePointer<Float>, stride: Int, width: Int, bias: UnsafePointer<Float>,
                                      clamp: (low: Float, high: Float)?)) {
        let target = UnsafeMutableRawPointer(out.y + r * out.stride)
        let values = (finished(v0, bias: out.bias[r], clamp: out.clamp), finished(v1, bias: out.bias[r], clamp: out.clamp),
                      finished(v2, bias: out.bias[r], clamp: out.clamp))
        if out.width % lanes == 0 {
            target.storeBytes(of: values.0, as: Vector.self)
            if out.width > lanes { target.storeBytes(of: values.1, toByteOffset: 32, as: Vector.self) }
            if out.width > 2 * lanes { target.storeBytes(of: values.2, toByteOffset: 64, as: Vector.self) }
        } else {
            let y = out.y + r * out.stride
            for c in 0..<out.width {
                y[c] = c < lanes ? values.0[c] : c < 2 * lanes ? values.1[c - lanes] : values.2[c - 2 * lanes]
            }
        }
    }
}
