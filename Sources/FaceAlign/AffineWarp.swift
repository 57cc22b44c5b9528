import Imaging

extension RGBImage {
    /// Fractional bits of the fixed-point source positions, and of the interpolation weights.
    static let warpPositionBits = 20, warpWeightBits = 11

    /// A `size`×`size` crop whose pixel p shows this image at `cropToSource(p)`, sampled
    /// bilinearly; positions outside the image take the nearest edge pixel (border replicate),
    /// so a face at the frame edge gets smeared edge colour rather than black wedges.
    ///
    /// Integer arithmetic: source positions in 2⁻²⁰ px, stepped along each row by adding the
    /// transform's per-pixel step (each row starts exact; the step's rounding drifts < 2⁻¹³ px
    /// over a 256 px row), weights in 1/2048 px, one rounding at the end. Within one level of
    /// the same warp done in Double (FaceAlignTests checks it), and several times cheaper: in
    /// Double this warp was a large share of the face stage's time (docs/faces.md).
    public func warped(size: Int, cropToSource: SimilarityTransform) -> RGBImage {
        precondition(size > 0, "crop size must be positive")
        var out = [UInt8](repeating: 0, count: size * size * 3)
        let bits = Self.warpPositionBits, weightBits = Self.warpWeightBits
        let one = 1 << weightBits, fraction = one - 1, half = 1 << (2 * weightBits - 1)
        func fixed(_ value: Double) -> Int { Int((value * Double(1 << bits)).rounded()) }
        let maxX = (width - 1) << bits, maxY = (height - 1) << bits
        let rowBytes = width * 3
        let t = cropToSource
        let stepX = fixed(t.a), stepY = fixed(t.b)
        // Pointer walks, `while` loops and wrapping operators keep unoptimised builds fast too.
        pixels.withUnsafeBufferPointer { srcBuffer in
            out.withUnsafeMutableBufferPointer { dstBuffer in
                let src = srcBuffer.baseAddress!
                var dst = dstBuffer.baseAddress!
                // Rows whose ends both map inside the image (less one pixel, for the right and
                // lower neighbours) skip the edge clamping: the positions between are inside too.
                @inline(__always) func inside(_ x: Int, _ y: Int) -> Bool { x >= 0 && y >= 0 && x < maxX && y < maxY }
                @inline(__always) func sampleRow(from start: (x: Int, y: Int), clamped: Bool) {
                    var (sx, sy) = start
                    var u = 0
                    while u < size {
                        let x = clamped ? (sx < 0 ? 0 : (sx > maxX ? maxX : sx)) : sx
                        let y = clamped ? (sy < 0 ? 0 : (sy > maxY ? maxY : sy)) : sy
                        let x0 = x >> bits, y0 = y >> bits
                        let fx = (x >> (bits - weightBits)) & fraction, fy = (y >> (bits - weightBits)) & fraction
                        let right = !clamped || x0 < width - 1 ? 3 : 0, down = !clamped || y0 < height - 1 ? rowBytes : 0
                        let w00 = (one &- fx) &* (one &- fy), w10 = fx &* (one &- fy)
                        let w01 = (one &- fx) &* fy, w11 = fx &* fy
                        let p = src + (y0 &* rowBytes &+ x0 &* 3)
                        let q = p + down
                        dst[0] = UInt8(truncatingIfNeeded: (w00 &* Int(p[0]) &+ w10 &* Int(p[right])
                            &+ w01 &* Int(q[0]) &+ w11 &* Int(q[right]) &+ half) >> (2 * weightBits))
                        dst[1] = UInt8(truncatingIfNeeded: (w00 &* Int(p[1]) &+ w10 &* Int(p[right + 1])
                            &+ w01 &* Int(q[1]) &+ w11 &* Int(q[right + 1]) &+ half) >> (2 * weightBits))
                        dst[2] = UInt8(truncatingIfNeeded: (w00 &* Int(p[2]) &+ w10 &* Int(p[right + 2])
                            &+ w01 &* Int(q[2]) &+ w11 &* Int(q[right + 2]) &+ half) >> (2 * weightBits))
                        dst += 3
                        sx &+= stepX
                        sy &+= stepY
                        u += 1
                    }
                }
                for v in 0..<size {
                    let start = (x: fixed(t.tx - t.b * Double(v)), y: fixed(t.ty + t.a * Double(v)))
                    let end = (x: start.x + stepX * (size - 1), y: start.y + stepY * (size - 1))
                    sampleRow(from: start, clamped: !(inside(start.x, start.y) && inside(end.x, end.y)))
                }
            }
        }
        return RGBImage(width: size, height: size, pixels: out)
    }
}

/// A face warped onto the template: the crop and where its landmarks ended up.
public struct FaceAlignment: Sendable, Equatable {
    public var crop: RGBImage
    /// The face's landmarks mapped into crop pixels (close to the template when the fit is good).
    public var cropLandmarks: FiveLandmarks
    /// Frame → crop.
    public var frameToCrop: SimilarityTransform
}

/// Warps faces to the canonical template with a least-squares similarity on the 5 landmarks.
public struct FaceAligner: Sendable {
    public let template: FaceTemplate

    public init(template: FaceTemplate = FaceTemplate()) {
        self.template = template
    }

    /// nil only when the landmarks are degenerate (all in one spot).
    public func align(_ landmarks: FiveLandmarks, in image: RGBImage) -> FaceAlignment? {
        guard let frameToCrop = SimilarityTransform.leastSquares(from: landmarks, to: template.points),
              frameToCrop.scale > 1e-9
        else { return nil }
        let crop = image.warped(size: template.cropSize, cropToSource: frameToCrop.inverse)
        return FaceAlignment(crop: crop, cropLandmarks: landmarks.map(frameToCrop.apply), frameToCrop: frameToCrop)
    }
}
