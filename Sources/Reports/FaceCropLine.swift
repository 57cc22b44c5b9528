import Foundation
import Imaging

/// One line of `deepfake-scan faces`' faces.jsonl: the face-row schema of `scan --jsonl`
/// (`FaceRow`'s video, frame_index, seconds, track, box — same keys, same meaning) with the
/// face stage's own keys in place of the model's: landmarks, crop_landmarks, score, crop.
/// docs/output-format.md documents both.
public struct FaceCropLine: Sendable, Equatable, Codable {
    /// The input as given (a video or a photo).
    public var video: String
    public var frameIndex: Int
    public var seconds: Double
    public var track: Int
    /// In source-frame pixels.
    public var box: FaceBox
    /// The 5 landmarks (left eye, right eye, nose, mouth left, mouth right as seen in the
    /// image), each [x, y] in source-frame pixels.
    public var landmarks: [[Double]]
    /// The same 5 landmarks in crop pixels.
    public var cropLandmarks: [[Double]]
    /// The face detector's confidence, 0…1.
    public var score: Double
    /// The crop's PNG, relative to the output folder.
    public var crop: String

    public init(video: String, frameIndex: Int, seconds: Double, track: Int, box: FaceBox,
                landmarks: [[Double]], cropLandmarks: [[Double]], score: Double, crop: String) {
        self.video = video
        self.frameIndex = frameIndex
        self.seconds = seconds
        self.track = track
        self.box = box
        self.landmarks = landmarks
        self.cropLandmarks = cropLandmarks
        self.score = score
        self.crop = crop
    }

    enum CodingKeys: String, CodingKey {
        case video, frameIndex = "frame_index", seconds, track, box  // FaceRow's keys
        case landmarks, cropLandmarks = "crop_landmarks", score, crop
    }

    /// The line as `FaceRow.jsonLine` writes one (keys sorted, trailing "\n").
    public func jsonLine() throws -> String { try FaceRow.jsonLine(encoding: self) }

    /// Parses the lines of a faces.jsonl (blank lines ignored).
    public static func parseLines(_ text: String) throws -> [FaceCropLine] {
        try FaceRow.parseLines(text, as: FaceCropLine.self)
    }
}
