import XCTest
@testable import Tensor

/// The depthwise kernels that run all planes of a channel at once (stride 1: `StackedDepthwise`;
/// stride 2: the phase grid with the planes one after another) against one plane at a time
/// through the phase grid, and against the float64 loops.
final class StackedDepthwiseTests: XCTestCase {
    private func depthwise(channels: Int, kernel: Int, stride: Int, random: inout TestRandom) -> Conv2DKernel {
        Conv2DKernel(outChannels: channels, inChannels: channels, window: .square(kernel, stride: stride),
                     padding: .symmetric(kernel / 2), groups: channels,
                     weight: random.values(channels * kernel * kernel), bias: random.values(channels))
    }

    /// Each plane alone through the phase grid (`planes: 1`, a one-channel filter), the path
    /// before the planes were stacked.
    private func planeByPlane(_ kernel: Conv2DKernel, _ input: Tensor, epilogue: Epilogue) -> Tensor {
        let shape = ImageShape(of: input)  // [C, N, H, W]
        let pad = kernel.padding.resolved(height: shape.height, width: shape.width, window: kernel.window)
        let grid = DepthwiseConvolution.Grid(height: shape.height, width: shape.width, pad: pad, window: kernel.window)
        let plane = shape.height * shape.width, outPlane = grid.outHeight * grid.outWidth
        var output = Tensor(zeros: [shape.batch, shape.channels, grid.outHeight, grid.outWidth])
        var scratch = [Float](repeating: 0, count: grid.scratchCount)
        for c in 0..<shape.batch {
            let filter = Conv2DKernel(outChannels: 1, inChannels: 1, window: kernel.window, padding: kernel.padding,
                                      weight: Array(kernel.weight[c * kernel.filterLength ..< (c + 1) * kernel.filterLength]),
                                      bias: [kernel.bias[c]])
            for n in 0..<shape.channels {
                let index = c * shape.channels + n
                input.storage.withUnsafeBufferPointer { source in
                    output.storage.withUnsafeMutableBufferPointer { target in
                        scratch.withUnsafeMutableBufferPointer { scratch in
                            DepthwiseConvolution.run(filter, epilogue: epilogue, source: source.baseAddress! + index * plane,
                                                     planes: 1, height: shape.height, width: shape.width, pad: pad,
                                                     target: target.baseAddress! + index * outPlane,
                                                     scratch: scratch.baseAddress!)
                        }
                    }
                }
            }
        }
        return output
    }

    func testAllPlanesAtOnceEqualOnePlaneAtATimeBitForBit() {
        var random = TestRandom(41)
        let workspace = Workspace()
        // Planes below, at and above a vector; odd and non-square; k 3 and 5; strides 1 and 2;
        // one sample and a batch.
        for (size, kernel, stride, samples) in [((4, 4), 5, 1, 8), ((8, 8), 3, 1, 3), ((5, 5), 5, 1, 1),
                                                ((7, 11), 3, 1, 2), ((1, 1), 3, 1, 4), ((16, 16), 5, 1, 1),
                                                ((8, 8), 5, 2, 8), ((16, 16), 3, 2, 2), ((9, 7), 5, 2, 3),
                                                ((5, 5), 3, 2, 1)] {
            let k = depthwise(channels: 3, kernel: kernel, stride: stride, random: &random)
            let x = Tensor(shape: [3, samples, size.0, size.1],
                           storage: random.values(3 * samples * size.0 * size.1).map { $0 * 4 })
            let epilogue = Epilogue(activation: .relu6)
            let pad = k.padding.resolved(height: size.0, width: size.1, window: k.window)
            XCTAssertEqual(StackedDepthwise.applies(k, pad: pad), stride == 1)
            let fast = depthwiseConv2d(channelMajor: x, k, epilogue: epilogue, workspace: workspace)
            let reference = planeByPlane(k, x, epilogue: epilogue)
            XCTAssertEqual(fast.shape, reference.shape, "\(size) k\(kernel) s\(stride) ×\(samples)")
            XCTAssertEqual(fast.storage.map(\.bitPattern), reference.storage.map(\.bitPattern),
                           "\(size) k\(kernel) s\(stride) ×\(samples)")
            // And the values themselves, against float64 loops over NCHW.
            var naive = Naive.conv2d(swappingLeadingAxes(x), k)
            activate(&naive, .relu6)
            XCTAssertLessThan(maxAbsDifference(swappingLeadingAxes(fast), naive), 1e-4, "\(size) k\(kernel) s\(stride)")
        }
    }
}
