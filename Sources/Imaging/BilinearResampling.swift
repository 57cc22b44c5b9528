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
        let columns = FlatTaps(Self.triangleTaps(from: width, to: newWidth))
        let rows = FlatTaps(Self.triangleTaps(from: height, to: newHeight))
        let newRow = newWidth * 3
        var horizontal = [Float](repeating: 0, count: newRow * height)
        var sums = [Float](repeating: 0, count: newRow)
        var out = [UInt8](repeating: 0, count: newRow * newHeight)
        pixels.withUnsafeBufferPointer { source in
            horizontal.withUnsafeMutableBufferPointer { middle in
                for y in 0..<height {
                    let row = source.baseAddress! + y * rowBytes
                    for x in 0..<newWidth {
                        var sum: (Float, Float, Float) = (0, 0, 0)
                        for k in 0..<columns.count[x] {
                            let weight = columns.weights[x * columns.stride + k]
                            let from = (columns.first[x] + k) * 3
                            sum.0 += weight * Float(row[from])
                            sum.1 += weight * Float(row[from + 1])
                            sum.2 += weight * Float(row[from + 2])
                        }
                        // Pillow stores the first pass as bytes too.
                        let to = y * newRow + x * 3
                        middle[to] = Float(Self.roundedByte(sum.0))
                        middle[to + 1] = Float(Self.roundedByte(sum.1))
                        middle[to + 2] = Float(Self.roundedByte(sum.2))
                    }
                }
            }
        }
        horizontal.withUnsafeBufferPointer { middle in
            sums.withUnsafeMutableBufferPointer { line in
                for y in 0..<newHeight {
                    for i in 0..<newRow { line[i] = 0 }
                    for k in 0..<rows.count[y] {
                        let weight = rows.weights[y * rows.stride + k]
                        let row = middle.baseAddress! + (rows.first[y] + k) * newRow
                        for i in 0..<newRow { line[i] += weight * row[i] }
                    }
                    for i in 0..<newRow { out[y * newRow + i] = Self.roundedByte(line[i]) }
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

/// `triangleTaps` in flat arrays (first source index, tap count, weights padded to `stride`),
/// so the pixel loops read plain memory instead of nested arrays.
struct FlatTaps {
    let first: [Int]
    let count: [Int]
    let weights: [Float]
    let stride: Int

    init(_ taps: [[(Int, Float)]]) {
        let stride = taps.map(\.count).max() ?? 0
        self.stride = stride
        first = taps.map { $0.first?.0 ?? 0 }
        count = taps.map(\.count)
        weights = taps.flatMap { $0.map(\.1) + [Float](repeating: 0, count: stride - $0.count) }
    }
}
