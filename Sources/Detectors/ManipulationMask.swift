import Imaging

/// Per-pixel probability that a face crop was manipulated, over the crop the detector saw
/// (row-major, `width × height`, values in [0, 1]).
public struct ManipulationMask: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let probabilities: [Float]

    /// A pixel counts as manipulated from this probability on (the authors' rule for ClassNSeg).
    public static let flagThreshold: Float = 0.5

    public init(width: Int, height: Int, probabilities: [Float]) {
        precondition(probabilities.count == width * height, "mask \(width)×\(height) needs \(width * height) values")
        self.width = width
        self.height = height
        self.probabilities = probabilities
    }

    /// Fraction of pixels at or above `flagThreshold`.
    public var flaggedFraction: Double {
        guard !probabilities.isEmpty else { return 0 }
        return Double(probabilities.reduce(0) { $0 + ($1 >= Self.flagThreshold ? 1 : 0) }) / Double(probabilities.count)
    }

    /// Mean probability over the crop.
    public var meanProbability: Double {
        guard !probabilities.isEmpty else { return 0 }
        return probabilities.reduce(0.0) { $0 + Double($1) } / Double(probabilities.count)
    }
}

/// A detector that can also say *where* a crop looks manipulated.
public protocol MaskingDetector: Detector {
    /// p_fake and a manipulation mask per crop, in order.
    func pFakeAndMasks(crops: [RGBImage]) throws -> [(pFake: Float, mask: ManipulationMask)]
}

extension ManipulationMask {
    /// The face beside itself tinted red where the mask flags it (opacity 0.6 × probability),
    /// `2·width × height`: what a reader looks at to see why a crop was called fake. The mask
    /// must cover the crop pixel for pixel.
    public func overlay(on crop: RGBImage) -> RGBImage {
        precondition(crop.width == width && crop.height == height,
                     "mask \(width)×\(height) does not cover a \(crop.width)×\(crop.height) crop")
        var pixels = [UInt8](repeating: 0, count: 2 * width * height * 3)
        let red: [Float] = [255, 32, 32]
        for y in 0..<height {
            for x in 0..<width {
                let source = (y * width + x) * 3
                let left = (y * 2 * width + x) * 3, right = left + width * 3
                let alpha = 0.6 * min(max(probabilities[y * width + x], 0), 1)
                for c in 0..<3 {
                    let value = crop.pixels[source + c]
                    pixels[left + c] = value
                    pixels[right + c] = UInt8((Float(value) * (1 - alpha) + red[c] * alpha).rounded())
                }
            }
        }
        return RGBImage(width: 2 * width, height: height, pixels: pixels)
    }
}
