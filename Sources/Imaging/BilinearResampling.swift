/// Bilinear resizing as Pillow's `Image.resize(…, BILINEAR)` does it (the Python training
/// augmentations use that): a triangle filter whose support widens with the shrink factor,
/// so shrinking averages every source pixel instead of skipping some (no aliasing).
extension RGBImage {
    /// Shrinks by `factor` (0 < factor ≤ 1) and enlarges back to the original size: the
    /// resolution a video loses when it was scaled down somewhere on its way.
    public func resizedDownAndUp(factor: Double) -> RGBImage {
        precondition(factor > 0 && factor <= 1, "resize factor must be in (0, 1], got \(factor)")
        let small = resampled(width: max(1, Int((Double(width) * factor).rounded(.toNearestOrEven))),
                              height: max(1, Int((Double(height) * factor).rounded(.toNearestOrEven))))
        return small.resampled(width: width, height: height)
    }

    /// The image at `width`×`height`: along rows first, then along columns, as Pillow does.
    public func resampled(width newWidth: Int, height newHeight: Int) -> RGBImage {
        if newWidth == width && newHeight == height { return self }
        let columns = Self.triangleTaps(from: width, to: newWidth)
        let rows = Self.triangleTaps(from: height, to: newHeight)
        var horizontal = [Float](repeating: 0, count: newWidth * height * 3)
        for y in 0..<height {
            for (x, taps) in columns.enumerated() {
                for channel in 0..<3 {
                    var sum: Float = 0
                    for (index, weight) in taps { sum += weight * Float(pixels[(y * width + index) * 3 + channel]) }
                    // Pillow stores the first pass as bytes too.
                    horizontal[(y * newWidth + x) * 3 + channel] = Float(Self.roundedByte(sum))
                }
            }
        }
        var out = [UInt8](repeating: 0, count: newWidth * newHeight * 3)
        for (y, taps) in rows.enumerated() {
            for x in 0..<newWidth {
                for channel in 0..<3 {
                    var sum: Float = 0
                    for (index, weight) in taps { sum += weight * horizontal[(index * newWidth + x) * 3 + channel] }
                    out[(y * newWidth + x) * 3 + channel] = Self.roundedByte(sum)
                }
            }
        }
        return RGBImage(width: newWidth, height: newHeight, pixels: out)
    }

    /// For each output position: the source indices it reads and their normalised weights.
    static func triangleTaps(from inputSize: Int, to outputSize: Int) -> [[(Int, Float)]] {
        let scale = Double(inputSize) / Double(outputSize)
        let filterScale = max(scale, 1)
        let support = filterScale  // the triangle's support is 1 at scale 1
        return (0..<outputSize).map { position in
            let centre = (Double(position) + 0.5) * scale
            let first = max(Int(centre - support + 0.5), 0)
            let end = min(Int(centre + support + 0.5), inputSize)
            var taps = (first..<end).map { index -> (Int, Float) in
                let distance = abs((Double(index) - centre + 0.5) / filterScale)
                return (index, Float(max(0, 1 - distance)))
            }.filter { $0.1 > 0 }
            let total = taps.reduce(Float(0)) { $0 + $1.1 }
            taps = taps.map { ($0.0, $0.1 / total) }
            return taps
        }
    }
}
