import XCTest
@testable import Tensor

final class ConvolutionTests: XCTestCase {
    private let workspace = Workspace()

    private func check(batch: Int = 2, inChannels: Int, outChannels: Int, size: (Int, Int), window: Window,
                       padding: Padding, groups: Int = 1, seed: UInt64, file: StaticString = #filePath, line: UInt = #line) {
        var random = TestRandom(seed)
        let x = random.tensor([batch, inChannels, size.0, size.1])
        let kernel = Conv2DKernel(outChannels: outChannels, inChannels: inChannels, window: window, padding: padding,
                                  groups: groups, weight: random.values(outChannels * inChannels / groups * window.height * window.width),
                                  bias: random.values(outChannels))
        let fast = conv2d(x, kernel, workspace: workspace)
        let naive = Naive.conv2d(x, kernel)
        XCTAssertEqual(fast.shape, naive.shape, file: file, line: line)
        XCTAssertLessThan(maxAbsDifference(fast, naive), 1e-4, file: file, line: line)
    }

    func testSymmetricPaddingMatchesNaiveLoops() {
        check(inChannels: 3, outChannels: 8, size: (17, 13), window: .square(3), padding: .symmetric(1), seed: 1)
        check(inChannels: 8, outChannels: 16, size: (20, 20), window: .square(5), padding: .symmetric(2), seed: 2)
    }

    func testKerasSamePaddingIsAsymmetricForEvenKernelsAndStrides() {
        // 4×4 kernel: total padding 3 → 1 top/left, 2 bottom/right.
        let pad = Padding.same.resolved(height: 10, width: 10, window: .square(4))
        XCTAssertEqual(pad, ResolvedPadding(top: 1, left: 1, bottom: 2, right: 2))
        check(inChannels: 2, outChannels: 3, size: (10, 9), window: .square(4), padding: .same, seed: 3)
        check(inChannels: 3, outChannels: 4, size: (11, 12), window: .square(3, stride: 2), padding: .same, seed: 4)
    }

    func testStrideDilationAndValidPadding() {
        check(inChannels: 4, outChannels: 4, size: (23, 19), window: .square(3, dilation: 3), padding: .same, seed: 5)
        check(inChannels: 4, outChannels: 6, size: (15, 16), window: Window(height: 3, width: 5, strideY: 2, strideX: 3),
              padding: .valid, seed: 6)
        check(inChannels: 2, outChannels: 2, size: (9, 9), window: .square(3, stride: 2, dilation: 2),
              padding: .explicit(top: 0, left: 2, bottom: 1, right: 0), seed: 7)
    }

    func testGroupedAndDepthwise() {
        check(inChannels: 6, outChannels: 4, size: (8, 10), window: .square(3), padding: .symmetric(1), groups: 2, seed: 8)
        check(inChannels: 5, outChannels: 5, size: (12, 7), window: .square(3), padding: .symmetric(1), groups: 5, seed: 9)
    }

    func testPointwiseSkipsIm2ColAndStillMatches() {
        check(inChannels: 11, outChannels: 12, size: (16, 16), window: .square(1), padding: .valid, seed: 10)
        check(inChannels: 3, outChannels: 2, size: (9, 5), window: .square(1, stride: 2), padding: .valid, seed: 11)
    }

    func testStridedInputSpanningSeveralIm2ColTiles() {
        // Strided convs take the im2col + sgemm path; 64×64 with K = 200 needs several tiles.
        check(batch: 1, inChannels: 8, outChannels: 8, size: (64, 64), window: .square(5, stride: 2), padding: .same, seed: 12)
    }

    func testDirectKernelOnAMesoSizedLayer() {
        check(batch: 1, inChannels: 8, outChannels: 16, size: (64, 64), window: .square(5), padding: .same, seed: 16)
    }

    func testEpilogueAppliesBiasActivationThenAffine() {
        var random = TestRandom(13)
        let x = random.tensor([1, 3, 6, 6])
        let kernel = Conv2DKernel(outChannels: 2, inChannels: 3, window: .square(3), padding: .same,
                                  weight: random.values(54), bias: [0.3, -0.2])
        let scale: [Float] = [2, -0.5], shift: [Float] = [0.1, 1]
        let fused = conv2d(x, kernel, epilogue: Epilogue(activation: .relu, scale: scale, shift: shift), workspace: workspace)
        var separate = Naive.conv2d(x, kernel)
        activate(&separate, .relu)
        channelAffine(&separate, scale: scale, shift: shift)
        XCTAssertLessThan(maxAbsDifference(fused, separate), 1e-5)
    }

    func testFoldingAnAffineThatDirectlyFollowsTheConv() {
        var random = TestRandom(14)
        let x = random.tensor([2, 3, 7, 7])
        let kernel = Conv2DKernel(outChannels: 4, inChannels: 3, window: .square(3), padding: .same,
                                  weight: random.values(108), bias: random.values(4))
        let scale = random.values(4), shift = random.values(4)
        var expected = conv2d(x, kernel, workspace: workspace)
        channelAffine(&expected, scale: scale, shift: shift)
        let folded = conv2d(x, kernel.folding(scale: scale, shift: shift), workspace: workspace)
        XCTAssertLessThan(maxAbsDifference(folded, expected), 1e-5)
    }

    func testStackedConvsEqualConcatenatedOutputs() {
        var random = TestRandom(15)
        let x = random.tensor([2, 5, 6, 6])
        let parts = [2, 3].map { width in
            Conv2DKernel(outChannels: width, inChannels: 5, window: .square(1), padding: .valid,
                         weight: random.values(width * 5), bias: random.values(width))
        }
        let stacked = conv2d(x, Conv2DKernel.stacked(parts), workspace: workspace)
        let separate = concatChannels(parts.map { conv2d(x, $0, workspace: workspace) })
        XCTAssertEqual(stacked, separate)
        XCTAssertEqual(splitChannels(stacked, [2, 3]), parts.map { conv2d(x, $0, workspace: workspace) })
    }
}
