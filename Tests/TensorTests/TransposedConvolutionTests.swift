import XCTest
@testable import Tensor

/// Transposed convolution against the definition (every input pixel scatters its weighted
/// k×k patch), in Double, and against numbers worked out by hand.
final class TransposedConvolutionTests: XCTestCase {
    private let workspace = Workspace()

    /// `torch.nn.functional.conv_transpose2d` by its definition:
    /// out[n, o, iy·s − p + ky, ix·s − p + kx] += x[n, i, iy, ix] · w[i, o, ky, kx].
    static func naive(_ x: Tensor, _ k: ConvTranspose2DKernel) -> Tensor {
        let s = ImageShape(of: x)
        let (oh, ow) = (k.outputSize(s.height), k.outputSize(s.width))
        var sums = [Double](repeating: 0, count: s.batch * k.outChannels * oh * ow)
        for n in 0..<s.batch {
            for o in 0..<k.outChannels {
                for i in 0..<s.channels {
                    for iy in 0..<s.height {
                        for ix in 0..<s.width {
                            let value = Double(x.storage[((n * s.channels + i) * s.height + iy) * s.width + ix])
                            for ky in 0..<k.kernelSize {
                                for kx in 0..<k.kernelSize {
                                    let oy = iy * k.stride - k.padding + ky, ox = ix * k.stride - k.padding + kx
                                    guard oy >= 0, oy < oh, ox >= 0, ox < ow else { continue }
                                    let w = Double(k.weight[((i * k.outChannels + o) * k.kernelSize + ky) * k.kernelSize + kx])
                                    sums[((n * k.outChannels + o) * oh + oy) * ow + ox] += value * w
                                }
                            }
                        }
                    }
                }
                for p in 0..<(oh * ow) { sums[(n * k.outChannels + o) * oh * ow + p] += Double(k.bias[o]) }
            }
        }
        return Tensor(shape: [s.batch, k.outChannels, oh, ow], storage: sums.map(Float.init))
    }

    private func check(batch: Int = 2, inChannels: Int, outChannels: Int, size: (Int, Int), kernelSize: Int = 3,
                       stride: Int, padding: Int, outputPadding: Int = 0, seed: UInt64,
                       file: StaticString = #filePath, line: UInt = #line) {
        var random = TestRandom(seed)
        let x = random.tensor([batch, inChannels, size.0, size.1])
        let kernel = ConvTranspose2DKernel(inChannels: inChannels, outChannels: outChannels, kernelSize: kernelSize,
                                           stride: stride, padding: padding, outputPadding: outputPadding,
                                           weight: random.values(inChannels * outChannels * kernelSize * kernelSize),
                                           bias: random.values(outChannels))
        let fast = convTranspose2d(x, kernel, workspace: workspace)
        let expected = Self.naive(x, kernel)
        XCTAssertEqual(fast.shape, expected.shape, file: file, line: line)
        // Values are sums of ≤ in·k² products of numbers in [-1, 1): 1e-4 is float32 rounding
        // with room for any summation order (BLAS kernels differ between CPUs).
        XCTAssertLessThan(maxAbsDifference(fast, expected), 1e-4, file: file, line: line)
    }

    func testStrideOneMatchesTheDefinition() {
        check(inChannels: 3, outChannels: 8, size: (9, 7), stride: 1, padding: 1, seed: 1)
        check(inChannels: 16, outChannels: 5, size: (6, 6), stride: 1, padding: 0, seed: 2)
        check(inChannels: 4, outChannels: 4, size: (5, 8), kernelSize: 5, stride: 1, padding: 2, seed: 3)
    }

    func testStrideTwoWithOutputPaddingMatchesTheDefinition() {
        check(inChannels: 8, outChannels: 8, size: (7, 9), stride: 2, padding: 1, outputPadding: 1, seed: 4)
        check(inChannels: 3, outChannels: 6, size: (5, 4), stride: 2, padding: 1, outputPadding: 0, seed: 5)
        check(inChannels: 2, outChannels: 3, size: (4, 6), stride: 3, padding: 0, outputPadding: 2, seed: 6)
        check(inChannels: 2, outChannels: 2, size: (6, 5), kernelSize: 4, stride: 2, padding: 2, seed: 7)
    }

    func testStrideTwoSpanningSeveralTilesMatchesTheDefinition() {
        // 64 outputs × 9 taps × 40 columns: one tile holds 28 of the 40 input rows.
        check(batch: 1, inChannels: 16, outChannels: 64, size: (40, 40), stride: 2, padding: 1, outputPadding: 1, seed: 8)
    }

    func testClassNSegDecoderShapes() {
        // 16×16 → 32×32 (stride 2, output_padding 1) and 32×32 → 32×32 (stride 1), as the decoder chains them.
        let up = ConvTranspose2DKernel(inChannels: 4, outChannels: 2, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1,
                                       weight: [Float](repeating: 0, count: 72))
        XCTAssertEqual(up.outputSize(16), 32)
        let same = ConvTranspose2DKernel(inChannels: 4, outChannels: 2, kernelSize: 3, padding: 1,
                                         weight: [Float](repeating: 0, count: 72))
        XCTAssertEqual(same.outputSize(32), 32)
        XCTAssertEqual(convTranspose2d(Tensor(zeros: [1, 4, 16, 16]), up, workspace: workspace).shape, [1, 2, 32, 32])
    }

    func testHandComputedStrideTwo() {
        // One channel, 2×2 input [[1, 2], [3, 4]], kernel all ones but w[0,0,1,1] = 10, stride 2,
        // padding 1, output_padding 1 → 4×4. Output (oy, ox) collects input (iy, ix) at tap
        // (oy − 2·iy + 1, ox − 2·ix + 1) when that lies in 0...2.
        // Row 0: taps (1,1) of x00 → 10; (1,2) of x00 + (1,0) of x01 → 1 + 2 = 3; 20; 2 (x01 tap (1,2)).
        let kernel = ConvTranspose2DKernel(inChannels: 1, outChannels: 1, kernelSize: 3, stride: 2, padding: 1,
                                           outputPadding: 1, weight: [1, 1, 1, 1, 10, 1, 1, 1, 1], bias: [0.5])
        let y = convTranspose2d(Tensor(shape: [1, 1, 2, 2], storage: [1, 2, 3, 4]), kernel, workspace: workspace)
        let expected: [Float] = [10, 3, 20, 2,
                                 4, 10, 6, 6,
                                 30, 7, 40, 4,
                                 3, 7, 4, 4].map { $0 + 0.5 }
        XCTAssertEqual(y.shape, [1, 1, 4, 4])
        XCTAssertEqual(y.storage, expected)
    }

    func testFoldingScalesEachOutputChannel() {
        var random = TestRandom(9)
        let x = random.tensor([1, 3, 5, 5])
        for stride in [1, 2] {
            let kernel = ConvTranspose2DKernel(inChannels: 3, outChannels: 4, kernelSize: 3, stride: stride, padding: 1,
                                               outputPadding: stride - 1, weight: random.values(108), bias: random.values(4))
            let scale = random.values(4), shift = random.values(4)
            var expected = Self.naive(x, kernel)
            channelAffine(&expected, scale: scale, shift: shift)
            let folded = convTranspose2d(x, kernel.folding(scale: scale, shift: shift), workspace: workspace)
            XCTAssertLessThan(maxAbsDifference(folded, expected), 1e-5)
        }
    }

    func testEpilogueAndBatchIndependence() {
        var random = TestRandom(10)
        let x = random.tensor([3, 4, 6, 6])
        let kernel = ConvTranspose2DKernel(inChannels: 4, outChannels: 2, kernelSize: 3, stride: 2, padding: 1,
                                           outputPadding: 1, weight: random.values(72), bias: random.values(2))
        let together = convTranspose2d(x, kernel, epilogue: Epilogue(activation: .relu), workspace: workspace)
        var expected = Self.naive(x, kernel)
        activate(&expected, .relu)
        XCTAssertLessThan(maxAbsDifference(together, expected), 1e-5)
        let alone = convTranspose2d(Tensor(shape: [1, 4, 6, 6], storage: Array(x.storage[144..<288])), kernel,
                                    epilogue: Epilogue(activation: .relu), workspace: workspace)
        XCTAssertEqual(alone.storage, Array(together.storage[288..<576]))  // sample 1 of [3, 2, 12, 12]
    }

    func testTwoChannelSoftmaxAndTanh() {
        // softmax over 2 channels is the sigmoid of their difference; tanh(0.5) = 0.46211716.
        let logits = Tensor(shape: [1, 2, 1, 3], storage: [0, 1, -3, 2, 1, 4])
        let p = softmax(logits)
        for pixel in 0..<3 {
            let d = Double(logits.storage[3 + pixel] - logits.storage[pixel])
            XCTAssertEqual(Double(p.storage[3 + pixel]), 1 / (1 + exp(-d)), accuracy: 1e-6)
            XCTAssertEqual(p.storage[pixel] + p.storage[3 + pixel], 1, accuracy: 1e-6)
        }
        var t = Tensor(shape: [1, 1, 1, 3], storage: [0.5, -20, 0])
        activate(&t, .tanh)
        XCTAssertEqual(t.storage[0], 0.46211716, accuracy: 1e-6)
        XCTAssertEqual(t.storage[1], -1, accuracy: 1e-6)
        XCTAssertEqual(t.storage[2], 0)
    }
}
