import Foundation

/// A face box in source-frame pixels (top-left corner, size).
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
}

/// One JSONL line: the score of one face crop.
public struct FaceRow: Sendable, Equatable, Hashable, Codable {
    public var video: String
    public var frameIndex: Int
    public var seconds: Double
    public var track: Int
    public var box: FaceBox
    public var pFake: Double

    public init(video: String, frameIndex: Int, seconds: Double, track: Int, box: FaceBox, pFake: Double) {
        self.video = video
        self.frameIndex = frameIndex
        self.seconds = seconds
        self.track = track
        self.box = box
        self.pFake = pFake
    }

    enum CodingKeys: String, CodingKey {
        case video, frameIndex = "frame_index", seconds, track, box, pFake = "p_fake"
    }

    /// The row as one line of JSON (keys sorted, no newline inside, trailing "\n").
    public func jsonLine() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(self)
        // JSONEncoder escapes control characters, so a newline in a path cannot split the line.
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Parses the lines of a JSONL file (blank lines ignored).
    public static func parseLines(_ text: String) throws -> [FaceRow] {
        let decoder = JSONDecoder()
        return try text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map {
            try decoder.decode(FaceRow.self, from: Data($0.utf8))
        }
    }
}
