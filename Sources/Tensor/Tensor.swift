/// A dense Float32 tensor in row-major order. Images are NCHW (batch, channels, height, width)
/// throughout the engine, so a batch of crops goes through every op in one call.
///
/// A value type over a copy-on-write array: Sendable, cheap to pass, and mutated in place by
/// the kernels when uniquely referenced.
public struct Tensor: Sendable, Equatable {
    public private(set) var shape: [Int]
    public var storage: [Float]

    public init(shape: [Int], storage: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        precondition(storage.count == shape.reduce(1, *),
                     "shape \(shape) needs \(shape.reduce(1, *)) values, got \(storage.count)")
        self.shape = shape
        self.storage = storage
    }

    /// A tensor of zeros.
    public init(zeros shape: [Int]) {
        self.init(shape: shape, storage: [Float](repeating: 0, count: shape.reduce(1, *)))
    }

    /// A tensor whose values the caller overwrites entirely before reading any (kernel outputs):
    /// skips zero-filling megabytes that are about to be written anyway.
    public init(uninitialized shape: [Int]) {
        let count = shape.reduce(1, *)
        self.init(shape: shape, storage: [Float](unsafeUninitializedCapacity: count) { _, initialized in
            initialized = count
        })
    }

    public var count: Int { storage.count }
    public var rank: Int { shape.count }

    /// The same values under another shape with the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, storage: storage)
    }

    /// Flattens every dimension after the first, in storage order — for NCHW that is the
    /// C,H,W order PyTorch's `flatten(1)` uses (the dense layers' weights are stored for it).
    public func flattenedPerSample() -> Tensor {
        precondition(rank >= 1, "cannot flatten a scalar")
        return reshaped([shape[0], count / max(shape[0], 1)])
    }
}

/// The four dimensions of an NCHW tensor, named.
public struct ImageShape: Sendable, Equatable {
    public let batch: Int, channels: Int, height: Int, width: Int

    public init(batch: Int, channels: Int, height: Int, width: Int) {
        self.batch = batch; self.channels = channels; self.height = height; self.width = width
    }

    public init(of tensor: Tensor) {
        precondition(tensor.rank == 4, "expected an NCHW tensor, got shape \(tensor.shape)")
        self.init(batch: tensor.shape[0], channels: tensor.shape[1],
                  height: tensor.shape[2], width: tensor.shape[3])
    }

    public var dims: [Int] { [batch, channels, height, width] }
    public var plane: Int { height * width }
    public var sample: Int { channels * height * width }
}
