import CBLAS

/// A fully connected layer: weight `[outFeatures, inFeatures]` (PyTorch's Linear layout), bias.
public struct DenseKernel: Sendable, Equatable {
    public let inFeatures: Int
    public let outFeatures: Int
    public let weight: [Float]
    public let bias: [Float]

    public init(inFeatures: Int, outFeatures: Int, weight: [Float], bias: [Float]? = nil) {
        precondition(weight.count == inFeatures * outFeatures,
                     "dense weight has \(weight.count) values, expected \(outFeatures)×\(inFeatures)")
        precondition(bias == nil || bias!.count == outFeatures, "dense bias needs \(outFeatures) values")
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        self.weight = weight
        self.bias = bias ?? [Float](repeating: 0, count: outFeatures)
    }
}

/// `[N, in]` → `[N, out]`: x·Wᵀ + b, then the activation. One product per row: sgemm's
/// summation order depends on the product's shape, and a sample's output must not depend on
/// the batch it came in (see `pointwiseConv2d`).
public func dense(_ input: Tensor, _ kernel: DenseKernel, activation: Activation = .identity) -> Tensor {
    precondition(input.rank == 2 && input.shape[1] == kernel.inFeatures,
                 "dense expects [N, \(kernel.inFeatures)], got \(input.shape)")
    let batch = input.shape[0]
    var output = [Float](repeating: 0, count: batch * kernel.outFeatures)
    for n in 0..<batch {
        for o in 0..<kernel.outFeatures { output[n * kernel.outFeatures + o] = kernel.bias[o] }
    }
    input.storage.withUnsafeBufferPointer { rows in
        output.withUnsafeMutableBufferPointer { target in
            for n in 0..<batch {
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, 1, Int32(kernel.outFeatures),
                            Int32(kernel.inFeatures), 1, rows.baseAddress! + n * kernel.inFeatures,
                            Int32(kernel.inFeatures), kernel.weight, Int32(kernel.inFeatures), 1,
                            target.baseAddress! + n * kernel.outFeatures, Int32(kernel.outFeatures))
            }
        }
    }
    var result = Tensor(shape: [batch, kernel.outFeatures], storage: output)
    activate(&result, activation)
    return result
}
