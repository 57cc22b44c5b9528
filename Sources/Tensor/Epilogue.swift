import Foundation

/// An element-wise activation.
public enum Activation: Sendable, Equatable {
    case identity
    case relu
    /// min(max(x, 0), 6): MobileNet / EfficientNet-Lite.
    case relu6
    case leakyRelu(slope: Float)
    case sigmoid
    case tanh

    @inline(__always)
    func apply(_ x: Float) -> Float {
        switch self {
        case .identity: return x
        case .relu: return x > 0 ? x : 0
        case .relu6: return min(max(x, 0), 6)
        case let .leakyRelu(slope): return x > 0 ? x : x * slope
        case .sigmoid: return stableSigmoid(x)
        case .tanh: return Foundation.tanh(x)
        }
    }
}

@inline(__always)
func stableSigmoid(_ x: Float) -> Float {
    if x >= 0 {
        return 1 / (1 + exp(-x))
    }
    let e = exp(x)
    return e / (1 + e)
}

/// What a convolution does to its output while it is still in cache: add the bias, apply the
/// activation, then an optional per-channel affine. The affine is how a BatchNorm that follows
/// an activation (MesoNet: conv → ReLU → BN) is applied: it cannot be folded into the weights.
public struct Epilogue: Sendable, Equatable {
    public var activation: Activation
    public var scale: [Float]?
    public var shift: [Float]?

    public init(activation: Activation = .identity, scale: [Float]? = nil, shift: [Float]? = nil) {
        precondition((scale == nil) == (shift == nil), "an affine epilogue needs both scale and shift")
        self.activation = activation
        self.scale = scale
        self.shift = shift
    }

    public static let none = Epilogue()

    /// Applies bias, activation and affine of `channel` to `count` contiguous values.
    @inline(__always)
    func apply(to values: UnsafeMutablePointer<Float>, count: Int, channel: Int, bias: Float) {
        switch activation {
        case .identity:
            for i in 0..<count { values[i] += bias }
        case .relu:
            for i in 0..<count { values[i] = max(values[i] + bias, 0) }
        case .relu6:
            for i in 0..<count { values[i] = min(max(values[i] + bias, 0), 6) }
        default:
            for i in 0..<count { values[i] = activation.apply(values[i] + bias) }
        }
        if let scale, let shift {
            let s = scale[channel], t = shift[channel]
            for i in 0..<count { values[i] = values[i] * s + t }
        }
    }
}

extension Epilogue {
    /// The epilogue as a bias add and a clamp that a kernel can apply to vectors still in
    /// registers: `.some(nil)` adds the bias only, `.some(bounds)` clamps too (ReLU, ReLU6); nil
    /// when it does more (other activations, an affine), which then runs over the stored values.
    var registerClamp: (low: Float, high: Float)?? {
        switch (activation, scale) {
        case (.identity, nil): .some(nil)
        case (.relu, nil): (0, .infinity)
        case (.relu6, nil): (0, 6)
        default: nil
        }
    }
}

/// `values + bias`, clamped to `clamp` when given, lane by lane with the arithmetic of
/// `Epilogue.apply` (the sum, then the selects of Swift's max and min, so −0 → +0 and NaN is
/// kept): a kernel that finishes its vectors in registers stores what the scalar pass would.
@inline(__always)
func finished(_ values: SIMD8<Float>, bias: Float, clamp: (low: Float, high: Float)?) -> SIMD8<Float> {
    finished(values, biases: SIMD8(repeating: bias), clamp: clamp)
}

/// `finished` with a bias per lane (kernels that hold one channel per lane).
@inline(__always)
func finished(_ values: SIMD8<Float>, biases: SIMD8<Float>, clamp: (low: Float, high: Float)?) -> SIMD8<Float> {
    var v = values + biases
    if let clamp {
        let lower = SIMD8<Float>(repeating: clamp.low), upper = SIMD8<Float>(repeating: clamp.high)
        v = v.replacing(with: lower, where: v .<= lower)
        v = v.replacing(with: upper, where: upper .< v)
    }
    return v
}
