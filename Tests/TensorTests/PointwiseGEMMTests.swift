import XCTest
@testable import Tensor

/// The 1×1 convolution's own matrix product against the plainest loop that sums in the same
/// order (one fused multiply-add per input channel, from zero, then the bias, then the
/// epilogue): the two must agree bit for bit, on every tile and edge path.
final class PointwiseGEMMTests: XCTestCase {
    /// One output the straightforward way.
    private func straightforward(_ kernel: Conv2DKernel, _ input: Tensor, output o: Int, column j: Int) -> Float {
        let row = input.storage.count / kernel.inChannels
        var sum: Float = 0
        for k in 0..<kernel.inChannels {
            sum.addProduct(kernel.weight[o * kernel.inChannels + k], input.storage[k * row + j])
        }
        return sum
    }

    private func check(out: Int, channels: Int, samples: Int, height: Int, width: Int, epilogue: Epilogue,
                       random: inout TestRandom, file: StaticString = #filePath, line: UInt = #line) {
        let kernel = Conv2DKernel(outChannels: out, inChannels: channels, window: .square(1), padding: .symmetric(0),
                                  weight: random.values(out * channels), bias: random.values(out).map { $0 * 4 })
        // Values in [-4, 4): ReLU6 clips some sums at both ends.
        let input = Tensor(shape: [channels, samples, height, width],
                           storage: random.values(channels * samples * height * width).map { $0 * 4 })
        let fast = pointwiseConv2d(channelMajor: input, kernel, epilogue: epilogue)
        XCTAssertEqual(fast.shape, [out, samples, height, width], file: file, line: line)
        let row = samples * height * width
        var mismatches = 0
        for o in 0..<out {
            var expected = (0..<row).map { straightforward(kernel, input, output: o, column: $0) }
            expected.withUnsafeMutableBufferPointer {
                epilogue.apply(to: $0.baseAddress!, count: row, channel: o, bias: kernel.bias[o])
            }
            for j in 0..<row where fast.storage[o * row + j].bitPattern != expected[j].bitPattern { mismatches += 1 }
        }
        XCTAssertEqual(mismatches, 0, "\(out)×\(channels) over \(samples)×\(height)×\(width), \(epilogue.activation)",
                       file: file, line: line)
    }

    func testMatchesTheStraightforwardSumBitForBit() {
        var random = TestRandom(31)
        // Outputs below, at and past a 4-row tile; columns in 24-, 16- and 8-wide tiles, full and
        // partial (the edge copied to a padded panel: 47 = 24 + 16 + 7, 40 = 24 + 16, 33 = 24 + 9),
        // one channel to EfficientNet's widest.
        for (out, channels, samples, height, width) in [(1, 1, 1, 1, 1), (5, 3, 1, 1, 7), (6, 16, 1, 4, 4),
                                                        (16, 32, 2, 4, 4), (40, 144, 3, 5, 5), (13, 17, 1, 3, 11),
                                                        (24, 96, 1, 16, 16), (80, 1152, 2, 2, 3), (4, 8, 1, 1, 47),
                                                        (12, 20, 1, 5, 8)] {
            for activation in [Activation.identity, .relu6] {
                check(out: out, channels: channels, samples: samples, height: height, width: width,
                      epilogue: Epilogue(activation: activation), random: &random)
            }
        }
    }

    /// Epilogues that are not a clamp run over the stored rows after the product.
    func testOtherEpiloguesAfterTheProduct() {
        var random = TestRandom(32)
        check(out: 7, channels: 9, samples: 2, height: 3, width: 3, epilogue: Epilogue(activation: .relu),
              random: &random)
        check(out: 7, channels: 9, samples: 2, height: 3, width: 3, epilogue: Epilogue(activation: .sigmoid),
              random: &random)
        check(out: 4, channels: 20, samples: 1, height: 5, width: 4,
              epilogue: Epilogue(activation: .relu6, scale: [1, -2, 0.5, 3], shift: [0, 1, -1, 0.25]),
              random: &random)
    }
}
