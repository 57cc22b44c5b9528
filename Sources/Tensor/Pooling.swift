/// Max pooling over an NCHW batch. Padded positions never win (Keras/TF and PyTorch agree).
public func maxPool2d(_ input: Tensor, window: Window, padding: Padding = .valid) -> Tensor {
    if let tiled = tiledMaxPool(input, window: window, padding: padding) { return tiled }
    return pool2d(input, window: window, padding: padding, initial: -Float.infinity,
           combine: { max($0, $1) }, finish: { value, _, _ in value })
}

/// Average pooling over an NCHW batch. `countPadding` divides by the full window (PyTorch's
/// default `count_include_pad=True`); otherwise only by the inputs inside it (Keras "same").
public func avgPool2d(_ input: Tensor, window: Window, padding: Padding = .valid, countPadding: Bool) -> Tensor {
    let full = Float(window.height * window.width)
    return pool2d(input, window: window, padding: padding, initial: 0, combine: { $0 + $1 },
                  finish: { sum, inside, _ in sum / (countPadding ? full : Float(inside)) })
}

/// Mean over each channel's plane: `[N, C, H, W]` → `[N, C]`.
public func globalAvgPool(_ input: Tensor) -> Tensor {
    globalPool(input) { plane, count in
        var sum: Float = 0
        for i in 0..<count { sum += plane[i] }
        return sum / Float(count)
    }
}

/// Maximum over each channel's plane: `[N, C, H, W]` → `[N, C]`.
public func globalMaxPool(_ input: Tensor) -> Tensor {
    globalPool(input) { plane, count in
        var best = -Float.infinity
        for i in 0..<count { best = max(best, plane[i]) }
        return best
    }
}

/// The common case (MesoNet's): windows that tile the input exactly, so no padding is involved.
private func tiledMaxPool(_ input: Tensor, window: Window, padding: Padding) -> Tensor? {
    let shape = ImageShape(of: input)
    let size = window.height
    guard window.width == size, window.strideY == size, window.strideX == size, window.dilationY == 1,
          window.dilationX == 1, shape.height % size == 0, shape.width % size == 0,
          padding.resolved(height: shape.height, width: shape.width, window: window)
            == ResolvedPadding(top: 0, left: 0, bottom: 0, right: 0) else { return nil }
    let (outHeight, outWidth) = (shape.height / size, shape.width / size)
    var output = Tensor(uninitialized: [shape.batch, shape.channels, outHeight, outWidth])
    input.storage.withUnsafeBufferPointer { source in
        output.storage.withUnsafeMutableBufferPointer { target in
            var out = target.baseAddress!
            for plane in 0..<(shape.batch * shape.channels) {
                let inPlane = source.baseAddress! + plane * shape.plane
                for oy in 0..<outHeight {
                    var first = 0
                    if size == 2 {
                        // Written for LLVM's interleaved-load vectoriser: no generic window loops.
                        let top = inPlane + 2 * oy * shape.width
                        let bottom = top + shape.width
                        for ox in 0..<outWidth {
                            let left = top[2 * ox] > bottom[2 * ox] ? top[2 * ox] : bottom[2 * ox]
                            let right = top[2 * ox + 1] > bottom[2 * ox + 1] ? top[2 * ox + 1] : bottom[2 * ox + 1]
                            out[ox] = left > right ? left : right
                        }
                        out += outWidth
                        first = outWidth
                    }
                    for ox in first..<outWidth {
                        var best = -Float.infinity
                        for dy in 0..<size {
                            let row = inPlane + (oy * size + dy) * shape.width + ox * size
                            for dx in 0..<size { best = max(best, row[dx]) }
                        }
                        out.pointee = best
                        out += 1
                    }
                }
            }
        }
    }
    return output
}

private func globalPool(_ input: Tensor, _ reduce: (UnsafePointer<Float>, Int) -> Float) -> Tensor {
    let shape = ImageShape(of: input)
    var output = [Float](repeating: 0, count: shape.batch * shape.channels)
    input.storage.withUnsafeBufferPointer { source in
        for i in 0..<output.count {
            output[i] = reduce(source.baseAddress! + i * shape.plane, shape.plane)
        }
    }
    return Tensor(shape: [shape.batch, shape.channels], storage: output)
}

@inline(__always)
private func pool2d(_ input: Tensor, window: Window, padding: Padding, initial: Float,
                    combine: (Float, Float) -> Float, finish: (Float, Int, Int) -> Float) -> Tensor {
    let inShape = ImageShape(of: input)
    let pad = padding.resolved(height: inShape.height, width: inShape.width, window: window)
    let (outHeight, outWidth) = pad.outputSize(height: inShape.height, width: inShape.width, window: window)
    let outShape = ImageShape(batch: inShape.batch, channels: inShape.channels, height: outHeight, width: outWidth)
    var output = Tensor(zeros: outShape.dims)
    input.storage.withUnsafeBufferPointer { source in
        output.storage.withUnsafeMutableBufferPointer { target in
            for plane in 0..<(inShape.batch * inShape.channels) {
                let inPlane = source.baseAddress! + plane * inShape.plane
                let outPlane = target.baseAddress! + plane * outShape.plane
                for oy in 0..<outHeight {
                    let y0 = oy * window.strideY - pad.top
                    let ys = stride(from: y0, to: y0 + window.effectiveHeight, by: window.dilationY)
                    for ox in 0..<outWidth {
                        let x0 = ox * window.strideX - pad.left
                        var value = initial
                        var inside = 0
                        for y in ys where y >= 0 && y < inShape.height {
                            var x = x0
                            while x < x0 + window.effectiveWidth {
                                if x >= 0 && x < inShape.width {
                                    value = combine(value, inPlane[y * inShape.width + x])
                                    inside += 1
                                }
                                x += window.dilationX
                            }
                        }
                        outPlane[oy * outWidth + ox] = finish(value, inside, 0)
                    }
                }
            }
        }
    }
    return output
}
