/// Stride-1 "same" depthwise convolution of all planes of a channel at once (a channel-major
/// batch's N samples, or one NCHW sample's one plane), for the small late planes where the
/// per-plane work of `DepthwiseConvolution.run` (filling a padded copy, the epilogue call, the
/// tail of the vector loop) cost more than the arithmetic.
///
/// The planes are laid one under the other in a scratch grid `rowLength = width + padX` wide,
/// each row followed by `padX` zeros and each plane by `padY` zero rows (plus `padY` rows and
/// `padX` zeros before the first): the zeros after one row or plane are the padding of the
/// next as well. Tap (ky, kx) of the output at grid index q then reads grid index
/// q + ky·rowLength + kx, so one flat run of vectors computes every plane; the grid's padding
/// rows and columns are computed and dropped. Each output is the same chain of fused
/// multiply-adds over the taps in row-major order as in `DepthwiseConvolution.run`, so the two
/// paths agree bit for bit.
enum StackedDepthwise {
    typealias Vector = SIMD8<Float>
    static let lanes = 8

    /// Stride 1, no dilation, and the padding of a k×k "same" window on each side (k odd).
    static func applies(_ kernel: Conv2DKernel, pad: ResolvedPadding) -> Bool {
        let window = kernel.window
        return DepthwiseConvolution.applies(kernel) && window.strideX == 1 && window.strideY == 1
            && window.height == 2 * pad.top + 1 && pad.top == pad.bottom
            && window.width == 2 * pad.left + 1 && pad.left == pad.right
    }

    struct Grid {
        let planes: Int, height: Int, width: Int, padY: Int, padX: Int

        var rowLength: Int { width + padX }
        var planeRows: Int { height + padY }
        /// Grid values before the first plane's first value.
        var lead: Int { padY * rowLength + padX }
        /// Output grid values (the last plane's padding rows left out), whole 32-value steps.
        var flatCount: Int { ((planes - 1) * planeRows + height) * rowLength / (4 * lanes) * (4 * lanes) + 4 * lanes }
        /// Input grid values: the lead, the planes, and room for the last step's farthest tap.
        var inputCount: Int { flatCount + 2 * padY * rowLength + 2 * padX + 4 * lanes }
        var scratchCount: Int { inputCount + flatCount }
    }

    /// `source` `[C, planes, height, width]` → `target` of the same shape.
    static func run(_ kernel: Conv2DKernel, epilogue: Epilogue, source: UnsafePointer<Float>, planes: Int,
                    height: Int, width: Int, pad: ResolvedPadding, target: UnsafeMutablePointer<Float>,
                    scratch: UnsafeMutablePointer<Float>) {
        let grid = Grid(planes: planes, height: height, width: width, padY: pad.top, padX: pad.left)
        let (rowLength, planeRows) = (grid.rowLength, grid.planeRows)
        let taps = kernel.window.height * kernel.window.width
        let offsets = (0..<taps).map { ($0 / kernel.window.width) * rowLength + $0 % kernel.window.width }
        let input = scratch, flat = scratch + grid.inputCount
        // Zero once; the planes' values overwrite their places for each channel.
        input.update(repeating: 0, count: grid.inputCount)
        let plane = height * width
        // Bias and ReLU6 on the vectors before they are stored: no second pass over the grid.
        let clamp = epilogue.registerClamp
        kernel.weight.withUnsafeBufferPointer { weights in
            offsets.withUnsafeBufferPointer { offsets in
                for c in 0..<kernel.inChannels {
                    let channel = source + c * planes * plane
                    for p in 0..<planes {
                        for y in 0..<height {
                            copy(channel + (p * height + y) * width,
                                 to: input + grid.lead + (p * planeRows + y) * rowLength, count: width)
                        }
                    }
                    let filter = weights.baseAddress! + c * taps
                    let finish: DepthwiseFinish = clamp.map { (kernel.bias[c], $0) }
                    var q = 0
                    while q < grid.flatCount {
                        depthwiseFourVectors(input + q, offsets: offsets, filter: filter, taps: taps, finish: finish,
                                             into: flat + q)
                        q += 4 * lanes
                    }
                    if finish == nil { epilogue.apply(to: flat, count: grid.flatCount, channel: c, bias: kernel.bias[c]) }
                    let output = target + c * planes * plane
                    for p in 0..<planes {
                        for y in 0..<height {
                            copy(flat + (p * planeRows + y) * rowLength, to: output + (p * height + y) * width,
                                 count: width)
                        }
                    }
                }
            }
        }
    }

    /// Short rows by vector moves rather than a memmove call each.
    @inline(__always)
    static func copy(_ from: UnsafePointer<Float>, to: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + lanes <= count {
            UnsafeMutableRawPointer(to + i).storeBytes(of: UnsafeRawPointer(from + i).loadUnaligned(as: Vector.self),
                                                       as: Vector.self)
            i += lanes
        }
        if i + 4 <= count {
            UnsafeMutableRawPointer(to + i).storeBytes(of: UnsafeRawPointer(from + i).loadUnaligned(as: SIMD4<Float>.self),
                                                       as: SIMD4<Float>.self)
            i += 4
        }
        while i < count {
            to[i] = from[i]
            i += 1
        }
    }
}

/// What a depthwise kernel does to a channel's sums in registers before storing them: the
/// channel's bias and the epilogue's clamp (`Epilogue.registerClamp`). nil: store the sums and
/// run the epilogue over them afterwards.
typealias DepthwiseFinish = (bias: Float, clamp: (low: Float, high: Float)?)?

/// 32 outputs of a depthwise grid from `input` on: output i sums `filter[tap] * input[i + offsets[tap]]`
/// over the taps in tap order, one FMA chain per 8-wide vector, then `finish`. Four independent
/// chains, since each is k² dependent FMAs and two left the FMA units waiting on latency. Shared
/// by the stacked and the phase-grid kernels, so both sum in the same order.
@inline(__always)
func depthwiseFourVectors(_ input: UnsafePointer<Float>, offsets: UnsafeBufferPointer<Int>, filter: UnsafePointer<Float>, taps: Int,
                          finish: DepthwiseFinish, into output: UnsafeMutablePointer<Float>) {
    typealias Vector = SIMD8<Float>
    var a0 = Vector(), a1 = Vector(), a2 = Vector(), a3 = Vector()
    for tap in 0..<taps {
        let weight = Vector(repeating: filter[tap])
        let start = UnsafeRawPointer(input + offsets[tap])
        a0.addProduct(weight, start.loadUnaligned(as: Vector.self))
        a1.addProduct(weight, start.loadUnaligned(fromByteOffset: 32, as: Vector.self))
        a2.addProduct(weight, start.loadUnaligned(fromByteOffset: 64, as: Vector.self))
        a3.addProduct(weight, start.loadUnaligned(fromByteOffset: 96, as: Vector.self))
    }
    if let finish {
        a0 = finished(a0, bias: finish.bias, clamp: finish.clamp)
        a1 = finished(a1, bias: finish.bias, clamp: finish.clamp)
        a2 = finished(a2, bias: finish.bias, clamp: finish.clamp)
        a3 = finished(a3, bias: finish.bias, clamp: finish.clamp)
    }
    let out = UnsafeMutableRawPointer(output)
    out.storeBytes(of: a0, as: Vector.self)
    out.storeBytes(of: a1, toByteOffset: 32, as: Vector.self)
    out.storeBytes(of: a2, toByteOffset: 64, as: Vector.self)
    out.storeBytes(of: a3, toByteOffset: 96, as: Vector.self)
}
