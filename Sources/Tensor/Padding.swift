/// How a convolution or pooling window is padded.
public enum Padding: Sendable, Equatable {
    /// No padding.
    case valid
    /// Keras/TensorFlow "same": output = ceil(input / stride); the total padding is split with
    /// the extra row/column at the bottom/right (asymmetric when the total is odd).
    case same
    /// Explicit amounts, PyTorch style (`padding=p` is `.explicit(top: p, left: p, bottom: p, right: p)`).
    case explicit(top: Int, left: Int, bottom: Int, right: Int)

    public static func symmetric(_ amount: Int) -> Padding {
        .explicit(top: amount, left: amount, bottom: amount, right: amount)
    }

    /// Resolves to concrete amounts for one input size.
    public func resolved(height: Int, width: Int, window: Window) -> ResolvedPadding {
        switch self {
        case .valid:
            return ResolvedPadding(top: 0, left: 0, bottom: 0, right: 0)
        case let .explicit(top, left, bottom, right):
            return ResolvedPadding(top: top, left: left, bottom: bottom, right: right)
        case .same:
            let (top, bottom) = Self.sameSplit(input: height, kernel: window.effectiveHeight, stride: window.strideY)
            let (left, right) = Self.sameSplit(input: width, kernel: window.effectiveWidth, stride: window.strideX)
            return ResolvedPadding(top: top, left: left, bottom: bottom, right: right)
        }
    }

    private static func sameSplit(input: Int, kernel: Int, stride: Int) -> (Int, Int) {
        let output = (input + stride - 1) / stride
        let total = max((output - 1) * stride + kernel - input, 0)
        return (total / 2, total - total / 2)
    }
}

/// A sliding window: kernel size, stride and dilation along each axis.
public struct Window: Sendable, Equatable {
    public let height: Int, width: Int
    public let strideY: Int, strideX: Int
    public let dilationY: Int, dilationX: Int

    public init(height: Int, width: Int, strideY: Int = 1, strideX: Int = 1, dilationY: Int = 1, dilationX: Int = 1) {
        precondition(height > 0 && width > 0 && strideY > 0 && strideX > 0 && dilationY > 0 && dilationX > 0,
                     "window sizes, strides and dilations must be positive")
        self.height = height; self.width = width
        self.strideY = strideY; self.strideX = strideX
        self.dilationY = dilationY; self.dilationX = dilationX
    }

    /// A square window with equal stride and dilation on both axes.
    public static func square(_ size: Int, stride: Int = 1, dilation: Int = 1) -> Window {
        Window(height: size, width: size, strideY: stride, strideX: stride, dilationY: dilation, dilationX: dilation)
    }

    /// The extent a dilated kernel covers.
    public var effectiveHeight: Int { (height - 1) * dilationY + 1 }
    public var effectiveWidth: Int { (width - 1) * dilationX + 1 }
}

/// Padding amounts for one concrete input size.
public struct ResolvedPadding: Sendable, Equatable {
    public let top: Int, left: Int, bottom: Int, right: Int

    /// The output size of `window` sliding over `height × width` with this padding.
    public func outputSize(height: Int, width: Int, window: Window) -> (height: Int, width: Int) {
        let outHeight = (height + top + bottom - window.effectiveHeight) / window.strideY + 1
        let outWidth = (width + left + right - window.effectiveWidth) / window.strideX + 1
        precondition(outHeight > 0 && outWidth > 0,
                     "window \(window) does not fit a \(height)×\(width) input padded by \(self)")
        return (outHeight, outWidth)
    }
}
