import XCTest
@testable import Tensor

/// The vectorised stride-2 gather of im2col: every row length around its 8-wide steps and both
/// edges (a padded first column, the last input column), against the naive convolution and
/// against the scalar copy it replaced.
final class StridedIm2ColTests: XCTestCase {
    private let workspace = Workspace()

    func testStrideTwoConvolutionAtEveryWidthMatchesNaiveLoops() {
        var random = TestRandom(21)
        for width in 14...37 {
            let x = random.tensor([1, 3, 9, width])
            let kernel = Conv2DKernel(outChannels: 4, inChannels: 3, window: .square(3, stride: 2), padding: .symmetric(1),
                                      weight: random.values(108), bias: random.values(4))
            XCTAssertLessThan(maxAbsDifference(conv2d(x, kernel, workspace: workspace), Naive.conv2d(x, kernel)), 1e-5,
                              "width \(width)")
        }
    }

    func testEvenCopyEqualsTheScalarCopyAndStopsAtTheLastElement() {
        let source = (0..<80).map(Float.init)
        for lower in 0..<3 {
            for upper in lower...40 {
                var target = [Float](repeating: -1, count: 41)
                // Only source[0 ... 2·(upper − 1)] may be read: give the helper exactly that much.
                let needed = Array(source.prefix(max(2 * (upper - 1) + 1, 0)))
                needed.withUnsafeBufferPointer { input in
                    target.withUnsafeMutableBufferPointer { output in
                        Im2ColGeometry.copyEvenElements(from: input.baseAddress ?? UnsafePointer(bitPattern: 8)!,
                                                        into: output.baseAddress!, range: lower..<upper)
                    }
                }
                let expected = (0..<41).map { $0 >= lower && $0 < upper ? Float(2 * $0) : -1 }
                XCTAssertEqual(target, expected, "\(lower)..<\(upper)")
            }
        }
    }
}
