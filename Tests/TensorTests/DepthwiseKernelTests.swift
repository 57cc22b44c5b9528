import XCTest
@testable import Tensor

/// Every depthwise kernel (stacked stride 1, phase grid, interleaved 8-channel) against the
/// plainest loop that sums in their order: one fused multiply-add per tap in row-major order
/// from zero (the padding's zeros included), then the scalar epilogue. The kernels apply the
/// bias and a ReLU/ReLU6 clamp to their vectors in registers, so they must agree bit for bit on
/// every path (the phase grid's 16-value tail, the interleaved kernel's last partial block);
/// other epilogues still run over the stored values.
final class DepthwiseKernelTests: XCTestCase {
    func testPlaneGridKernelsMatchTheStraightforwardSumBitForBit() {
        var random = TestRandom(53)
        // 3 channels: not the interleaved kernel. Stride 1 (stacked) and 2 (phase grid; 5×5 → a
        // 16-value tail, 8×8 none); k 3 and 5; 4×4 to 40×40, odd and non-square planes, batches.
        for (height, width, size, stride, samples) in [(4, 4, 5, 1, 3), (5, 5, 5, 1, 2), (8, 8, 3, 1, 2), (7, 11, 3, 1, 1),
                                                       (1, 1, 3, 1, 2), (20, 20, 5, 1, 1), (5, 5, 3, 2, 1), (8, 8, 5, 2, 3),
                                                       (10, 10, 3, 2, 2), (9, 7, 5, 2, 1), (40, 40, 3, 2, 1)] {
            for activation in [Activation.identity, .relu, .relu6] {
                checkDepthwise(channels: 3, samples: samples, height: height, width: width, kernel: size, stride: stride,
                               epilogue: Epilogue(activation: activation), interleaved: false, random: &random)
            }
        }
    }

    /// Channels in multiples of 8 on planes up to 20×20 or strided: the interleaved kernel, also
    /// compared with the phase-grid kernel run on the same tensor (the path these took before).
    func testInterleavedKernelMatchesTheStraightforwardSumAndThePhaseGridBitForBit() {
        var random = TestRandom(55)
        // EfficientNet's 4×4, 5×5, 8×8, 10×10, 16×16, 20×20 planes at strides 1 and 2, and its
        // larger strided ones (40×40 k3 and k5); a plane of one value; odd and non-square; output
        // counts below, at and past 8 (the last block partial or whole); one crop and a batch.
        for (height, width, size, stride, samples) in [(4, 4, 5, 1, 3), (5, 5, 5, 1, 16), (5, 5, 3, 1, 1), (8, 8, 3, 1, 2),
                                                       (10, 10, 5, 1, 2), (20, 20, 3, 1, 1), (1, 1, 3, 1, 5), (2, 3, 5, 1, 1),
                                                       (7, 9, 3, 2, 1), (10, 10, 3, 2, 3), (20, 20, 5, 2, 2), (8, 8, 5, 2, 1),
                                                       (3, 5, 5, 2, 2), (40, 40, 3, 2, 1), (41, 39, 5, 2, 1)] {
            for (channels, activation) in [(8, Activation.relu6), (16, .identity), (8, .relu)] {
                checkDepthwise(channels: channels, samples: samples, height: height, width: width, kernel: size,
                               stride: stride, epilogue: Epilogue(activation: activation), interleaved: true,
                               random: &random)
            }
        }
    }

    func testInterleavedKernelTakesSmallPlanesInGroupsOfEightChannels() {
        let k8 = Conv2DKernel(outChannels: 8, inChannels: 8, window: .square(3), padding: .symmetric(1), groups: 8,
                              weight: [Float](repeating: 1, count: 72))
        let k12 = Conv2DKernel(outChannels: 12, inChannels: 12, window: .square(3), padding: .symmetric(1), groups: 12,
                               weight: [Float](repeating: 1, count: 108))
        let strided = Conv2DKernel(outChannels: 8, inChannels: 8, window: .square(3, stride: 2), padding: .symmetric(1),
                                   groups: 8, weight: [Float](repeating: 1, count: 72))
        XCTAssertTrue(InterleavedDepthwise.applies(k8, height: 20, width: 20))
        XCTAssertFalse(InterleavedDepthwise.applies(k8, height: 21, width: 20))
        XCTAssertTrue(InterleavedDepthwise.applies(strided, height: 80, width: 80))
        XCTAssertFalse(InterleavedDepthwise.applies(k12, height: 5, width: 5))
    }

    /// Epilogues that are not a bias and a clamp run over the stored values, as before.
    func testOtherEpiloguesAfterTheSums() {
        var random = TestRandom(54)
        for stride in [1, 2] {
            for channels in [3, 8] {
                checkDepthwise(channels: channels, samples: 2, height: 6, width: 5, kernel: 3, stride: stride,
                               epilogue: Epilogue(activation: .sigmoid), interleaved: channels == 8, random: &random)
                let affine = Epilogue(activation: .relu6, scale: random.values(channels), shift: random.values(channels))
                checkDepthwise(channels: channels, samples: 1, height: 5, width: 5, kernel: 5, stride: stride,
                               epilogue: affine, interleaved: channels == 8, random: &random)
            }
        }
    }
}

/// `input` channel-major `[C, N, H, W]`; one output value the straightforward way.
private func straightforward(_ kernel: Conv2DKernel, _ input: Tensor, channel c: Int, plane n: Int,
                             row oy: Int, column ox: Int, pad: ResolvedPadding) -> Float {
    let shape = ImageShape(of: input)
    let window = kernel.window
    var sum: Float = 0
    for ky in 0..<window.height {
        for kx in 0..<window.width {
            let iy = oy * window.strideY + ky - pad.top, ix = ox * window.strideX + kx - pad.left
            let inside = iy >= 0 && iy < shape.height && ix >= 0 && ix < shape.width
            let x = inside ? input.storage[((c * shape.channels + n) * shape.height + iy) * shape.width + ix] : 0
            sum.addProduct(kernel.weight[c * window.height * window.width + ky * window.width + kx], x)
        }
    }
    return sum
}

/// The phase-grid kernel over the whole channel-major tensor (what small planes ran before the
/// interleaved kernel).
private func phaseGrid(_ kernel: Conv2DKernel, _ input: Tensor, epilogue: Epilogue, pad: ResolvedPadding) -> Tensor {
    let shape = ImageShape(of: input)
    let grid = DepthwiseConvolution.Grid(height: shape.height, width: shape.width, pad: pad, window: kernel.window,
                                         planes: shape.channels)
    var output = Tensor(zeros: [shape.batch, shape.channels, grid.outHeight, grid.outWidth])
    var scratch = [Float](repeating: 0, count: grid.scratchCount)
    input.storage.withUnsafeBufferPointer { source in
        output.storage.withUnsafeMutableBufferPointer { target in
            scratch.withUnsafeMutableBufferPointer { scratch in
                DepthwiseConvolution.run(kernel, epilogue: epilogue, source: source.baseAddress!, planes: shape.channels,
                                         height: shape.height, width: shape.width, pad: pad, target: target.baseAddress!,
                                         scratch: scratch.baseAddress!)
            }
        }
    }
    return output
}

private func checkDepthwise(channels: Int, samples: Int, height: Int, width: Int, kernel size: Int, stride: Int,
                            epilogue: Epilogue, interleaved: Bool, random: inout TestRandom,
                            file: StaticString = #filePath, line: UInt = #line) {
    let kernel = Conv2DKernel(outChannels: channels, inChannels: channels, window: .square(size, stride: stride),
                              padding: .symmetric(size / 2), groups: channels,
                              weight: random.values(channels * size * size), bias: random.values(channels).map { $0 * 4 })
    // Values in [-4, 4): ReLU6 clips sums at both ends.
    let input = Tensor(shape: [channels, samples, height, width],
                       storage: random.values(channels * samples * height * width).map { $0 * 4 })
    let what = "\(channels) ch × \(samples) of \(height)×\(width), k\(size) s\(stride), \(epilogue.activation)"
    XCTAssertEqual(InterleavedDepthwise.applies(kernel, height: height, width: width), interleaved, what, file: file, line: line)
    let fast = depthwiseConv2d(channelMajor: input, kernel, epilogue: epilogue, workspace: Workspace())
    let pad = kernel.padding.resolved(height: height, width: width, window: kernel.window)
    let (outHeight, outWidth) = pad.outputSize(height: height, width: width, window: kernel.window)
    XCTAssertEqual(fast.shape, [channels, samples, outHeight, outWidth], what, file: file, line: line)
    guard fast.shape == [channels, samples, outHeight, outWidth] else { return }
    var mismatches = 0
    for c in 0..<channels {
        for n in 0..<samples {
            var expected = (0..<(outHeight * outWidth)).map {
                straightforward(kernel, input, channel: c, plane: n, row: $0 / outWidth, column: $0 % outWidth, pad: pad)
            }
            expected.withUnsafeMutableBufferPointer {
                epilogue.apply(to: $0.baseAddress!, count: outHeight * outWidth, channel: c, bias: kernel.bias[c])
            }
            let start = (c * samples + n) * outHeight * outWidth
            for i in expected.indices where fast.storage[start + i].bitPattern != expected[i].bitPattern {
                mismatches += 1
            }
        }
    }
    XCTAssertEqual(mismatches, 0, what, file: file, line: line)
    if interleaved {
        let before = phaseGrid(kernel, input, epilogue: epilogue, pad: pad)
        let differing = zip(fast.storage, before.storage).filter { $0.bitPattern != $1.bitPattern }.count
        XCTAssertEqual(differing, 0, "against the phase grid: " + what, file: file, line: line)
    }
}
