import Imaging

/// The packed BGR buffer libfacedetection reads, made from an RGB frame at a smaller size.
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

    /// The output size for `image` with its long side limited to `longSide` (never upscaled).
    static func size(of image: RGBImage, longSide: Int) -> (width: Int, height: Int, factor: Double) {
        let long = max(image.width, image.height)
        guard long > longSide else { return (image.width, image.height, 1) }
        let factor = Double(long) / Double(longSide)
        let w = max(1, Int((Double(image.width) / factor).rounded()))
        let h = max(1, Int((Double(image.height) / factor).rounded()))
        return (w, h, factor)
    }

    /// Fills `bgr` with `image` reduced to `width`×`height`.
    mutating func fill(from image: RGBImage, width: Int, height: Int) {
        precondition(width <= image.width && height <= image.height, "DetectorInput only shrinks")
        self.width = width
        self.height = height
        let count = width * height * 3
        if bgr.count != count { bgr = [UInt8](repeating: 0, count: count) }
        let srcRow = image.width * 3
        if rowSums.count < srcRow { rowSums = [UInt32](repeating: 0, count: srcRow) }
        // Column block of output x: source columns [columnStart[x], columnStart[x + 1]).
        let columnStart = (0...width).map { $0 * image.width / width }

        // Pointer walks and `while` loops: also fast in unoptimised (debug/test) builds, where
        // range iteration and checked subscripts cost several times the arithmetic.
        image.pixels.withUnsafeBufferPointer { srcBuffer in
            bgr.withUnsafeMutableBufferPointer { dstBuffer in
                rowSums.withUnsafeMutableBufferPointer { sumBuffer in
                    let src = srcBuffer.baseAddress!, sums = sumBuffer.baseAddress!
                    var dst = dstBuffer.baseAddress!
                    for oy in 0..<height {
                        let y0 = oy * image.height / height, y1 = (oy + 1) * image.height / height
                        var row = src + y0 * srcRow
                        var i = 0
                        while i < srcRow { sums[i] = UInt32(row[i]); i += 1 }
                        var y = y0 + 1
                        while y < y1 {
                            row += srcRow
                            i = 0
                            while i < srcRow { sums[i] &+= UInt32(row[i]); i += 1 }
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
