import Foundation

/// Applies an activation to every value in place.
public func activate(_ tensor: inout Tensor, _ activation: Activation) {
    tensor.storage.withUnsafeMutableBufferPointer { values in
        switch activation {
        case .identity: break
        case .relu: for i in values.indices { values[i] = max(values[i], 0) }
        case .relu6: for i in values.indices { values[i] = min(max(values[i], 0), 6) }
        default: for i in values.indices { values[i] = activation.apply(values[i]) }
        }
    }
}

/// `tensor += addend`, element by element (a residual connection).
public func add(_ addend: Tensor, to tensor: inout Tensor) {
    precondition(addend.shape == tensor.shape, "cannot add \(addend.shape) to \(tensor.shape)")
    addend.storage.withUnsafeBufferPointer { source in
        tensor.storage.withUnsafeMutableBufferPointer { values in
            for i in values.indices { values[i] += source[i] }
        }
    }
}

/// `x · scale[c] + shift[c]` per channel, for `[N, C, H, W]` or `[N, C]` tensors. This is how a
/// BatchNorm is applied when something (MesoNet: a ReLU) stands between it and the conv.
public func channelAffine(_ tensor: inout Tensor, scale: [Float], shift: [Float]) {
    precondition(tensor.rank == 2 || tensor.rank == 4, "affine expects [N, C] or [N, C, H, W], got \(tensor.shape)")
    let channels = tensor.shape[1]
    precondition(scale.count == channels && shift.count == channels, "affine needs \(channels) channels")
    let plane = tensor.rank == 4 ? tensor.shape[2] * tensor.shape[3] : 1
    tensor.storage.withUnsafeMutableBufferPointer { values in
        for block in 0..<(values.count / plane) {
            let c = block % channels
            let s = scale[c], t = shift[c]
            for i in (block * plane)..<((block + 1) * plane) { values[i] = values[i] * s + t }
        }
    }
}

/// Softmax over axis 1 (classes of `[N, C]`, or channels at each pixel of `[N, C, H, W]`).
public func softmax(_ tensor: Tensor) -> Tensor {
    precondition(tensor.rank == 2 || tensor.rank == 4, "softmax expects [N, C] or [N, C, H, W], got \(tensor.shape)")
    let (batch, channels) = (tensor.shape[0], tensor.shape[1])
    let plane = tensor.rank == 4 ? tensor.shape[2] * tensor.shape[3] : 1
    var output = tensor
    output.storage.withUnsafeMutableBufferPointer { values in
        for n in 0..<batch {
            for p in 0..<plane {
                let base = n * channels * plane + p
                var largest = -Float.infinity
                for c in 0..<channels { largest = max(largest, values[base + c * plane]) }
                var sum: Float = 0
                for c in 0..<channels {
                    let e = exp(values[base + c * plane] - largest)
                    values[base + c * plane] = e
                    sum += e
                }
                for c in 0..<channels { values[base + c * plane] /= sum }
            }
        }
    }
    return output
}

/// Concatenates NCHW tensors of equal batch and plane size along the channel axis.
public func concatChannels(_ parts: [Tensor]) -> Tensor {
    let shapes = parts.map { ImageShape(of: $0) }
    let first = shapes[0]
    precondition(shapes.allSatisfy { $0.batch == first.batch && $0.height == first.height && $0.width == first.width },
                 "concat needs equal batch and plane sizes, got \(shapes.map(\.dims))")
    let channels = shapes.reduce(0) { $0 + $1.channels }
    var storage = [Float]()
    storage.reserveCapacity(first.batch * channels * first.plane)
    for n in 0..<first.batch {
        for (part, shape) in zip(parts, shapes) {
            storage.append(contentsOf: part.storage[(n * shape.sample)..<((n + 1) * shape.sample)])
        }
    }
    return Tensor(shape: [first.batch, channels, first.height, first.width], storage: storage)
}

/// Splits an NCHW tensor along channels into parts of the given widths (the inverse of concat).
public func splitChannels(_ tensor: Tensor, _ widths: [Int]) -> [Tensor] {
    let shape = ImageShape(of: tensor)
    precondition(widths.reduce(0, +) == shape.channels, "split widths \(widths) do not add up to \(shape.channels)")
    var start = 0
    return widths.map { width in
        var storage = [Float]()
        storage.reserveCapacity(shape.batch * width * shape.plane)
        for n in 0..<shape.batch {
            let from = n * shape.sample + start * shape.plane
            storage.append(contentsOf: tensor.storage[from..<(from + width * shape.plane)])
        }
        start += width
        return Tensor(shape: [shape.batch, width, shape.height, shape.width], storage: storage)
    }
}

/// Copies `count` channels starting at `sourceChannel` of `source` into `target` at `targetChannel`
/// (same batch and plane size), e.g. an inception branch that needs no further conv.
public func copyChannels(_ source: Tensor, from sourceChannel: Int, count: Int, into target: inout Tensor, at targetChannel: Int) {
    let from = ImageShape(of: source), to = ImageShape(of: target)
    precondition(from.batch == to.batch && from.plane == to.plane && sourceChannel + count <= from.channels
                 && targetChannel + count <= to.channels, "cannot copy \(count) channels from \(from.dims) into \(to.dims)")
    source.storage.withUnsafeBufferPointer { input in
        target.storage.withUnsafeMutableBufferPointer { output in
            for n in 0..<from.batch {
                (output.baseAddress! + n * to.sample + targetChannel * to.plane)
                    .update(from: input.baseAddress! + n * from.sample + sourceChannel * from.plane, count: count * from.plane)
            }
        }
    }
}

/// `[A, B, H, W]` → `[B, A, H, W]` (or `[A, B]` → `[B, A]`): NCHW ↔ channel-major batches.
public func swappingLeadingAxes(_ tensor: Tensor) -> Tensor {
    precondition(tensor.rank == 2 || tensor.rank == 4, "expects rank 2 or 4, got \(tensor.shape)")
    let (a, b) = (tensor.shape[0], tensor.shape[1])
    let plane = tensor.rank == 4 ? tensor.shape[2] * tensor.shape[3] : 1
    var output = Tensor(uninitialized: [b, a] + tensor.shape.dropFirst(2))
    tensor.storage.withUnsafeBufferPointer { source in
        output.storage.withUnsafeMutableBufferPointer { target in
            for i in 0..<a {
                for j in 0..<b {
                    (target.baseAddress! + (j * a + i) * plane).update(from: source.baseAddress! + (i * b + j) * plane, count: plane)
                }
            }
        }
    }
    return output
}
