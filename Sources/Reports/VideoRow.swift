import Aggregate

/// How far the analysis of one video got.
public enum ScanStatus: String, Sendable, Equatable, Hashable, Codable, CaseIterable {
    /// At least one face was scored.
    case ok
    /// The video decoded but no face was found; verdict is unknown.
    case noFace = "no_face"
    /// The file could not be read or analysed; `error` says why.
    case error
}

/// One row of the results CSV: the verdict of one video (the DESIGN.md contract).
public struct VideoRow: Sendable, Equatable, Hashable, Codable {
    public var path: String
    public var status: ScanStatus
    /// The worst track's score; nil without a face or on error.
    public var pFake: Double?
    public var verdict: Verdict
    public var threshold: Double
    public var model: String
    public var aggregator: String
    public var framesSampled: Int
    public var framesWithFace: Int
    public var faceTracks: Int
    public var durationSeconds: Double?
    public var width: Int?
    public var height: Int?
    public var codec: String?
    public var elapsedSeconds: Double
    public var error: String?
    /// Each model's verdict when the run had several models (empty with one).
    public var models: [ModelScore]
    /// Models with manipulation classes: the most likely non-real class of the worst track (its
    /// crops' mean class probabilities) and that probability; nil otherwise or without a face.
    public var manipulation: String?
    public var manipulationP: Double?

    public init(
        path: String, status: ScanStatus, pFake: Double?, verdict: Verdict, threshold: Double,
        model: String, aggregator: String, framesSampled: Int = 0, framesWithFace: Int = 0,
        faceTracks: Int = 0, durationSeconds: Double? = nil, width: Int? = nil, height: Int? = nil,
        codec: String? = nil, elapsedSeconds: Double = 0, error: String? = nil, models: [ModelScore] = []
    ) {
        self.path = path
        self.status = status
        self.pFake = pFake
        self.verdict = verdict
        self.threshold = threshold
        self.model = model
        self.aggregator = aggregator
        self.framesSampled = framesSampled
        self.framesWithFace = framesWithFace
        self.faceTracks = faceTracks
        self.durationSeconds = durationSeconds
        self.width = width
        self.height = height
        self.codec = codec
        self.elapsedSeconds = elapsedSeconds
        self.error = error
        self.models = models
    }

    /// An error row for a file that could not be analysed.
    public static func failure(
        path: String, message: String, threshold: Double, model: String, aggregator: String,
        elapsedSeconds: Double = 0
    ) -> VideoRow {
        VideoRow(
            path: path, status: .error, pFake: nil, verdict: .unknown, threshold: threshold,
            model: model, aggregator: aggregator, elapsedSeconds: elapsedSeconds, error: message)
    }

    /// The CSV header, in contract order.
    public static let csvHeader = [
        "path", "status", "p_fake", "verdict", "threshold", "model", "aggregator", "frames_sampled",
        "frames_with_face", "face_tracks", "duration_s", "width", "height", "codec", "elapsed_s", "error",
    ]

    /// The row's cells in header order; absent values are empty cells.
    public var csvFields: [String] {
        [
            path, status.rawValue, pFake.map { NumberText.fixed($0, digits: 6) } ?? "",
            verdict.rawValue, NumberText.shortest(threshold), model, aggregator, String(framesSampled),
            String(framesWithFace), String(faceTracks),
            durationSeconds.map { NumberText.fixed($0, digits: 3) } ?? "",
            width.map(String.init) ?? "", height.map(String.init) ?? "", codec ?? "",
            NumberText.fixed(elapsedSeconds, digits: 3), error ?? "",
        ]
    }

    /// Parses the cells of one CSV line written by `csvFields` (a CSV read back for checks).
    public init(csvFields fields: [String]) throws {
        guard fields.count == Self.csvHeader.count else {
            throw ReportError.badRow("expected \(Self.csvHeader.count) cells, got \(fields.count)")
        }
        func number(_ i: Int) throws -> Double? {
            if fields[i].isEmpty { return nil }
            guard let value = Double(fields[i]) else {
                throw ReportError.badRow("\(Self.csvHeader[i]) '\(fields[i])' is not a number")
            }
            return value
        }
        func integer(_ i: Int) throws -> Int? {
            if fields[i].isEmpty { return nil }
            guard let value = Int(fields[i]) else {
                throw ReportError.badRow("\(Self.csvHeader[i]) '\(fields[i])' is not an integer")
            }
            return value
        }
        guard let status = ScanStatus(rawValue: fields[1]) else { throw ReportError.badRow("status '\(fields[1])'") }
        guard let verdict = Verdict(rawValue: fields[3]) else { throw ReportError.badRow("verdict '\(fields[3])'") }
        self.init(
            path: fields[0], status: status, pFake: try number(2), verdict: verdict,
            threshold: try number(4) ?? 0.5, model: fields[5], aggregator: fields[6],
            framesSampled: try integer(7) ?? 0, framesWithFace: try integer(8) ?? 0,
            faceTracks: try integer(9) ?? 0, durationSeconds: try number(10), width: try integer(11),
            height: try integer(12), codec: fields[13].isEmpty ? nil : fields[13],
            elapsedSeconds: try number(14) ?? 0, error: fields[15].isEmpty ? nil : fields[15])
    }
}

/// Errors of report writing and reading, with the reason.
public enum ReportError: Error, Equatable, CustomStringConvertible {
    case badRow(String)
    case unterminatedQuote(line: Int)
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case let .badRow(reason): return "bad CSV row: \(reason)"
        case let .unterminatedQuote(line): return "CSV quoted field opened on line \(line) never closes"
        case let .io(path, reason): return "\(path): \(reason)"
        }
    }
}
