import XCTest
@testable import Tensor

/// The 16-float product (AVX-512) against the 8-float one on the same inputs: every output must
/// be the same bits, on every tile width (48, 32, 16 columns, full and partial), on row tiles
/// past the last output channel, with and without the clamp, and on strided rows.
final class WidePointwiseGEMMTests: XCTestCase {
    private func products(out: Int, channels: Int, columns: Int, sourceStride: Int, targetStride: Int,
                          clamp: (low: Float, high: Float)?, random: inout TestRandom) -> (narrow: [Float], wide: [Float]) {
        let weights = random.values(out * channels)
        let bias = random.values(out).map { $0 * 4 }
        // Values in [-4, 4): ReLU6 clips some sums at both ends; a NaN and an infinity in the
        // first columns check that both clamps treat them alike.
        var source = random.values(channels * sourceStride).map { $0 * 4 }
        if columns > 2 && channels > 1 {
            source[1] = .nan
            source[sourceStride + 2] = .infinity
        }
        var narrow = [Float](repeating: -1, count: out * targetStride), wide = narrow
        let scratchCount = PointwiseGEMM.scratchCount(inChannels: channels)
        for (useWide, target) in [(false, 0), (true, 1)] {
            weights.withUnsafeBufferPointer { w in
                bias.withUnsafeBufferPointer { b in
                    source.withUnsafeBufferPointer { s in
                        withUnsafeTemporaryAllocation(of: Float.self, capacity: scratchCount) { scratch in
                            let run = { (y: UnsafeMutablePointer<Float>) in
                                PointwiseGEMM.run(weights: w.baseAddress!, outChannels: out, inChannels: channels,
                                                  finish: .init(bias: b.baseAddress!, clamp: clamp), source: s.baseAddress!,
                                                  sourceStride: sourceStride, columns: columns, target: y,
                                                  targetStride: targetStride, scratch: scratch.baseAddress!, wide: useWide)
                            }
                            if target == 0 {
                                narrow.withUnsafeMutableBufferPointer { run($0.baseAddress!) }
                            } else {
                                wide.withUnsafeMutableBufferPointer { run($0.baseAddress!) }
                            }
                        }
                    }
                }
            }
        }
        return (narrow, wide)
    }

    func testSameBitsAsTheEightFloatProduct() throws {
        try XCTSkipUnless(WideKernels.available, "no AVX-512 on this CPU (or a portable build): nothing to compare")
        var random = TestRandom(47)
        // Columns: below, at and past each tile width (16, 32, 48) and several tiles with a
        // partial last one; outputs below, at and past a 4-row tile; EfficientNet's widest input.
        for (out, channels) in [(1, 1), (3, 5), (4, 16), (13, 17), (40, 144), (24, 1152)] {
            for columns in [1, 7, 15, 16, 17, 25, 31, 32, 33, 47, 48, 49, 64, 80, 100, 128, 200] {
                for clamp in [nil, (low: Float(0), high: Float(6))] as [(low: Float, high: Float)?] {
                    let (narrow, wide) = products(out: out, channels: channels, columns: columns,
                                                  sourceStride: columns + 3, targetStride: columns + 5, clamp: clamp,
                                                  random: &random)
                    let mismatches = zip(narrow, wide).filter { $0.bitPattern != $1.bitPattern }.count
                    XCTAssertEqual(mismatches, 0,
                                   "\(out)×\(channels) over \(columns) columns, clamp \(String(describing: clamp))")
                }
            }
        }
    }
}
