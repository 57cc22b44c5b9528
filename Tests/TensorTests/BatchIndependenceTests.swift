import XCTest
@testable import Tensor

/// A sample's result must not depend on the batch it is computed in, on any OpenBLAS kernels
/// (`OPENBLAS_CORETYPE`; `make test-cores` runs this suite under each one the CPU supports).
/// Accuracy against float64 loops is bounded by float32 arithmetic: a sum of K products is
/// within γ_K·Σ|wᵢxᵢ| of the exact one, γ_K = K·u / (1 − K·u), u = 2⁻²⁴ (Higham, Accuracy and
/// Stability of Numerical Algorithms, §3.1), whatever order the kernels add in.
final class BatchIndependenceTests: XCTestCase {
    /// Deterministic values in [-1, 1) from a 64-bit LCG (no platform random source).
    private func values(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: state >> 11) % 2_000_000) / 1_000_000 - 1
        }
    }

    private func gamma(_ terms: Int) -> Double {
        let u = pow(2.0, -24.0)
        return Double(terms) * u / (1 - Double(terms) * u)
    }

    func testPointwiseConvolutionOfABatchEqualsEachSampleAloneAndIsAccurate() {
        // 100-column planes: not a multiple of any kernel's tile, so edge paths run.
        let (channels, samples, height, width, out) = (96, 5, 10, 10, 40)
        let kernel = Conv2DKernel(outChannels: out, inChannels: channels, window: Window(height: 1, width: 1),
                                  padding: .symmetric(0), weight: values(out * channels, seed: 1),
                                  bias: values(out, seed: 2))
        let plane = height * width
        let batch = Tensor(shape: [channels, samples, height, width], storage: values(channels * samples * plane, seed: 3))
        let together = pointwiseConv2d(channelMajor: batch, kernel)
        for n in 0..<samples {
            var sample: [Float] = []
            for c in 0..<channels {
                let start = (c * samples + n) * plane
                sample += batch.storage[start ..< start + plane]
            }
            let alone = Tensor(shape: [channels, 1, height, width], storage: sample)
            let single = pointwiseConv2d(channelMajor: alone, kernel)
            var fromBatch: [Float] = []
            for o in 0..<out {
                let start = (o * samples + n) * plane
                fromBatch += together.storage[start ..< start + plane]
            }
            XCTAssertEqual(single.storage, fromBatch, "sample \(n) differs alone and in its batch")

            // The same sample as NCHW through the naive float64 loops.
            let reference = Naive.conv2d(Tensor(shape: [1, channels, height, width], storage: alone.storage), kernel)
            for o in 0..<out {
                for p in 0..<plane {
                    var magnitude = Double(abs(kernel.bias[o]))
                    for c in 0..<channels {
                        let product = kernel.weight[o * channels + c] * alone.storage[c * plane + p]
                        magnitude += Double(abs(product))
                    }
                    // Float32 sums, plus the rounding of the float64 reference to float32.
                    let bound: Double = (gamma(channels + 1) + Double(Float.ulpOfOne)) * magnitude
                    let got = Double(single.storage[o * plane + p]), expected = Double(reference.storage[o * plane + p])
                    XCTAssertLessThanOrEqual(abs(got - expected), bound, "output \(o), pixel \(p)")
                }
            }
        }
    }

    func testDenseRowsDoNotDependOnTheirBatch() {
        let (features, out, rows) = (1280, 3, 7)
        let kernel = DenseKernel(inFeatures: features, outFeatures: out, weight: values(out * features, seed: 4),
                                 bias: values(out, seed: 5))
        let input = Tensor(shape: [rows, features], storage: values(rows * features, seed: 6))
        let together = dense(input, kernel)
        for n in 0..<rows {
            let alone = dense(Tensor(shape: [1, features], storage: Array(input.storage[n * features ..< (n + 1) * features])), kernel)
            XCTAssertEqual(alone.storage, Array(together.storage[n * out ..< (n + 1) * out]), "row \(n)")
        }
    }
}
