/// The matrix product of a 1×1 convolution, `target[o, j] = epilogue(Σₖ weight[o, k] · source[k, j])`,
/// with the weights read in place (row-major `[O, K]`) and the epilogue's bias and clamp applied
/// while the tile is still in registers.
///
/// Why not sgemm: EfficientNet's late planes are 4×4 to 8×8, so each product is a few dozen
/// columns wide, where sgemm spends much of its time packing the weights for a handful of
/// columns. And why its results do not depend on the batch: every output is one chain of fused
/// multiply-adds over k = 0, 1, …, K−1 from zero, the same in the vector tiles and the scalar
/// edge, so a column's value does not depend on where it falls among the others.
enum PointwiseGEMM {
    typealias Vector = SIMD8<Float>
    static let lanes = 8
    /// Output channels per tile: 6 rows × 2 vectors = 12 accumulators, which with the two source
    /// vectors and the broadcast weight fit AVX2's 16 registers.
    static let rows = 6

    /// What the tile does to its sums before storing them.
    struct Finish {
        let bias: UnsafePointer<Float>
        /// Clamp to [low, high] (ReLU, ReLU6); nil: store the biased sum as it is.
        let clamp: (low: Float, high: Float)?
    }

    /// Floats of scratch `run` needs: zero weights for the padding rows of the last tile, and
    /// the columns of one tile copied into a 16-wide panel.
    static func scratchCount(inChannels: Int) -> Int { inChannels * (1 + 2 * lanes) }

    /// `source` rows are `sourceStride` apart, `target` rows `targetStride` apart; `columns`
    /// columns of each are used.
    /// `weights` are row-major `[O, K]`, read in place.
    static func run(weights: UnsafePointer<Float>, outChannels: Int, inChannels: Int, finish: Finish,
                    source: UnsafePointer<Float>, sourceStride: Int, columns: Int,
                    target: UnsafeMutablePointer<Float>, targetStride: Int, scratch: UnsafeMutablePointer<Float>) {
        let k = inChannels
        let zeros = UnsafePointer(scratch)
        scratch.update(repeating: 0, count: k)
        let panel = scratch + k
        var j = 0
        while j < columns {
            let width = min(2 * lanes, columns - j)
            // The tile's columns, copied to a contiguous panel once and read by every row tile:
            // read in place, rows a multiple of 4 KiB apart share one L1 set and evict each
            // other. Past the last column the panel holds zeros, computed and dropped.
            if width == 2 * lanes {
                for i in 0..<k {  // two vector moves, not a memmove call per row
                    let from = UnsafeRawPointer(source + i * sourceStride + j)
                    let to = UnsafeMutableRawPointer(panel + i * 2 * lanes)
                    to.storeBytes(of: from.loadUnaligned(as: Vector.self), as: Vector.self)
                    to.storeBytes(of: from.loadUnaligned(fromByteOffset: 32, as: Vector.self), toByteOffset: 32, as: Vector.self)
                }
            } else {
                for i in 0..<k {
                    let row = panel + i * 2 * lanes
                    row.update(from: source + i * sourceStride + j, count: width)
                    (row + width).update(repeating: 0, count: 2 * lanes - width)
                }
            }
            let x = UnsafePointer(panel), xStride = 2 * lanes
            var o = 0
            while o < outChannels {
                let valid = min(rows, outChannels - o)
                // Rows past the last output channel multiply zeros and are not stored.
                func w(_ r: Int) -> UnsafePointer<Float> { r < valid ? weights + (o + r) * k : zeros }
                tile16(w(0), w(1), w(2), w(3), w(4), w(5), k: k, x: x, stride: xStride,
                       y: target + o * targetStride + j, targetStride: targetStride, validRows: valid, width: width,
                       bias: finish.bias + o, clamp: finish.clamp)
                o += rows
            }
            j += width
        }
    }

    /// Six output rows × 16 columns, of which `validRows` × `width` are stored.
    @inline(__always)
    private static func tile16(_ w0: UnsafePointer<Float>, _ w1: UnsafePointer<Float>, _ w2: UnsafePointer<Float>,
                               _ w3: UnsafePointer<Float>, _ w4: UnsafePointer<Float>, _ w5: UnsafePointer<Float>,
                               k: Int, x: UnsafePointer<Float>, stride: Int, y: UnsafeMutablePointer<Float>,
                               targetStride: Int, validRows: Int, width: Int, bias: UnsafePointer<Float>,
                               clamp: (low: Float, high: Float)?) {
        var a00 = Vector(), a01 = Vector(), a10 = Vector(), a11 = Vector(), a20 = Vector(), a21 = Vector()
        var a30 = Vector(), a31 = Vector(), a40 = Vector(), a41 = Vector(), a50 = Vector(), a51 = Vector()
        var row = UnsafeRawPointer(x)
        let rowBytes = stride * MemoryLayout<Float>.stride
        for i in 0..<k {
            let x0 = row.loadUnaligned(as: Vector.self)
            let x1 = row.loadUnaligned(fromByteOffset: 32, as: Vector.self)
            var b = Vector(repeating: w0[i])
            a00.addProduct(b, x0); a01.addProduct(b, x1)
            b = Vector(repeating: w1[i])
            a10.addProduct(b, x0); a11.addProduct(b, x1)
            b = Vector(repeating: w2[i])
            a20.addProduct(b, x0); a21.addProduct(b, x1)
            b = Vector(repeating: w3[i])
            a30.addProduct(b, x0); a31.addProduct(b, x1)
            b = Vector(repeating: w4[i])
            a40.addProduct(b, x0); a41.addProduct(b, x1)
            b = Vector(repeating: w5[i])
            a50.addProduct(b, x0); a51.addProduct(b, x1)
            row += rowBytes
        }
        let out = (y: y, stride: targetStride, width: width, bias: bias, clamp: clamp)
        store(a00, a01, row: 0, out)
        if validRows > 1 { store(a10, a11, row: 1, out) }
        if validRows > 2 { store(a20, a21, row: 2, out) }
        if validRows > 3 { store(a30, a31, row: 3, out) }
        if validRows > 4 { store(a40, a41, row: 4, out) }
        if validRows > 5 { store(a50, a51, row: 5, out) }
    }

    @inline(__always)
    private static func store(_ low: Vector, _ high: Vector, row r: Int,
                              _ out: (y: UnsafeMutablePointer<Float>, stride: Int, width: Int, bias: UnsafePointer<Float>,
                                      clamp: (low: Float, high: Float)?)) {
        let b = Vector(repeating: out.bias[r])
        var (low, high) = (low + b, high + b)
        if let clamp = out.clamp {
            // The selects of Swift's max(x, low) and min(x, high), so values (−0 → +0, NaN kept)
            // match the scalar epilogue's; they compile to a compare-blend and a vminps.
            let lower = Vector(repeating: clamp.low), upper = Vector(repeating: clamp.high)
            low = low.replacing(with: lower, where: low .<= lower)
            low = low.replacing(with: upper, where: upper .< low)
            high = high.replacing(with: lower, where: high .<= lower)
            high = high.replacing(with: upper, where: upper .< high)
        }
        let target = out.y + r * out.stride
        if out.width == 2 * lanes {
            UnsafeMutableRawPointer(target).storeBytes(of: low, as: Vector.self)
            UnsafeMutableRawPointer(target).storeBytes(of: high, toByteOffset: 32, as: Vector.self)
        } else {
            for c in 0..<out.width { target[c] = c < lanes ? low[c] : high[c - lanes] }
        }
    }
}
