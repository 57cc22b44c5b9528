/// An axis-aligned face box in image pixels (top-left corner, size): what the face stage finds,
/// tracks and crops around, and what the face rows report. Encoded as {"x", "y", "w", "h"}, the
/// face-row schema's form (docs/output-format.md).
public struct FaceBox: Sendable, Equatable, Hashable, Codable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    enum CodingKeys: String, CodingKey { case x, y, width = "w", height = "h" }

    public var area: Double { max(0, width) * max(0, height) }

    /// Intersection over union, 0 when the boxes do not overlap.
    public func iou(_ other: FaceBox) -> Double {
        let left = max(x, other.x), right = min(x + width, other.x + other.width)
        let top = max(y, other.y), bottom = min(y + height, other.y + other.height)
        guard right > left, bottom > top else { return 0 }
        let intersection = (right - left) * (bottom - top)
        return intersection / (area + other.area - intersection)
    }
}
