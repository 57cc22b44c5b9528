import Foundation
import Imaging

/// One line of `scan --jsonl`: the score of one face crop. Its keys are the project's one face-row
/// schema (docs/output-format.md): `video` (the path as scanned), `frame_index` (presentation
/// order), `seconds`, `track`, `box` ({x, y, w, h} in source-frame pixels), then the model's
/// keys. `faces` writes the same first five keys with its own after them (`FaceCropLine`).
public struct FaceRow: Sendable, Equatable, Hashable, Codable {
    public var video: String
    public var frameIndex: Int
    public var seconds: Double
    public var track: Int
    public var box: FaceBox
    public var pFake: Double
    /// Models with masks (`scan --masks`): fraction of the aligned face flagged manipulated
    /// (mask probability ≥ 0.5), the mean mask probability, and the overlay PNG (relative to the
    /// masks folder) when this crop is one of its video's most suspicious. Absent otherwise.
    public var maskFlagged: Double?
    public var maskMean: Double?
    public var maskFile: String?
    /// Models with attention maps (`scan --attention`, MAT): the overlay PNGs of the crop's attention
    /// maps (relative to the attention folder) when it is one of its video's most suspicious.
    public var attentionFiles: [String]?
    /// Each model's p_fake of the crop, by card name, when the run had several models.
    public var pFakeByModel: [String: Double]?
    /// Models with manipulation classes (AMTENnet): each class's probability, by class name
    /// ("real" included; they sum to 1). Absent otherwise.
    public var manipulationProbabilities: [String: Double]?

    public init(video: String, frameIndex: Int, seconds: Double, track: Int, box: FaceBox, pFake: Double,
                maskFlagged: Double? = nil, maskMean: Double? = nil, maskFile: String? = nil,
                attentionFiles: [String]? = nil, pFakeByModel: [String: Double]? = nil,
                manipulationProbabilities: [String: Double]? = nil) {
        self.video = video
        self.frameIndex = frameIndex
        self.seconds = seconds
        self.track = track
        self.box = box
        self.pFake = pFake
        self.maskFlagged = maskFlagged
        self.maskMean = maskMean
        self.maskFile = maskFile
        self.attentionFiles = attentionFiles
        self.pFakeByModel = pFakeByModel
        self.manipulationProbabilities = manipulationProbabilities
    }

    enum CodingKeys: String, CodingKey {
        case video, frameIndex = "frame_index", seconds, track, box, pFake = "p_fake"
        case maskFlagged = "mask_flagged", maskMean = "mask_mean", maskFile = "mask_file"
        case attentionFiles = "attention_files"
        case pFakeByModel = "p_fake_by_model"
        case manipulationProbabilities = "manipulation_probabilities"
    }

    /// The row as one line of JSON (keys sorted, no newline inside, trailing "\n").
    public func jsonLine() throws -> String { try Self.jsonLine(encoding: self) }

    /// Parses the lines of a JSONL file (blank lines ignored).
    public static func parseLines(_ text: String) throws -> [FaceRow] { try parseLines(text, as: FaceRow.self) }

    /// How every face-row file writes a line: keys sorted, slashes as they are, trailing "\n".
    static func jsonLine<Line: Encodable>(encoding line: Line) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(line)
        // JSONEncoder escapes control characters, so a newline in a path cannot split the line.
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static func parseLines<Line: Decodable>(_ text: String, as type: Line.Type) throws -> [Line] {
        let decoder = JSONDecoder()
        var lines: [Line] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let content = line.hasSuffix("\r") ? line.dropLast() : line
            if content.isEmpty { continue }
            do { lines.append(try decoder.decode(Line.self, from: Data(content.utf8))) } catch {
                throw FaceLineError(line: index + 1, error: error)
            }
        }
        return lines
    }
}

/// A line of a face-rows file that is not a face row: its number (from 1) and what is wrong,
/// in one line rather than `DecodingError`'s dump.
public struct FaceLineError: Error, Equatable, CustomStringConvertible {
    public let line: Int
    public let reason: String

    init(line: Int, error: Error) {
        self.line = line
        switch error {
        case let DecodingError.keyNotFound(key, _): reason = "no \"\(key.stringValue)\""
        case let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context):
            reason = "\"\(context.codingPath.map(\.stringValue).joined(separator: "."))\" has the wrong type"
        case DecodingError.dataCorrupted: reason = "not a JSON object"
        default: reason = "\(error)"
        }
    }

    public var description: String { "line \(line): \(reason)" }
}
