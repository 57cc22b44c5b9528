import XCTest
@testable import Tensor

final class LayerOpsTests: XCTestCase {
    func testMaxPoolSameAndValidMatchNaive() {
        var random = TestRandom(21)
        let x = random.tensor([2, 3, 7, 10])
        for (window, padding) in [(Window.square(2, stride: 2), Padding.same), (.square(4, stride: 4), .same),
                                  (.square(3, stride: 2), .valid), (.square(3, stride: 1), .symmetric(1))] {
            XCTAssertEqual(maxPool2d(x, window: window, padding: padding), Naive.pool(x, window, padding, max: true),
                           "\(window) \(padding)")
        }
        // Keras "same" 4×4 on 7×10 → 2×3, padding only at the bottom/right.
        XCTAssertEqual(maxPool2d(x, window: .square(4, stride: 4), padding: .same).shape, [2, 3, 2, 3])
    }

    func testAvgPoolWithAndWithoutCountingPadding() {
        var random = TestRandom(22)
        let x = random.tensor([1, 2, 5, 6])
        for countPadding in [true, false] {
            let fast = avgPool2d(x, window: .square(3, stride: 2), padding: .symmetric(1), countPadding: countPadding)
            let naive = Naive.pool(x, .square(3, stride: 2), .symmetric(1), max: false, countPadding: countPadding)
            XCTAssertLessThan(maxAbsDifference(fast, naive), 1e-6)
        }
        let corner = avgPool2d(Tensor(shape: [1, 1, 1, 1], storage: [4]), window: .square(3), padding: .symmetric(1),
                               countPadding: true)
        XCTAssertEqual(corner.storage, [4.0 / 9])
    }

    func testGlobalPooling() {
        let x = Tensor(shape: [1, 2, 2, 2], storage: [1, 2, 3, 6, -1, -2, -3, -4])
        XCTAssertEqual(globalAvgPool(x), Tensor(shape: [1, 2], storage: [3, -2.5]))
        XCTAssertEqual(globalMaxPool(x), Tensor(shape: [1, 2], storage: [6, -1]))
    }

    func testDenseMatchesNaiveProduct() {
        var random = TestRandom(23)
        let x = random.tensor([3, 7])
        let kernel = DenseKernel(inFeatures: 7, outFeatures: 4, weight: random.values(28), bias: random.values(4))
        let y = dense(x, kernel, activation: .leakyRelu(slope: 0.1))
        for n in 0..<3 {
            for o in 0..<4 {
                var sum = kernel.bias[o]
                for i in 0..<7 { sum += x.storage[n * 7 + i] * kernel.weight[o * 7 + i] }
                XCTAssertEqual(y.storage[n * 4 + o], sum > 0 ? sum : 0.1 * sum, accuracy: 1e-5)
            }
        }
    }

    func testActivations() {
        var t = Tensor(shape: [1, 4], storage: [-2, -0.5, 0, 3])
        activate(&t, .relu)
        XCTAssertEqual(t.storage, [0, 0, 0, 3])
        var leaky = Tensor(shape: [1, 2], storage: [-2, 3])
        activate(&leaky, .leakyRelu(slope: 0.1))
        XCTAssertEqual(leaky.storage, [-0.2, 3])
        var s = Tensor(shape: [1, 3], storage: [0, 100, -100])
        activate(&s, .sigmoid)
        XCTAssertEqual(s.storage[0], 0.5)
        XCTAssertEqual(s.storage[1], 1, accuracy: 1e-7)
        XCTAssertEqual(s.storage[2], 0, accuracy: 1e-7)
        XCTAssertFalse(s.storage.contains { $0.isNaN })
        var th = Tensor(shape: [1, 2], storage: [0.5, -1])
        activate(&th, .tanh)
        XCTAssertEqual(th.storage[0], Float(0.46211716), accuracy: 1e-6)
        XCTAssertEqual(th.storage[1], Float(-0.7615942), accuracy: 1e-6)
    }

    func testSoftmaxOverClassesAndChannels() {
        let p = softmax(Tensor(shape: [2, 3], storage: [1, 2, 3, 1000, 1000, 1000]))
        XCTAssertEqual(p.storage[0], 0.09003057, accuracy: 1e-6)
        XCTAssertEqual(p.storage[2], 0.66524096, accuracy: 1e-6)
        XCTAssertEqual(p.storage[3], 1.0 / 3, accuracy: 1e-6)
        // Per pixel over channels: channel-major NCHW layout.
        let map = softmax(Tensor(shape: [1, 2, 1, 2], storage: [0, 5, 0, 5]))
        XCTAssertEqual(map.storage, [0.5, 0.5, 0.5, 0.5])
    }

    func testFlattenKeepsChannelHeightWidthOrder() {
        let x = Tensor(shape: [2, 2, 1, 2], storage: [1, 2, 3, 4, 5, 6, 7, 8])
        let flat = x.flattenedPerSample()
        XCTAssertEqual(flat.shape, [2, 4])
        XCTAssertEqual(Array(flat.storage[4..<8]), [5, 6, 7, 8])
    }

    func testConcatInterleavesPerSample() {
        let a = Tensor(shape: [2, 1, 1, 1], storage: [1, 2])
        let b = Tensor(shape: [2, 2, 1, 1], storage: [10, 11, 20, 21])
        XCTAssertEqual(concatChannels([a, b]), Tensor(shape: [2, 3, 1, 1], storage: [1, 10, 11, 2, 20, 21]))
    }
}
