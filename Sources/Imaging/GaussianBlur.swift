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

    /// One 1-D pass over interleaved RGB floats, along rows (x) or along columns (y). Both
    /// run as whole-row multiply-adds over contiguous memory (rows: on a mirrored, padded copy
    /// of the row; columns: adding mirrored source rows), which the compiler vectorises.
    private static func convolve(_ source: [Float], width: Int, height: Int, kernel: [Float], alongRows: Bool) -> [Float] {
        let radius = kernel.count / 2
        let rowLength = width * 3
        var output = [Float](repeating: 0, count: source.count)
        source.withUnsafeBufferPointer { src in
            output.withUnsafeMutableBufferPointer { dst in
                if alongRows {
                    var padded = [Float](repeating: 0, count: (width + 2 * radius) * 3)
                    for y in 0..<height {
                        let row = src.baseAddress! + y * rowLength
                        for x in 0..<(width + 2 * radius) {
                            let from = mirrored(x - radius, count: width) * 3
                            padded[x * 3] = row[from]; padded[x * 3 + 1] = row[from + 1]; padded[x * 3 + 2] = row[from + 2]
                        }
                        let out = dst.baseAddress! + y * rowLength
                        padded.withUnsafeBufferPointer { line in
                            for (tap, weight) in kernel.enumerated() {
                                let shifted = line.baseAddress! + tap * 3
                                for i in 0..<rowLength { out[i] += weight * shifted[i] }
                            }
                        }
                    }
                } else {
                    for y in 0..<height {
                        let out = dst.baseAddress! + y * rowLength
                        for (tap, weight) in kernel.enumerated() {
                            let row = src.baseAddress! + mirrored(y + tap - radius, count: height) * rowLength
                            for i in 0..<rowLength { out[i] += weight * row[i] }
                        }
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
