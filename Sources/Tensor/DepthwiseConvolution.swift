/// Depthwise convolution (groups = channels, one k×k filter per channel: MobileNet's and
/// EfficientNet's): im2col + sgemm would run one 1×k² by k²×plane product per channel, all
/// overhead.
///
/// Each channel's padded plane is split into stride × stride phases (phase (py, px) holds the
/// padded rows ≡ py and columns ≡ px mod stride), so tap (ky, kx) of output (oy, ox) reads
/// phase (ky % s, kx % s) at row oy + ky / s, column ox + kx / s. Every tap is then one
/// constant offset from the output's index on a grid `rowLength` wide, and the whole output
/// plane is computed as one flat run of 16-value vectors — also on 5×5 and 10×10 planes, where
/// row-by-row vectors would stay mostly empty. The grid's columns past the output width are
/// computed and dropped. The planes of a channel (a channel-major batch's samples) lie one after
/// another in each phase and go through one run, so a small plane costs no call of its own.
enum DepthwiseConvolution {
    static let lanes = 8
    typealias Vector = SIMD8<Float>
    /// Floats past the last phase that a vector of a dropped column may read.
    private static let slack = 4 * lanes

    static func applies(_ kernel: Conv2DKernel) -> Bool {
        kernel.groups > 1 && kernel.groups == kernel.inChannels && kernel.outChannels == kernel.inChannels
            && kernel.window.dilationX == 1 && kernel.window.dilationY == 1
    }

    /// Sizes of the phase planes and of the flat output grid for one input size.
    struct Grid {
        let strideY: Int, strideX: Int
        let rowLength: Int, phaseRows: Int
        let outHeight: Int, outWidth: Int

        /// Planes of one channel, laid one after another in each phase.
        let planes: Int

        init(height: Int, width: Int, pad: ResolvedPadding, window: Window, planes: Int = 1) {
            self.planes = planes
            strideY = window.strideY
            strideX = window.strideX
            rowLength = (width + pad.left + pad.right + strideX - 1) / strideX
            phaseRows = (height + pad.top + pad.bottom + strideY - 1) / strideY
            (outHeight, outWidth) = pad.outputSize(height: height, width: width, window: window)
        }

        var phasePlane: Int { phaseRows * rowLength }
        /// One phase of all planes.
        var phaseStride: Int { planes * phasePlane }
        var phasesCount: Int { strideY * strideX * phaseStride }
        /// Output grid values (the last plane's rows past its output left out), rounded up to
        /// whole 16-value steps.
        var flatCount: Int {
            (((planes - 1) * phaseRows + outHeight) * rowLength + 2 * lanes - 1) / (2 * lanes) * (2 * lanes)
        }
        /// Scratch floats `run` needs: phases, slack, flat output grid.
        var scratchCount: Int { phasesCount + slack + flatCount }
    }

    /// `source` `[C, planes, height, width]` → `target` `[C, planes, outHeight, outWidth]`: the
    /// `planes` planes of a channel share its filter (one sample of NCHW: 1 plane; a channel-major
    /// batch: one per sample). `scratch` holds at least `Grid(...).scratchCount` floats.
    static func run(_ kernel: Conv2DKernel, epilogue: Epilogue, source: UnsafePointer<Float>, planes: Int = 1,
                    height: Int, width: Int, pad: ResolvedPadding, target: UnsafeMutablePointer<Float>,
                    scratch: UnsafeMutablePointer<Float>) {
        let window = kernel.window
        let grid = Grid(height: height, width: width, pad: pad, window: window, planes: planes)
        let taps = window.height * window.width
        let offsets = (0..<taps).map { tap in
            let (ky, kx) = tap.quotientAndRemainder(dividingBy: window.width)
            let phase = (ky % grid.strideY) * grid.strideX + kx % grid.strideX
            return phase * grid.phaseStride + (ky / grid.strideY) * grid.rowLength + kx / grid.strideX
        }
        (scratch + grid.phasesCount).update(repeating: 0, count: slack)  // dropped lanes read finite values
        let flat = scratch + grid.phasesCount + slack
        let outPlane = grid.outHeight * grid.outWidth
        // Bias and ReLU6 on the vectors before they are stored: no second pass over the grid.
        let clamp = epilogue.registerClamp
        kernel.weight.withUnsafeBufferPointer { weights in
            offsets.withUnsafeBufferPointer { offsets in
                for c in 0..<kernel.inChannels {
                    for p in 0..<planes {
                        fillPhases(source + (c * planes + p) * height * width, height: height, width: width, pad: pad,
                                   grid: grid, into: scratch + p * grid.phasePlane)
                    }
                    let filter = weights.baseAddress! + c * taps
                    let finish: DepthwiseFinish = clamp.map { (kernel.bias[c], $0) }
                    var q = 0
                    while q + 4 * lanes <= grid.flatCount {
                        depthwiseFourVectors(scratch + q, offsets: offsets, filter: filter, taps: taps, finish: finish,
                                             into: flat + q)
                        q += 4 * lanes
                    }
                    while q < grid.flatCount {
                        var low = Vector(), high = Vector()
                        for tap in 0..<taps {
                            let weight = Vector(repeating: filter[tap])
                            let start = UnsafeRawPointer(scratch + q + offsets[tap])
                            low.addProduct(weight, start.loadUnaligned(as: Vector.self))
                            high.addProduct(weight, start.loadUnaligned(fromByteOffset: 32, as: Vector.self))
                        }
                        if let finish {
                            low = finished(low, bias: finish.bias, clamp: finish.clamp)
                            high = finished(high, bias: finish.bias, clamp: finish.clamp)
                        }
                        UnsafeMutableRawPointer(flat + q).storeBytes(of: low, as: Vector.self)
                        UnsafeMutableRawPointer(flat + q + lanes).storeBytes(of: high, as: Vector.self)
                        q += 2 * lanes
                    }
                    // Other epilogues: one call over the whole grid (dropped columns too), since
                    // per-row calls on 5- and 10-wide rows cost more than the work.
                    if finish == nil { epilogue.apply(to: flat, count: grid.flatCount, channel: c, bias: kernel.bias[c]) }
                    for p in 0..<planes {
                        let output = target + (c * planes + p) * outPlane
                        for oy in 0..<grid.outHeight {
                            StackedDepthwise.copy(flat + (p * grid.phaseRows + oy) * grid.rowLength,
                                                  to: output + oy * grid.outWidth, count: grid.outWidth)
                        }
                    }
                }
            }
        }
    }

    /// Phase (py, px) row r, column j = padded input (r·strideY + py, j·strideX + px), zero in the padding.
    private static func fillPhases(_ plane: UnsafePointer<Float>, height: Int, width: Int, pad: ResolvedPadding,
                                   grid: Grid, into scratch: UnsafeMutablePointer<Float>) {
        let (strideY, strideX, rowLength) = (grid.strideY, grid.strideX, grid.rowLength)
        for py in 0..<strideY {
            for px in 0..<strideX {
                let phase = scratch + (py * strideX + px) * grid.phaseStride
                // Columns j whose input column j·strideX + px − pad.left lies inside the image.
                let offset = px - pad.left
                let first = min(rowLength, offset >= 0 ? 0 : (-offset + strideX - 1) / strideX)
                let last = max(first, min(rowLength, width - 1 - offset < 0 ? 0 : (width - 1 - offset) / strideX + 1))
                for r in 0..<grid.phaseRows {
                    let row = phase + r * rowLength
                    let iy = r * strideY + py - pad.top
                    guard iy >= 0 && iy < height else {
                        row.update(repeating: 0, count: rowLength)
                        continue
                    }
                    // Loops, not memset: the padding is one or two columns.
                    for j in 0..<first { row[j] = 0 }
                    let input = plane + iy * width + offset
                    if strideX == 1 {
                        (row + first).update(from: input + first, count: last - first)
                    } else if strideX == 2 {
                        // Every other value of 16 by one shuffle; the vectors stop short of the
                        // row's last value, so they never read past the plane.
                        var j = first
                        while j + lanes < last {
                            let pair = UnsafeRawPointer(input + 2 * j).loadUnaligned(as: SIMD16<Float>.self)
                            UnsafeMutableRawPointer(row + j).storeBytes(of: pair.evenHalf, as: Vector.self)
                            j += lanes
                        }
                        while j < last {
                            row[j] = input[2 * j]
                            j += 1
                        }
                    } else {
                        for j in first..<last { row[j] = input[j * strideX] }
                    }
                    for j in last..<rowLength { row[j] = 0 }
                }
            }
        }
    }
}

/// Depthwise convolution of a channel-major batch `[C, N, H, W]` (sample n of channel c at
/// plane c·N + n) → `[C, N, outH, outW]`. Late EfficientNet stages run their crops this way, so
/// their 1×1 convs become one matrix product over all N samples' columns.
public func depthwiseConv2d(channelMajor input: Tensor, _ kernel: Conv2DKernel, epilogue: Epilogue = .none,
                            workspace: Workspace) -> Tensor {
    let shape = ImageShape(of: input)  // batch = channels, channels = samples here
    precondition(DepthwiseConvolution.applies(kernel) && shape.batch == kernel.inChannels,
                 "depthwise kernel over \(kernel.inChannels) channels cannot take channel-major \(shape.dims)")
    let pad = kernel.padding.resolved(height: shape.height, width: shape.width, window: kernel.window)
    let (outHeight, outWidth) = pad.outputSize(height: shape.height, width: shape.width, window: kernel.window)
    var output = Tensor(uninitialized: [shape.batch, shape.channels, outHeight, outWidth])
    input.storage.withUnsafeBufferPointer { source in
        output.storage.withUnsafeMutableBufferPointer { target in
            depthwise(kernel, epilogue: epilogue, source: source.baseAddress!, planes: shape.channels,
                      height: shape.height, width: shape.width, pad: pad, target: target.baseAddress!, workspace: workspace)
        }
    }
    return output
}

/// Channels in multiples of 8 on small planes or strided: the interleaved kernel; else the
/// stacked one where it applies (stride 1, "same" padding), else the phase-grid one. All agree
/// bit for bit.
func depthwise(_ kernel: Conv2DKernel, epilogue: Epilogue, source: UnsafePointer<Float>, planes: Int,
               height: Int, width: Int, pad: ResolvedPadding, target: UnsafeMutablePointer<Float>,
               workspace: Workspace) {
    if InterleavedDepthwise.applies(kernel, height: height, width: width) {
        let layout = InterleavedDepthwise.Layout(planes: planes, height: height, width: width, pad: pad, window: kernel.window)
        workspace.withColumns(count: layout.scratchCount(taps: kernel.window.height * kernel.window.width)) { scratch in
            InterleavedDepthwise.run(kernel, epilogue: epilogue, source: source, planes: planes, height: height,
                                     width: width, pad: pad, target: target, scratch: scratch)
        }
    } else if StackedDepthwise.applies(kernel, pad: pad) {
        let grid = StackedDepthwise.Grid(planes: planes, height: height, width: width, padY: pad.top, padX: pad.left)
        workspace.withColumns(count: grid.scratchCount) { scratch in
            StackedDepthwise.run(kernel, epilogue: epilogue, source: source, planes: planes, height: height,
                                 width: width, pad: pad, target: target, scratch: scratch)
        }
    } else {
        let grid = DepthwiseConvolution.Grid(height: height, width: width, pad: pad, window: kernel.window, planes: planes)
        workspace.withColumns(count: grid.scratchCount) { scratch in
            DepthwiseConvolution.run(kernel, epilogue: epilogue, source: source, planes: planes, height: height,
                                     width: width, pad: pad, target: target, scratch: scratch)
        }
    }
}
