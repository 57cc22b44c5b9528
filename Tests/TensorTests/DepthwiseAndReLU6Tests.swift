import XCTest
@testable import Tensor

/// The pieces EfficientNet-Lite adds: depthwise kernel, conv → BatchNorm → ReLU6, 1×1 via
/// sgemm, residual add.
final class DepthwiseAndReLU6Tests: XCTestCase {
    private let workspace = Workspace()

    private func depthwise(channels: Int, kernel: Int, stride: Int, random: inout TestRandom) -> Conv2DKernel {
        Conv2DKernel(outChannels: channels, inChannels: channels, window: .square(kernel, stride: stride),
                     padding: .symmetric(kernel / 2), groups: channels,
                     weight: random.values(channels * kernel * kernel), bias: random.values(channels))
    }

    func testDepthwiseKernelMatchesNaiveForEfficientNetShapes() {
        var random = TestRandom(21)
        // Widths below, at and above a vector; odd, even, non-square; strides 1 and 2; k 3 and 5.
        for (size, kernel, stride) in [((80, 80), 3, 1), ((40, 40), 3, 2), ((20, 20), 5, 2), ((10, 10), 5, 1),
                                       ((5, 5), 3, 1), ((7, 7), 5, 2), ((13, 9), 3, 2), ((9, 17), 5, 1)] {
            let k = depthwise(channels: 6, kernel: kernel, stride: stride, random: &random)
            XCTAssertTrue(DepthwiseConvolution.applies(k))
            let x = random.tensor([2, 6, size.0, size.1])
            let fast = conv2d(x, k, workspace: workspace)
            let naive = Naive.conv2d(x, k)
            XCTAssertEqual(fast.shape, naive.shape, "\(size) k\(kernel) s\(stride)")
            XCTAssertLessThan(maxAbsDifference(fast, naive), 1e-5, "\(size) k\(kernel) s\(stride)")
        }
    }

    /// A channel-major batch `[C, N, H, W]` gives each sample what NCHW gives it.
    func testChannelMajorBatchMatchesPerSampleNCHW() {
        var random = TestRandom(25)
        let k = depthwise(channels: 3, kernel: 5, stride: 2, random: &random)
        let nchw = random.tensor([4, 3, 9, 11])
        let channelMajor = swappingLeadingAxes(nchw)
        XCTAssertEqual(channelMajor.shape, [3, 4, 9, 11])
        XCTAssertEqual(swappingLeadingAxes(channelMajor), nchw)
        let batched = depthwiseConv2d(channelMajor: channelMajor, k, epilogue: Epilogue(activation: .relu6), workspace: workspace)
        let expected = conv2d(nchw, k, epilogue: Epilogue(activation: .relu6), workspace: workspace)
        XCTAssertEqual(swappingLeadingAxes(batched), expected)
        XCTAssertEqual(swappingLeadingAxes(Tensor(shape: [2, 3], storage: [1, 2, 3, 4, 5, 6])).storage, [1, 4, 2, 5, 3, 6])
    }

    func testGroupedButNotDepthwiseStaysOnTheGenericPath() {
        var random = TestRandom(22)
        let k = Conv2DKernel(outChannels: 8, inChannels: 4, window: .square(3), padding: .symmetric(1), groups: 4,
                             weight: random.values(8 * 9), bias: random.values(8))
        XCTAssertFalse(DepthwiseConvolution.applies(k))
        let x = random.tensor([1, 4, 6, 6])
        XCTAssertLessThan(maxAbsDifference(conv2d(x, k, workspace: workspace), Naive.conv2d(x, k)), 1e-5)
    }

    /// conv → BatchNorm → ReLU6: the BatchNorm folded into the weights, ReLU6 in the epilogue.
    func testFoldedBatchNormThenReLU6MatchesSeparateSteps() {
        var random = TestRandom(23)
        let k = depthwise(channels: 5, kernel: 5, stride: 2, random: &random)
        let x = random.tensor([1, 5, 11, 11]).storage.map { $0 * 8 }
        let input = Tensor(shape: [1, 5, 11, 11], storage: x)
        let scale = random.values(5).map { $0 * 3 }, shift = random.values(5)
        var expected = Naive.conv2d(input, k)
        channelAffine(&expected, scale: scale, shift: shift)
        activate(&expected, .relu6)
        let fused = conv2d(input, k.folding(scale: scale, shift: shift), epilogue: Epilogue(activation: .relu6),
                           workspace: workspace)
        XCTAssertLessThan(maxAbsDifference(fused, expected), 1e-4)
        XCTAssertTrue(fused.storage.contains(6) && fused.storage.contains(0), "ReLU6 should clip both ends here")
    }

    func testWidePointwiseConvIsAPlainMatrixProduct() {
        var random = TestRandom(24)
        let k = Conv2DKernel(outChannels: 24, inChannels: 96, window: .square(1), padding: .symmetric(0),
                             weight: random.values(24 * 96), bias: random.values(24))
        XCTAssertTrue(k.directFilters.isEmpty, "1×1 over 96 channels should go to sgemm, not the direct kernel")
        let x = random.tensor([2, 96, 5, 5])
        let fast = conv2d(x, k, epilogue: Epilogue(activation: .relu6), workspace: workspace)
        var naive = Naive.conv2d(x, k)
        activate(&naive, .relu6)
        XCTAssertLessThan(maxAbsDifference(fast, naive), 1e-4)
    }

    func testReLU6AndResidualAdd() {
        var t = Tensor(shape: [1, 5], storage: [-1, 0, 2.5, 6, 7])
        activate(&t, .relu6)
        XCTAssertEqual(t.storage, [0, 0, 2.5, 6, 6])
        var y = Tensor(shape: [1, 1, 1, 3], storage: [1, 2, 3])
        add(Tensor(shape: [1, 1, 1, 3], storage: [0.5, -2, 10]), to: &y)
        XCTAssertEqual(y.storage, [1.5, 0, 13])
    }
}
