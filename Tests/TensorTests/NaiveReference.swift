@testable import Tensor

/// Straightforward loops the optimised kernels are checked against.
enum Naive {
    static func conv2d(_ x: Tensor, _ k: Conv2DKernel) -> Tensor {
        let s = ImageShape(of: x)
        let w = k.window
        let pad = k.padding.resolved(height: s.height, width: s.width, window: w)
        let (oh, ow) = pad.outputSize(height: s.height, width: s.width, window: w)
        let gIn = k.inChannels / k.groups, gOut = k.outChannels / k.groups
        var out = Tensor(zeros: [s.batch, k.outChannels, oh, ow])
        for n in 0..<s.batch {
            for o in 0..<k.outChannels {
                let g = o / gOut
                for y in 0..<oh {
                    for xo in 0..<ow {
                        var sum = Double(k.bias[o])
                        for ci in 0..<gIn {
                            for ky in 0..<w.height {
                                for kx in 0..<w.width {
                                    let iy = y * w.strideY - pad.top + ky * w.dilationY
                                    let ix = xo * w.strideX - pad.left + kx * w.dilationX
                                    guard iy >= 0, iy < s.height, ix >= 0, ix < s.width else { continue }
                                    let c = g * gIn + ci
                                    let value = x.storage[((n * s.channels + c) * s.height + iy) * s.width + ix]
                                    let weight = k.weight[((o * gIn + ci) * w.height + ky) * w.width + kx]
                                    sum += Double(value) * Double(weight)
                                }
                            }
                        }
                        out.storage[((n * k.outChannels + o) * oh + y) * ow + xo] = Float(sum)
                    }
                }
            }
        }
        return out
    }

    static func pool(_ x: Tensor, _ w: Window, _ padding: Padding, max isMax: Bool, countPadding: Bool = false) -> Tensor {
        let s = ImageShape(of: x)
        let pad = padding.resolved(height: s.height, width: s.width, window: w)
        let (oh, ow) = pad.outputSize(height: s.height, width: s.width, window: w)
        var out = Tensor(zeros: [s.batch, s.channels, oh, ow])
        for p in 0..<(s.batch * s.channels) {
            for y in 0..<oh {
                for xo in 0..<ow {
                    var values: [Float] = []
                    for ky in 0..<w.height {
                        for kx in 0..<w.width {
                            let iy = y * w.strideY - pad.top + ky * w.dilationY
                            let ix = xo * w.strideX - pad.left + kx * w.dilationX
                            if iy >= 0, iy < s.height, ix >= 0, ix < s.width {
                                values.append(x.storage[p * s.plane + iy * s.width + ix])
                            }
                        }
                    }
                    let result = isMax ? values.max()!
                        : values.reduce(0, +) / Float(countPadding ? w.height * w.width : values.count)
                    out.storage[p * oh * ow + y * ow + xo] = result
                }
            }
        }
        return out
    }
}

/// Deterministic pseudo-random values in [-1, 1) (SplitMix64), so tests need no seeds from the system.
struct TestRandom {
    private var state: UInt64
    init(_ seed: UInt64) { state = seed }

    mutating func next() -> Float {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Float(z >> 40) / Float(1 << 23) - 1
    }

    mutating func tensor(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, storage: (0..<shape.reduce(1, *)).map { _ in next() })
    }

    mutating func values(_ count: Int) -> [Float] { (0..<count).map { _ in next() } }
}

func maxAbsDifference(_ a: Tensor, _ b: Tensor) -> Float {
    precondition(a.shape == b.shape, "shapes \(a.shape) vs \(b.shape)")
    return zip(a.storage, b.storage).map { abs($0 - $1) }.max() ?? 0
}
