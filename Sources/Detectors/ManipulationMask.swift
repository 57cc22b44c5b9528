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
