import Foundation

/// Gaussian blur as `scipy.ndimage.gaussian_filter(image, (σ, σ, 0))` computes it (the
/// Python training augmentations use that): kernel radius `Int(4σ + 0.5)`, borders mirrored
/// about the edge (`d c b a | a b c d`), each channel on its own, rounded to the nearest byte.
extension RGBImage {
    public func gaussianBlurred(sigma: Double) -> RGBImage {
        precondition(sigma >= 0 && sigma.isFinite, "blur sigma must be ≥ 0, got \(sigma)")
        let kernel = Self.gaussianKernel(sigma: sigma)
        if kernel.count == 1 { return self }
        var plane = pixels.map(Float.init)
        plane = Self.convolve(plane, width: width, height: height, kernel: kernel, alongRows: true)
        plane = Self.convolve(plane, width: width, height: height, kernel: kernel, alongRows: false)
        return RGBImage(width: width, height: height, pixels: plane.map(Self.roundedByte))
    }

    /// Normalised weights for offsets −r…r.
    static func gaussianKernel(sigma: Double) -> [Float] {
        let radius = Int(4 * sigma + 0.5)
        guard radius > 0 else { return [1] }
        let weights = (-radius...radius).map { exp(-0.5 * Double($0 * $0) / (sigma * sigma)) }
        let total = weights.reduce(0, +)
        return weights.map { Float($0 / total) }
    }

    /// The index `i` maps to inside `0..<count` when the signal is mirrored at its ends.
    static func mirrored(_ i: Int, count: Int) -> Int {
        let period = 2 * count
        let folded = ((i % period) + period) % period
        return folded < count ? folded : period - 1 - folded
    }

    /// One 1-D pass over interleaved RGB floats, along rows (x) or along columns (y).
    private static func convolve(_ source: [Float], width: Int, height: Int, kernel: [Float], alongRows: Bool) -> [Float] {
        let radius = kernel.count / 2
        let length = alongRows ? width : height
        var output = [Float](repeating: 0, count: source.count)
        source.withUnsafeBufferPointer { src in
            output.withUnsafeMutableBufferPointer { dst in
                // Source positions of each tap for every position along the pass, mirrored once.
                let taps = (0..<length).map { position in
                    (-radius...radius).map { mirrored(position + $0, count: length) }
                }
                for line in 0..<(alongRows ? height : width) {
                    for position in 0..<length {
                        var sum: (Float, Float, Float) = (0, 0, 0)
                        for (weight, from) in zip(kernel, taps[position]) {
                            let offset = (alongRows ? line * width + from : from * width + line) * 3
                            sum.0 += weight * src[offset]
                            sum.1 += weight * src[offset + 1]
                            sum.2 += weight * src[offset + 2]
                        }
                        let offset = (alongRows ? line * width + position : position * width + line) * 3
                        dst[offset] = sum.0
                        dst[offset + 1] = sum.1
                        dst[offset + 2] = sum.2
                    }
                }
            }
        }
        return output
    }

    /// numpy's `clip(rint(x), 0, 255)`: halves round to even.
    static func roundedByte(_ value: Float) -> UInt8 {
        UInt8(min(max(value.rounded(.toNearestOrEven), 0), 255))
    }
}
