import Foundation

/// Additive Gaussian noise, reproducible: the same seed gives the same noise on any machine
/// (Swift's `Hasher` and system random generators are not, so neither is used).
extension RGBImage {
    /// Adds noise of standard deviation `std` in units of the full range (0.03 = 7.65 grey
    /// levels), rounded and clipped to bytes, like the Python `gaussian_noise` augmentation.
    public func withGaussianNoise(std: Double, seed: UInt64) -> RGBImage {
        precondition(std >= 0 && std.isFinite, "noise std must be ≥ 0, got \(std)")
        var generator = SplitMix64(seed: seed)
        let scale = std * 255
        var out = pixels
        out.withUnsafeMutableBufferPointer { values in
            var index = 0
            while index < values.count {
                // Box–Muller gives two independent normals per pair of uniforms.
                let (a, b) = generator.nextNormalPair()
                values[index] = Self.roundedByte(Float(Double(values[index]) + a * scale))
                if index + 1 < values.count {
                    values[index + 1] = Self.roundedByte(Float(Double(values[index + 1]) + b * scale))
                }
                index += 2
            }
        }
        return RGBImage(width: width, height: height, pixels: out)
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, fast generator with a fixed definition.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in (0, 1]: never 0, so its logarithm is finite.
    mutating func nextUnitInterval() -> Double {
        (Double(next() >> 11) + 1) / Double(1 << 53)
    }

    mutating func nextNormalPair() -> (Double, Double) {
        let radius = (-2 * log(nextUnitInterval())).squareRoot()
        let angle = 2 * Double.pi * nextUnitInterval()
        return (radius * cos(angle), radius * sin(angle))
    }

    /// A seed for one item of a named sequence (a video's path and a frame index): FNV-1a of
    /// the name's UTF-8 bytes, mixed with the index.
    public static func seed(name: String, index: Int) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        var mixer = SplitMix64(seed: hash ^ UInt64(bitPattern: Int64(index)))
        return mixer.next()
    }
}
