import Imaging

/// The packed BGR buffer libfacedetection reads, made from a region of an RGB frame at a
/// smaller size.
///
/// Downscaling averages each output pixel's source block (like OpenCV's INTER_AREA, which the
/// reference pipeline uses) instead of point-sampling, so small faces do not alias away.
/// Rows are summed into a wide accumulator first: that pass touches every source byte once in
/// a simple loop the compiler vectorises, and the horizontal pass only runs on output rows.
struct DetectorInput {
    private(set) var width = 0
    private(set) var height = 0
    /// `width * height * 3` bytes, B G R per pixel.
    private(set) var bgr: [UInt8] = []
    private var rowSums: [UInt32] = []
    /// Column block of output x: region columns [columnStart[x], columnStart[x + 1]).
    private var columnStart: [Int] = []

    /// The output size for a `region` with its long side limited to `longSide` (never upscaled).
    static func size(of region: PixelRegion, longSide: Int) -> (width: Int, height: Int) {
        let long = max(region.width, region.height)
        guard long > longSide else { return (region.width, region.height) }
        let factor = Double(long) / Double(longSide)
        return (max(1, Int((Double(region.width) / factor).rounded())),
                max(1, Int((Double(region.height) / factor).rounded())))
    }

    /// `size(of:longSide:)` shrunk further, aspect kept, until its short side is a multiple of
    /// `multiple` (left alone when already one, or when that would leave nothing).
    static func size(of region: PixelRegion, longSide: Int, shortSideMultipleOf multiple: Int)
        -> (width: Int, height: Int)
    {
        let plain = size(of: region, longSide: longSide)
        let short = min(plain.width, plain.height)
        let snapped = short / multiple * multiple
        guard snapped > 0, snapped < short else { return plain }
        let factor = Double(snapped) / Double(short)
        return plain.width <= plain.height
            ? (snapped, max(1, Int((Double(plain.height) * factor).rounded())))
            : (max(1, Int((Double(plain.width) * factor).rounded())), snapped)
    }

    /// Fills `bgr` with `region` of `image` reduced to `width`×`height`.
    mutating func fill(from image: RGBImage, region: PixelRegion, width: Int, height: Int) {
        precondition(region.x >= 0 && region.y >= 0 && region.width > 0 && region.height > 0
                     && region.x + region.width <= image.width && region.y + region.height <= image.height,
                     "region \(region) outside \(image.width)×\(image.height)")
        precondition(width <= region.width && height <= region.height, "DetectorInput only shrinks")
        self.width = width
        self.height = height
        let count = width * height * 3
        if bgr.count != count { bgr = [UInt8](repeating: 0, count: count) }
        let srcRow = image.width * 3, regionRow = region.width * 3
        if rowSums.count < regionRow { rowSums = [UInt32](repeating: 0, count: regionRow) }
        columnStart.removeAll(keepingCapacity: true)
        for x in 0...width { columnStart.append(x * region.width / width) }
        let columnStart = self.columnStart

        // Pointer walks and `while` loops: also fast in unoptimised (debug/test) builds, where
        // range iteration and checked subscripts cost several times the arithmetic.
        image.pixels.withUnsafeBufferPointer { srcBuffer in
            bgr.withUnsafeMutableBufferPointer { dstBuffer in
                rowSums.withUnsafeMutableBufferPointer { sumBuffer in
                    let src = srcBuffer.baseAddress! + (region.y * srcRow + region.x * 3), sums = sumBuffer.baseAddress!
                    var dst = dstBuffer.baseAddress!
                    for oy in 0..<height {
                        let y0 = oy * region.height / height, y1 = (oy + 1) * region.height / height
                        var row = src + y0 * srcRow
                        var i = 0
                        while i < regionRow { sums[i] = UInt32(row[i]); i += 1 }
                        var y = y0 + 1
                        while y < y1 {
                            row += srcRow
                            i = 0
                            while i < regionRow { sums[i] &+= UInt32(row[i]); i += 1 }
                            y += 1
                        }
                        let rows = UInt32(y1 - y0)
                        var ox = 0
                        while ox < width {
                            let x1 = columnStart[ox + 1]
                            var r: UInt32 = 0, g: UInt32 = 0, b: UInt32 = 0
                            var p = sums + columnStart[ox] * 3
                            let end = sums + x1 * 3
                            while p < end {
                                r &+= p[0]; g &+= p[1]; b &+= p[2]
                                p += 3
                            }
                            let n = rows * UInt32(x1 - columnStart[ox]), half = n / 2
                            dst[0] = UInt8((b + half) / n)
                            dst[1] = UInt8((g + half) / n)
                            dst[2] = UInt8((r + half) / n)
                            dst += 3
                            ox += 1
                        }
                    }
                }
            }
        }
    }

    /// The BGR bytes as the mutable pointer the C function signature asks for (it only reads).
    mutating func withBGR<T>(_ body: (UnsafeMutablePointer<UInt8>?) -> T) -> T {
        bgr.withUnsafeMutableBufferPointer { body($0.baseAddress) }
    }
}

/// A rectangle of whole pixels inside an image.
struct PixelRegion: Equatable {
    var x: Int
    var y: Int
    var width: Int
    var height: Int

    static func whole(_ image: RGBImage) -> PixelRegion {
        PixelRegion(x: 0, y: 0, width: image.width, height: image.height)
    }

    /// `box` grown by `factor` around its centre, clipped to the image; nil when nothing is left.
    static func around(_ box: FaceBox, grownBy factor: Double, in image: RGBImage) -> PixelRegion? {
        let c = box.center, half = max(box.width, box.height) * factor / 2
        let x0 = max(0, Int((c.x - half).rounded(.down))), y0 = max(0, Int((c.y - half).rounded(.down)))
        let x1 = min(image.width, Int((c.x + half).rounded(.up))), y1 = min(image.height, Int((c.y + half).rounded(.up)))
        guard x1 > x0, y1 > y0 else { return nil }
        return PixelRegion(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }
}
