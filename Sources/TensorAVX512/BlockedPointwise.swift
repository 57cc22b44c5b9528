/// The 1×1 convolution on the channel-blocked layout (`[C/16, positions, 16]`: 16 channels of
/// one position in a vector, as ONNX Runtime's NCHWc), for CPUs with AVX-512. The lanes are
/// output channels: each step loads the weights of 16 outputs for one input channel (the
/// weights are stored transposed, `[K, O]`) and multiplies them by that channel's value at a
/// position, broadcast. A tile is 4 output blocks × 6 positions, 24 independent chains. The
/// weights are packed per group of 4 output blocks (`packedWeights`), so a tile reads them as
/// one contiguous stream.
///
/// Every output is the same chain as in `WidePointwiseGEMM`: fused multiply-adds over the
/// input channels k = 0, 1, …, K−1 from zero, then the bias, then the clamp, so both layouts
/// give the same bits.
public enum BlockedPointwise {
    public typealias Vector = SIMD16<Float>
    public static let lanes = 16
    static let positionsPerTile = 6
    /// Positions per pass: their inputs (K × 48 floats) stay in L2 while every group of output
    /// blocks reads them, and a group's weights (K × 64) stay there across the pass's tiles.
    static let chunk = 48

    /// Where input channel k of position p is: `source + k · channelStride + p · positionStride`
    /// for a channel-major input `[K, positions]` (`channelStride` = positions, `positionStride`
    /// 1: any K), and in blocks for a blocked one (`[K/16, positions, 16]`).
    public enum InputLayout: Sendable {
        case channelMajor, blocked
    }

    /// Output blocks per tile, and per group of packed weights.
    public static let blocksPerGroup = 4

    /// Row-major `[O, K]` weights in the order the tiles read them: per group of 4 output blocks
    /// (fewer in the last), `[K, 64]`, each input channel's weights for the group's outputs.
    /// 64-byte aligned, so the tiles read them with plain vector loads (a generic unaligned load
    /// may be left out of line by the optimizer).
    public final class PackedWeights: @unchecked Sendable {  // immutable after init
        public let outChannels: Int, inChannels: Int
        let base: UnsafeMutablePointer<Float>

        public init(_ weights: UnsafePointer<Float>, outChannels: Int, inChannels: Int) {
            precondition(outChannels % lanes == 0, "outputs must be a multiple of 16")
            (self.outChannels, self.inChannels) = (outChannels, inChannels)
            let k = inChannels
            base = UnsafeMutableRawPointer.allocate(byteCount: max(1, outChannels * k) * MemoryLayout<Float>.stride,
                                                    alignment: 64).bindMemory(to: Float.self, capacity: outChannels * k)
            var first = 0
            while first < outChannels {
                let width = smaller(blocksPerGroup * lanes, outChannels - first)
                for i in 0..<k {
                    for j in 0..<width { base[first * k + i * width + j] = weights[(first + j) * k + i] }
                }
                first += width
            }
        }

        deinit { base.deallocate() }
    }

    /// `target[o/16, p, o%16] = finish(Σₖ w[o, k] · input(k, p))` for `positions` positions,
    /// w the weights `packed` holds (O a multiple of 16; K too, for a blocked input).
    /// Finish: `+ bias[o]`, then clamped to `clamp` when given.
    public static func run(_ packed: PackedWeights, bias: UnsafePointer<Float>, clamp: (low: Float, high: Float)?, source: UnsafePointer<Float>,
                           layout: InputLayout, positions: Int, target: UnsafeMutablePointer<Float>) {
        let (weights, outChannels, inChannels) = (UnsafePointer(packed.base), packed.outChannels, packed.inChannels)
        precondition(outChannels % lanes == 0 && (layout == .channelMajor || inChannels % lanes == 0),
                     "channels must be multiples of 16")
        let (channelStride, positionStride) = layout == .blocked ? (1, lanes) : (positions, 1)
        let outBlocks = outChannels / lanes
        var first = 0
        while first < positions {
            let end = smaller(first + chunk, positions)
            var block = 0
            while block < outBlocks {
                let blocks = smaller(blocksPerGroup, outBlocks - block)
                var p = first
                while p < end {
                    let tile = Tile(weights: weights + block * lanes * inChannels, weightRow: blocks * lanes,
                                    inChannels: inChannels,
                                    source: source + p * positionStride, channelStride: channelStride,
                                    positionStride: positionStride, blockStride: lanes * positions,
                                    validPositions: smaller(positionsPerTile, end - p),
                                    target: target + (block * positions + p) * lanes, targetBlockStride: positions * lanes,
                                    bias: bias + block * lanes, clamp: clamp)
                    // A pass's last 1–4 positions (a 4×4 plane at batch 1: 6 + 6 + 4) run a
                    // 4-position tile, not 6 positions of which 2 are computed and dropped.
                    if end - p <= 4 {
                        switch blocks {
                        case 4: narrowTile4(tile)
                        case 3: narrowTile3(tile)
                        case 2: narrowTile2(tile)
                        default: narrowTile1(tile)
                        }
                    } else {
                        switch blocks {
                        case 4: tile4(tile)
                        case 3: tile3(tile)
                        case 2: tile2(tile)
                        default: tile1(tile)
                        }
                    }
                    p += positionsPerTile
                }
                block += blocks
            }
            first = end
        }
    }

    struct Tile {
        /// The group's packed weights, `weightRow` floats per input channel.
        let weights: UnsafePointer<Float>
        let weightRow: Int, inChannels: Int
        /// The tile's first position in input channel 0; channel k of block b is
        /// `b · blockStride + k · channelStride` further, position j `j · positionStride`.
        let source: UnsafePointer<Float>
        let channelStride: Int, positionStride: Int, blockStride: Int
        let validPositions: Int
        let target: UnsafeMutablePointer<Float>
        let targetBlockStride: Int
        let bias: UnsafePointer<Float>
        let clamp: (low: Float, high: Float)?
    }

    // One function per block and position count, each inlining `tile` with constants: unused
    // accumulators vanish.
    @inline(never) static func tile4(_ t: Tile) { tile(blocks: 4, positions: 6, t) }
    @inline(never) static func tile3(_ t: Tile) { tile(blocks: 3, positions: 6, t) }
    @inline(never) static func tile2(_ t: Tile) { tile(blocks: 2, positions: 6, t) }
    @inline(never) static func tile1(_ t: Tile) { tile(blocks: 1, positions: 6, t) }
    @inline(never) static func narrowTile4(_ t: Tile) { tile(blocks: 4, positions: 4, t) }
    @inline(never) static func narrowTile3(_ t: Tile) { tile(blocks: 3, positions: 4, t) }
    @inline(never) static func narrowTile2(_ t: Tile) { tile(blocks: 2, positions: 4, t) }
    @inline(never) static func narrowTile1(_ t: Tile) { tile(blocks: 1, positions: 4, t) }

    /// `blocks` output blocks × `positions` (4 or 6) positions.
    @_transparent
    static func tile(blocks: Int, positions: Int, _ t: Tile) {
        var a00 = Vector(), a01 = Vector(), a02 = Vector(), a03 = Vector(), a04 = Vector(), a05 = Vector()
        var a10 = Vector(), a11 = Vector(), a12 = Vector(), a13 = Vector(), a14 = Vector(), a15 = Vector()
        var a20 = Vector(), a21 = Vector(), a22 = Vector(), a23 = Vector(), a24 = Vector(), a25 = Vector()
        var a30 = Vector(), a31 = Vector(), a32 = Vector(), a33 = Vector(), a34 = Vector(), a35 = Vector()
        // Positions past the last valid one repeat it; they are computed and not stored.
        let last = t.validPositions - 1
        let step = t.positionStride
        let o1 = smaller(1, last) * step, o2 = smaller(2, last) * step, o3 = smaller(3, last) * step
        let o4 = smaller(4, last) * step, o5 = smaller(5, last) * step
        // Each row is a whole number of 64-byte vectors from an aligned start: plain vector reads.
        var w = UnsafeRawPointer(t.weights).assumingMemoryBound(to: Vector.self)
        let weightRow = t.weightRow / lanes
        var inBlock = 0
        while inBlock * lanes < t.inChannels {
            var x = t.source + inBlock * t.blockStride
            for _ in 0..<smaller(lanes, t.inChannels - inBlock * lanes) {
                let x0 = Vector(repeating: x[0]), x1 = Vector(repeating: x[o1])
                let x2 = Vector(repeating: x[o2]), x3 = Vector(repeating: x[o3])
                let x4 = positions > 4 ? Vector(repeating: x[o4]) : Vector()
                let x5 = positions > 4 ? Vector(repeating: x[o5]) : Vector()
                var v = w[0]
                a00.addProduct(v, x0); a01.addProduct(v, x1); a02.addProduct(v, x2); a03.addProduct(v, x3)
                if positions > 4 { a04.addProduct(v, x4); a05.addProduct(v, x5) }
                if blocks > 1 {
                    v = w[1]
                    a10.addProduct(v, x0); a11.addProduct(v, x1); a12.addProduct(v, x2); a13.addProduct(v, x3)
                    if positions > 4 { a14.addProduct(v, x4); a15.addProduct(v, x5) }
                }
                if blocks > 2 {
                    v = w[2]
                    a20.addProduct(v, x0); a21.addProduct(v, x1); a22.addProduct(v, x2); a23.addProduct(v, x3)
                    if positions > 4 { a24.addProduct(v, x4); a25.addProduct(v, x5) }
                }
                if blocks > 3 {
                    v = w[3]
                    a30.addProduct(v, x0); a31.addProduct(v, x1); a32.addProduct(v, x2); a33.addProduct(v, x3)
                    if positions > 4 { a34.addProduct(v, x4); a35.addProduct(v, x5) }
                }
                w += weightRow
                x += t.channelStride
            }
            inBlock += 1
        }
        storeBlock(0, (a00, a01, a02, a03, a04, a05), t)
        if blocks > 1 { storeBlock(1, (a10, a11, a12, a13, a14, a15), t) }
        if blocks > 2 { storeBlock(2, (a20, a21, a22, a23, a24, a25), t) }
        if blocks > 3 { storeBlock(3, (a30, a31, a32, a33, a34, a35), t) }
    }

    typealias Six = (Vector, Vector, Vector, Vector, Vector, Vector)

    /// Output block `b`'s valid positions, biased and clamped.
    @_transparent
    static func storeBlock(_ b: Int, _ a: Six, _ t: Tile) {
        let biases = UnsafeRawPointer(t.bias + b * lanes).loadUnaligned(as: Vector.self)
        let y = UnsafeMutableRawPointer(t.target + b * t.targetBlockStride)
        let valid = t.validPositions
        storeVector(finished(a.0, biases: biases, clamp: t.clamp), y + 0)
        if valid > 1 { storeVector(finished(a.1, biases: biases, clamp: t.clamp), y + 64) }
        if valid > 2 { storeVector(finished(a.2, biases: biases, clamp: t.clamp), y + 128) }
        if valid > 3 { storeVector(finished(a.3, biases: biases, clamp: t.clamp), y + 192) }
        if valid > 4 { storeVector(finished(a.4, biases: biases, clamp: t.clamp), y + 256) }
        if valid > 5 { storeVector(finished(a.5, biases: biases, clamp: t.clamp), y + 320) }
    }
}

/// One vector to `target`, which must be 16-byte aligned (SIMD16<Float>'s alignment; a Float
/// array's storage is): a typed store, which the optimizer keeps inline in big tiles, where it
/// may leave a generic `storeBytes` out of line.
@_transparent
func storeVector(_ v: SIMD16<Float>, _ target: UnsafeMutableRawPointer) {
    target.assumingMemoryBound(to: SIMD16<Float>.self).pointee = v
}

/// `values + biases`, clamped: `finished` with a bias per lane (kernels whose lanes are channels).
@_transparent
func finished(_ values: SIMD16<Float>, biases: SIMD16<Float>, clamp: (low: Float, high: Float)?) -> SIMD16<Float> {
    var v = values + biases
    if let clamp {
        let lower = SIMD16<Float>(repeating: clamp.low), upper = SIMD16<Float>(repeating: clamp.high)
        v = v.replacing(with: lower, where: v .<= lower)
        v = v.replacing(with: upper, where: upper .< v)
    }
    return v
}

/// `min` for Ints, always inline (the generic one was left out of line in these kernels).
@_transparent
func smaller(_ a: Int, _ b: Int) -> Int { a < b ? a : b }
