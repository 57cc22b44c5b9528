import Imaging
import NN
import Tensor

/// Turns face crops into the NCHW input tensor a model card asks for: size, colour order, scaling.
struct CropInput {
    let size: Int
    let swapToBGR: Bool
    let scale: Float
    let offset: [Float]   // per channel, after scaling: (x·scale − mean) / std folded into scale·x + offset
    let channelScale: [Float]

    init(card: ModelCard) throws {
        size = card.inputSize
        switch card.colourOrder {
        case "RGB": swapToBGR = false
        case "BGR": swapToBGR = true
        default: throw DetectorError.unsupportedCard(field: "colour_order", value: card.colourOrder)
        }
        switch card.scaling {
        case "x/255":
            scale = 1 / 255
            channelScale = [1, 1, 1]
            offset = [0, 0, 0]
        case "imagenet":  // x/255, then ImageNet mean/std per RGB channel
            scale = 1 / 255
            let mean: [Float] = [0.485, 0.456, 0.406], std: [Float] = [0.229, 0.224, 0.225]
            channelScale = std.map { 1 / $0 }
            offset = zip(mean, std).map { -$0 / $1 }
        default:
            throw DetectorError.unsupportedCard(field: "scaling", value: card.scaling)
        }
    }

    /// `[crops.count, 3, size, size]`.
    func tensor(_ crops: ArraySlice<RGBImage>) -> Tensor {
        let plane = size * size
        var storage = [Float](repeating: 0, count: crops.count * 3 * plane)
        storage.withUnsafeMutableBufferPointer { out in
            for (n, crop) in crops.enumerated() {
                let image = crop.width == size && crop.height == size ? crop : resizedBilinear(crop, to: size)
                image.pixels.withUnsafeBufferPointer { pixels in
                    for c in 0..<3 {
                        let source = swapToBGR ? 2 - c : c
                        let target = out.baseAddress! + (n * 3 + c) * plane
                        let s = scale * channelScale[c], t = offset[c]
                        for i in 0..<plane { target[i] = Float(pixels[i * 3 + source]) * s + t }
                    }
                }
            }
        }
        return Tensor(shape: [crops.count, 3, size, size], storage: storage)
    }
}

/// Bilinear resize with half-pixel centres (as OpenCV's INTER_LINEAR and PyTorch's
/// `align_corners=False`), rounding to the nearest byte.
func resizedBilinear(_ image: RGBImage, to size: Int) -> RGBImage {
    var pixels = [UInt8](repeating: 0, count: size * size * 3)
    let scaleX = Double(image.width) / Double(size), scaleY = Double(image.height) / Double(size)
    func sample(_ out: Int, _ scale: Double, _ limit: Int) -> (Int, Int, Double) {
        let position = min(max((Double(out) + 0.5) * scale - 0.5, 0), Double(limit - 1))
        let low = Int(position)
        return (low, min(low + 1, limit - 1), position - Double(low))
    }
    for y in 0..<size {
        let (y0, y1, fy) = sample(y, scaleY, image.height)
        for x in 0..<size {
            let (x0, x1, fx) = sample(x, scaleX, image.width)
            for c in 0..<3 {
                func at(_ px: Int, _ py: Int) -> Double { Double(image.pixels[(py * image.width + px) * 3 + c]) }
                let top = at(x0, y0) * (1 - fx) + at(x1, y0) * fx
                let bottom = at(x0, y1) * (1 - fx) + at(x1, y1) * fx
                pixels[(y * size + x) * 3 + c] = UInt8(min(max((top * (1 - fy) + bottom * fy).rounded(), 0), 255))
            }
        }
    }
    return RGBImage(width: size, height: size, pixels: pixels)
}
