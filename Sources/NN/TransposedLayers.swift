import Tensor

public enum ConvTranspose2d {
    /// `torch.nn.ConvTranspose2d(inChannels, outChannels, kernel, stride, padding, output_padding)`:
    /// weight `[in, out, k, k]`, bias `[out]`.
    public static func load(_ loader: WeightLoader, _ name: String, inChannels: Int, outChannels: Int, kernel: Int,
                            stride: Int = 1, padding: Int = 0, outputPadding: Int = 0) throws -> ConvTranspose2DKernel {
        ConvTranspose2DKernel(inChannels: inChannels, outChannels: outChannels, kernelSize: kernel, stride: stride,
                              padding: padding, outputPadding: outputPadding,
                              weight: try loader.take("\(name).weight", shape: [inChannels, outChannels, kernel, kernel]),
                              bias: try loader.take("\(name).bias", shape: [outChannels]))
    }
}
