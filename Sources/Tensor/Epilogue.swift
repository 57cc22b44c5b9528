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
