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

/// `[N, in]` → `[N, out]`: x·Wᵀ + b, then the activation.
public func dense(_ input: Tensor, _ kernel: DenseKernel, activation: Activation = .identity) -> Tensor {
    precondition(input.rank == 2 && input.shape[1] == kernel.inFeatures,
                 "dense expects [N, \(kernel.inFeatures)], got \(input.shape)")
    let batch = input.shape[0]
    var output = [Float](repeating: 0, count: batch * kernel.outFeatures)
    for n in 0..<batch {
        for o in 0..<kernel.outFeatures { output[n * kernel.outFeatures + o] = kernel.bias[o] }
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(batch), Int32(kernel.outFeatures),
                Int32(kernel.inFeatures), 1, input.storage, Int32(kernel.inFeatures),
                kernel.weight, Int32(kernel.inFeatures), 1, &output, Int32(kernel.outFeatures))
    var result = Tensor(shape: [batch, kernel.outFeatures], storage: output)
    activate(&result, activation)
    return result
}
