/// Where the five landmarks should land in the aligned crop.
///
/// The ArcFace / InsightFace 5-point layout for a 112×112 face, placed in a box `margin` times
/// larger (so the crop shows forehead, chin and some background, as DeepfakeBench and the
/// reference pipeline do) and scaled to `cropSize`. Training and scanning use the same values.
public struct FaceTemplate: Sendable, Equatable {
    /// The ArcFace template in its 112×112 box, `FiveLandmarks` order.
    public static let arcFace112: [Point] = [
        Point(x: 38.2946, y: 51.6963),
        Point(x: 73.5318, y: 51.5014),
        Point(x: 56.0252, y: 71.7366),
        Point(x: 41.5493, y: 92.3655),
        Point(x: 70.7299, y: 92.2041),
    ]

    public let cropSize: Int
    public let margin: Double
    /// The five target points in crop pixels.
    public let points: [Point]

    public init(cropSize: Int = 256, margin: Double = 1.3) {
        precondition(cropSize > 0 && margin > 0, "template needs a positive size and margin")
        self.cropSize = cropSize
        self.margin = margin
        let pad = 112.0 * (margin - 1.0) / 2.0
        let scale = Double(cropSize) / (112.0 * margin)
        self.points = Self.arcFace112.map { Point(x: ($0.x + pad) * scale, y: ($0.y + pad) * scale) }
    }
}
