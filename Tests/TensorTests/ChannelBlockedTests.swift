import XCTest
@testable import Tensor

/// The channel-blocked kernels (AVX-512) against the channel-major ones on the same inputs:
/// every output must be the same bits, whatever the tile's partial positions, the number of
/// output blocks in the last group, the input layout, the stride, the kernel size or the padding.
final class ChannelBlockedTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(ChannelBlocked.available, "no AVX-512 on this CPU (or a portable build): nothing to compare")
    }

    /// Channel-major `[C, N, H, W]` → blocked `[C/16, N, H, W, 16]`, written plainly.
    private func blocked(_ x: Tensor) -> Tensor {
        let (channels, positions) = (x.shape[0], x.count / max(x.shape[0], 1))
        var values = [Float](repeating: .nan, count: x.count)
        for c in 0..<channels {
            for p in 0..<positions { values[((c / 16) * positions + p) * 16 + c % 16] = x.storage[c * positions + p] }
        }
        return Tensor(shape: [channels / 16] + x.shape[1...3] + [16], storage: values)
    }

    private func sameBits(_ a: Tensor, _ b: Tensor, _ message: String, line: UInt = #line) {
        XCTAssertEqual(a.shape, b.shape, message, line: line)
        let mismatches = zip(a.storage, b.storage).filter { $0.bitPattern != $1.bitPattern }.count
        XCTAssertEqual(mismatches, 0, message, line: line)
    }

    private func input(_ shape: [Int], _ random: inout TestRandom) -> Tensor {
        var x = Tensor(shape: shape, storage: random.values(shape.reduce(1, *)).map { $0 * 4 })
        if x.count > 20 { x.storage[3] = .nan; x.storage[17] = .infinity }  // both clamps treat them alike
        return x
    }

    func testPointwiseGivesTheChannelMajorBits() {
        var random = TestRandom(61)
        // Outputs: 1 to 7 blocks (4 to a group, so partial last groups too), and counts that fill
        // no block (24, 40, 13: only leaving the layout); inputs: channel-major with any count (how
        // the layout is entered) and blocked; positions around the 4- and 6-wide tiles, the
        // 16- and 32-column panels and the 48-position pass.
        for (out, channels) in [(16, 16), (32, 40), (48, 48), (80, 240), (64, 24), (112, 672), (24, 96), (40, 144), (13, 32)] {
            for positions in [1, 2, 3, 5, 6, 7, 16, 20, 32, 47, 48, 49, 80, 100] {
                let weight = random.values(out * channels), bias = random.values(out).map { $0 * 4 }
                let kernel = Conv2DKernel(outChannels: out, inChannels: channels, window: Window(height: 1, width: 1),
                                          padding: .valid, weight: weight, bias: bias)
                let blockedKernel = out % 16 == 0 ? BlockedPointwiseKernel(kernel) : nil
                let x = input([channels, 1, 1, positions], &random)
                for epilogue in [Epilogue.none, .init(activation: .relu6)] {
                    let expected = pointwiseConv2d(channelMajor: x, kernel, epilogue: epilogue)
                    let message = "\(out)×\(channels) over \(positions) positions, \(epilogue.activation)"
                    if let blockedKernel {
                        sameBits(channelMajorLayout(pointwiseConv2d(blocked: x, blockedKernel, epilogue: epilogue)), expected,
                                 "channel-major input, " + message)
                        if channels % 16 == 0 {
                            sameBits(channelMajorLayout(pointwiseConv2d(blocked: blocked(x), blockedKernel, epilogue: epilogue)),
                                     expected, "blocked input, " + message)
                        }
                    }
                    if channels % 16 == 0 {  // leaving the layout: blocked input, channel-major output
                        sameBits(pointwiseConv2d(fromBlocked: blocked(x), kernel, epilogue: epilogue), expected,
                                 "blocked input, channel-major output, " + message)
                    }
                }
            }
        }
    }

    func testDepthwiseGivesTheChannelMajorBits() {
        var random = TestRandom(62)
        let workspace = Workspace()
        for (kernelSize, stride) in [(3, 1), (5, 1), (3, 2), (5, 2)] {
            for (height, width) in [(4, 4), (8, 8), (7, 5), (10, 10), (16, 16)] {
                for (channels, planes) in [(16, 1), (48, 3)] {
                    let kernel = Conv2DKernel(outChannels: channels, inChannels: channels,
                                              window: Window(height: kernelSize, width: kernelSize, strideY: stride, strideX: stride),
                                              padding: .explicit(top: kernelSize / 2, left: kernelSize / 2,
                                                                 bottom: kernelSize / 2, right: kernelSize / 2),
                                              groups: channels, weight: random.values(channels * kernelSize * kernelSize),
                                              bias: random.values(channels))
                    let x = input([channels, planes, height, width], &random)
                    for epilogue in [Epilogue.none, .init(activation: .relu6)] {
                        let expected = depthwiseConv2d(channelMajor: x, kernel, epilogue: epilogue, workspace: workspace)
                        sameBits(channelMajorLayout(depthwiseConv2d(blocked: blocked(x), BlockedDepthwiseKernel(kernel), epilogue: epilogue, workspace: workspace)),
                                 expected, "\(kernelSize)×\(kernelSize)/\(stride) on \(planes)×\(height)×\(width), \(channels) channels")
                    }
                }
            }
        }
    }

    func testMeansAndUnblockingKeepTheValues() {
        var random = TestRandom(63)
        let x = input([32, 3, 5, 4], &random)
        sameBits(blockedLayout(x), blocked(x), "into blocks")
        sameBits(channelMajorLayout(blocked(x)), x, "out of blocks")
        // Each is a no-op on a tensor already in its layout (the residual adds rely on it).
        sameBits(blockedLayout(blocked(x)), blocked(x), "blocked stays")
        sameBits(channelMajorLayout(x), x, "channel-major stays")
        sameBits(channelMeans(blocked(x)), swappingLeadingAxes(globalAvgPool(x)), "means, blocked")
    }
}
