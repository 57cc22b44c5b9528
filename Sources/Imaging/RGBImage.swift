/// A packed 8-bit RGB image (3 bytes per pixel, rows tightly packed, top row first).
///
/// The one pixel type that crosses module boundaries: VideoDecode produces it, FaceAlign
/// reads and writes it, Detectors turn it into tensors. Being a value type it is Sendable
/// and can move between tasks.
public struct RGBImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `width * height * 3` bytes, R G B per pixel.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0, "RGBImage needs a positive size, got \(width)×\(height)")
        precondition(pixels.count == width * height * 3,
                     "RGBImage \(width)×\(height) needs \(width * height * 3) bytes, got \(pixels.count)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// A black image.
    public init(width: Int, height: Int) {
        self.init(width: width, height: height, pixels: [UInt8](repeating: 0, count: width * height * 3))
    }

    @inlinable public var rowBytes: Int { width * 3 }

    /// The pixel at (x, y) as (r, g, b). Traps outside the image.
    @inlinable public func pixel(x: Int, y: Int) -> (UInt8, UInt8, UInt8) {
        precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) outside \(width)×\(height)")
        let offset = (y * width + x) * 3
        return (pixels[offset], pixels[offset + 1], pixels[offset + 2])
    }

    /// The same image with rows, columns or both reversed, or turned by a multiple of 90°.
    /// Used to apply a video's display rotation; `quarterTurns` counts clockwise turns.
    public func rotated(quarterTurns: Int) -> RGBImage {
        let turns = ((quarterTurns % 4) + 4) % 4
        if turns == 0 { return self }
        let outWidth = turns == 2 ? width : height
        let outHeight = turns == 2 ? height : width
        var out = [UInt8](repeating: 0, count: pixels.count)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<height {
                    for x in 0..<width {
                        let (ox, oy): (Int, Int)
                        switch turns {
                        case 1: (ox, oy) = (height - 1 - y, x)          // clockwise
                        case 2: (ox, oy) = (width - 1 - x, height - 1 - y)
                        default: (ox, oy) = (y, width - 1 - x)          // counter-clockwise
                        }
                        let s = (y * width + x) * 3
                        let d = (oy * outWidth + ox) * 3
                        dst[d] = src[s]; dst[d + 1] = src[s + 1]; dst[d + 2] = src[s + 2]
                    }
                }
            }
        }
        return RGBImage(width: outWidth, height: outHeight, pixels: out)
    }

    /// The mirror image (columns reversed): a face seen from the other side.
    public func mirrored() -> RGBImage {
        var out = pixels
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<height {
                    let row = y * width * 3
                    for x in 0..<width {
                        let s = row + x * 3, d = row + (width - 1 - x) * 3
                        dst[d] = src[s]; dst[d + 1] = src[s + 1]; dst[d + 2] = src[s + 2]
                    }
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: out)
    }
}
