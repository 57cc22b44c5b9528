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
        case "x/127.5-1":  // EfficientNet-Lite: [0, 255] → [-1, 1]
            scale = 1 / 127.5
            channelScale = [1, 1, 1]
            offset = [-1, -1, -1]
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

/// Bilinear resize with half-pixel centres and no antialiasing, as PyTorch's
/// `interpolate(mode="bilinear", align_corners=False)` that training uses (Training/recipes.py
/// `to_input`): the same Float32 source positions and weights, rows blended after columns,
/// rounded half to even, so a crop resized here matches training's to within one level
/// (docs/engine.md has the comparison).
func resizedBilinear(_ image: RGBImage, to size: Int) -> RGBImage {
    if image.width == 2 * size && image.height == 2 * size { return halvedBilinear(image) }
    return resizedBilinearAnySize(image, to: size)
}

/// `resizedBilinear` to half the size (the scan's 256 px crops for 128 px models), in
/// integers: at scale 2 every output's Float32 taps are the 2×2 block under it with weights
/// ½, so each step of the Float arithmetic is exact and the value is the block's mean
/// rounded half to even. The same bytes as `resizedBilinearAnySize` (DetectorsTests
/// compares them), without its per-value Float work.
func halvedBilinear(_ image: RGBImage) -> RGBImage {
    let size = image.width / 2
    precondition(image.width == 2 * size && image.height == 2 * size, "halvedBilinear takes a 2n×2n image")
    let rowBytes = image.width * 3
    let pixels = [UInt8](unsafeUninitializedCapacity: size * size * 3) { out, count in
        image.pixels.withUnsafeBufferPointer { source in
            let target = out.baseAddress!
            for y in 0..<size {
                let top = source.baseAddress! + 2 * y * rowBytes, bottom = top + rowBytes
                let row = target + y * size * 3
                for x in 0..<size {
                    // Output pixel x: source pixels 2x and 2x + 1 of both rows, channel by channel.
                    for channel in 0..<3 {
                        let i = 6 * x + channel
                        let sum = Int(top[i]) &+ Int(top[i + 3]) &+ Int(bottom[i]) &+ Int(bottom[i + 3])
                        // sum/4 rounded half to even: +1 rounds quarters ¾ up and ¼ down, and the
                        // quotient's low bit adds the last 1 that takes an odd quotient's half up.
                        row[3 * x + channel] = UInt8(truncatingIfNeeded: (sum &+ 1 &+ ((sum >> 2) & 1)) >> 2)
                    }
                }
            }
        }
        count = size * size * 3
    }
    return RGBImage(width: size, height: size, pixels: pixels)
}

/// The general case of `resizedBilinear`: any sizes, in Float32 as PyTorch computes it.
func resizedBilinearAnySize(_ image: RGBImage, to size: Int) -> RGBImage {
    let columns = BilinearTaps(input: image.width, output: size)
    let rows = BilinearTaps(input: image.height, output: size)
    var pixels = [UInt8](repeating: 0, count: size * size * 3)
    image.pixels.withUnsafeBufferPointer { source in
        for y in 0..<size {
            let (y0, y1, h0, h1) = rows[y]
            for x in 0..<size {
                let (x0, x1, w0, w1) = columns[x]
                for c in 0..<3 {
                    func at(_ px: Int, _ py: Int) -> Float { Float(source[(py * image.width + px) * 3 + c]) }
                    let top = w0 * at(x0, y0) + w1 * at(x1, y0)
                    let bottom = w0 * at(x0, y1) + w1 * at(x1, y1)
                    let value = (h0 * top + h1 * bottom).rounded(.toNearestOrEven)
                    pixels[(y * size + x) * 3 + c] = UInt8(min(max(value, 0), 255))
                }
            }
        }
    }
    return RGBImage(width: size, height: size, pixels: pixels)
}

/// Per output index: the two source indices and their weights (PyTorch's
/// `compute_indices_weights_linear` in Float32: source = max(scale·(i + ½) − ½, 0)).
struct BilinearTaps {
    private let taps: [(Int, Int, Float, Float)]

    init(input: Int, output: Int) {
        let scale = Float(input) / Float(output)
        taps = (0..<output).map { index in
            let position = max(scale * (Float(index) + 0.5) - 0.5, 0)
            let low = min(Int(position), input - 1)
            let fraction = min(max(position - Float(low), 0), 1)
            return (low, low < input - 1 ? low + 1 : low, 1 - fraction, fraction)
        }
    }

    subscript(index: Int) -> (Int, Int, Float, Float) { taps[index] }
}
