import Imaging

/// A crop's attention maps (MAT): where each of the model's attention regions looks, at the
/// resolution the model computes them (8×8 for MAT at 128 px), row-major, non-negative.
public struct AttentionMaps: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let maps: [[Float]]

    public init(width: Int, height: Int, maps: [[Float]]) {
        precondition(maps.allSatisfy { $0.count == width * height }, "each attention map needs \(width * height) values")
        self.width = width
        self.height = height
        self.maps = maps
    }

    /// Map `index` over its own maximum, resized bilinearly to `width × height` (0 where the map is 0).
    public func normalised(_ index: Int, width outWidth: Int, height outHeight: Int) -> ManipulationMask {
        let map = maps[index]
        let peak = map.max() ?? 0
        let scaled = peak > 0 ? map.map { $0 / peak } : map.map { _ in 0 }
        let resized = resizedPlane(scaled, from: (height, width), to: (outHeight, outWidth))
        return ManipulationMask(width: outWidth, height: outHeight, probabilities: resized.map { min(max($0, 0), 1) })
    }

    /// The face beside itself tinted where map `index` is high (`ManipulationMask.overlay`'s picture).
    public func overlay(_ index: Int, on crop: RGBImage) -> RGBImage {
        normalised(index, width: crop.width, height: crop.height).overlay(on: crop)
    }
}

/// A detector that also gives attention maps per crop.
public protocol AttentionDetector: Detector {
    func pFakeAndAttention(crops: [RGBImage]) throws -> [(pFake: Float, attention: AttentionMaps)]
}
