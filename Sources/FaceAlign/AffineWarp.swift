import Imaging

extension RGBImage {
    /// A `size`×`size` crop whose pixel p shows this image at `cropToSource(p)`, sampled
    /// bilinearly; positions outside the image take the nearest edge pixel (border replicate),
    /// so a face at the frame edge gets smeared edge colour rather than black wedges.
    public func warped(size: Int, cropToSource: SimilarityTransform) -> RGBImage {
        precondition(size > 0, "crop size must be positive")
        var out = [UInt8](repeating: 0, count: size * size * 3)
        let maxX = Double(width - 1), maxY = Double(height - 1)
        let rowBytes = width * 3
        let t = cropToSource
        // Pointer walks and `while` loops keep unoptimised (test) builds fast too.
        pixels.withUnsafeBufferPointer { srcBuffer in
            out.withUnsafeMutableBufferPointer { dstBuffer in
                let src = srcBuffer.baseAddress!
                var dst = dstBuffer.baseAddress!
                for v in 0..<size {
                    // Walk the row incrementally: each step right adds (a, b) in the source.
                    var sx = t.tx - t.b * Double(v)
                    var sy = t.ty + t.a * Double(v)
                    var u = 0
                    while u < size {
                        let x = sx < 0 ? 0 : (sx > maxX ? maxX : sx), y = sy < 0 ? 0 : (sy > maxY ? maxY : sy)
                        let x0 = Int(x), y0 = Int(y)
                        let right = x0 < width - 1 ? 3 : 0, down = y0 < height - 1 ? rowBytes : 0
                        let fx = x - Double(x0), fy = y - Double(y0)
                        let w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy)
                        let w01 = (1 - fx) * fy, w11 = fx * fy
                        let p = src + (y0 * rowBytes + x0 * 3)
                        var c = 0
                        while c < 3 {
                            let value = w00 * Double(p[c]) + w10 * Double(p[c + right])
                                + w01 * Double(p[c + down]) + w11 * Double(p[c + down + right])
                            dst[c] = value >= 254.5 ? 255 : UInt8(value + 0.5)
                            c += 1
                        }
                        dst += 3
                        sx += t.a
                        sy += t.b
                        u += 1
                    }
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
