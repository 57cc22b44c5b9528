import Imaging

/// A point in image pixels: x to the right, y down, pixel (i, j) centred on (i, j) as in
/// OpenCV, so the detector's integer coordinates and the warp agree.
public struct Point: Sendable, Equatable, Hashable, Codable {
    public var x: Double
    public var y: Double

    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}

extension FaceBox {
    public var center: Point { Point(x: x + width / 2, y: y + height / 2) }
}

/// The five landmarks every face carries, in this order (the detector's and the template's):
/// eye on the image's left, eye on the image's right, nose tip, mouth corner on the image's
/// left, mouth corner on the image's right.
public typealias FiveLandmarks = [Point]

/// One face as a `FaceLocator` reports it, in the coordinates of the image it was given.
public struct DetectedFace: Sendable, Equatable {
    public var box: FaceBox
    /// Five points, see `FiveLandmarks`.
    public var landmarks: FiveLandmarks
    /// Detector confidence in [0, 1].
    public var score: Double

    public init(box: FaceBox, landmarks: FiveLandmarks, score: Double) {
        precondition(landmarks.count == 5, "a face needs 5 landmarks, got \(landmarks.count)")
        self.box = box
        self.landmarks = landmarks
        self.score = score
    }
}
