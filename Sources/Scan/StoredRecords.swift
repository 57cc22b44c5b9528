import Foundation
import GRDB
import Aggregate
import Imaging
import Reports

/// A `video` table row: the file key, the configuration and the CSV row.
struct StoredVideo: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "video"

    var path: String
    var config: String
    var size: Int64
    var mtimeNs: Int64
    var status: String
    var pFake: Double?
    var verdict: String
    var threshold: Double
    var model: String
    var aggregator: String
    var framesSampled: Int
    var framesWithFace: Int
    var faceTracks: Int
    var durationS: Double?
    var width: Int?
    var height: Int?
    var codec: String?
    var elapsedS: Double
    var error: String?
    var finishedAt: Double
    /// SHA-256 of the file's bytes (ContentHash); nil in stores written before it was kept.
    var contentSHA256: String?
    /// Each model's verdict (JSON of `[ModelScore]`) of a run with several models; nil with one.
    var modelResults: String?
    /// A model with manipulation classes: the video's most likely class and its probability.
    var manipulation: String?
    var manipulationP: Double?

    enum CodingKeys: String, CodingKey {
        case path, config, size, mtimeNs = "mtime_ns", status, pFake = "p_fake", verdict, threshold, model,
            aggregator, framesSampled = "frames_sampled", framesWithFace = "frames_with_face",
            faceTracks = "face_tracks", durationS = "duration_s", width, height, codec,
            elapsedS = "elapsed_s", error, finishedAt = "finished_at", contentSHA256 = "content_sha256",
            modelResults = "model_results", manipulation, manipulationP = "manipulation_p"
    }

    init(key: FileKey, configuration: String, row: VideoRow, finishedAt: Double, contentSHA256: String? = nil) {
        path = key.path
        config = configuration
        size = key.size
        mtimeNs = key.modificationNanoseconds
        status = row.status.rawValue
        pFake = row.pFake
        verdict = row.verdict.rawValue
        threshold = row.threshold
        model = row.model
        aggregator = row.aggregator
        framesSampled = row.framesSampled
        framesWithFace = row.framesWithFace
        faceTracks = row.faceTracks
        durationS = row.durationSeconds
        width = row.width
        height = row.height
        codec = row.codec
        elapsedS = row.elapsedSeconds
        error = row.error
        self.finishedAt = finishedAt
        self.contentSHA256 = contentSHA256
        modelResults = row.models.isEmpty ? nil : (try? JSONEncoder().encode(row.models)).map { String(decoding: $0, as: UTF8.self) }
        manipulation = row.manipulation
        manipulationP = row.manipulationP
    }

    var fileKey: FileKey { FileKey(path: path, size: size, modificationNanoseconds: mtimeNs) }

    /// The CSV row, or nil when a stored value could not have been written by the scan (a
    /// p_fake outside [0, 1], an unknown status, negative counts …): a damaged or edited store
    /// must not put such values in the CSV, so the video counts as not stored and is scanned again.
    var validRow: VideoRow? {
        guard let status = ScanStatus(rawValue: status), let verdict = Verdict(rawValue: verdict) else { return nil }
        func fraction(_ value: Double) -> Bool { value.isFinite && value >= 0 && value <= 1 }
        func nonNegative(_ value: Double?) -> Bool { value.map { $0.isFinite && $0 >= 0 } ?? true }
        guard size >= 0, fraction(threshold), nonNegative(elapsedS), nonNegative(durationS), finishedAt.isFinite,
              framesSampled >= 0, framesWithFace >= 0, faceTracks >= 0, (width ?? 0) >= 0, (height ?? 0) >= 0,
              pFake.map(fraction) ?? true, manipulationP.map(fraction) ?? true, (manipulation == nil) == (manipulationP == nil),
              (status == .ok) == (pFake != nil),
              verdict == Aggregation.verdict(pFake: pFake, threshold: threshold)
        else { return nil }
        var models: [ModelScore] = []
        if let modelResults {
            guard let decoded = try? JSONDecoder().decode([ModelScore].self, from: Data(modelResults.utf8)),
                  decoded.allSatisfy({ ($0.pFake.map(fraction) ?? true) && ($0.pFake == nil) == ($0.verdict == .unknown) })
            else { return nil }
            models = decoded
        }
        var row = VideoRow(
            path: path, status: status, pFake: pFake, verdict: verdict, threshold: threshold, model: model,
            aggregator: aggregator, framesSampled: framesSampled, framesWithFace: framesWithFace,
            faceTracks: faceTracks, durationSeconds: durationS, width: width, height: height, codec: codec,
            elapsedSeconds: elapsedS, error: error, models: models)
        row.manipulation = manipulation
        row.manipulationP = manipulationP
        return row
    }

    /// SQL condition true for a `face` row whose values the scan could have written (NULL,
    /// text or infinite values fail it): a video with any other face row counts as not stored.
    static let validFaceCondition: String = {
        let reals = ["seconds", "box_x", "box_y", "box_w", "box_h"].map { "typeof(\($0)) = 'real' AND abs(\($0)) < 1e12" }
        let counts = ["frame_index", "track"].map { "typeof(\($0)) = 'integer' AND \($0) >= 0" }
        return (["typeof(p_fake) = 'real' AND p_fake BETWEEN 0 AND 1", "seconds >= 0", "box_w >= 0", "box_h >= 0",
                 "(p_fake_by_model IS NULL OR json_valid(p_fake_by_model))",
                 "(manipulation_probabilities IS NULL OR json_valid(manipulation_probabilities))"]
            + reals + counts).joined(separator: " AND ")
    }()
}

/// A `face` table row: one scored face crop of a stored video.
struct StoredFace: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "face"

    var id: Int64?
    var path: String
    var config: String
    var frameIndex: Int
    var seconds: Double
    var track: Int
    var boxX: Double
    var boxY: Double
    var boxW: Double
    var boxH: Double
    var pFake: Double
    var maskFlagged: Double?
    var maskMean: Double?
    var maskFile: String?
    /// JSON array of the attention overlay files (`scan --attention`); nil without.
    var attentionFiles: String?
    /// JSON object of each model's p_fake of the crop, by name; nil with one model.
    var pFakeByModel: String?
    /// JSON object of each manipulation class's probability, by class; nil for models without classes.
    var manipulationProbabilities: String?

    enum CodingKeys: String, CodingKey {
        case id, path, config, frameIndex = "frame_index", seconds, track, boxX = "box_x", boxY = "box_y",
            boxW = "box_w", boxH = "box_h", pFake = "p_fake"
        case maskFlagged = "mask_flagged", maskMean = "mask_mean", maskFile = "mask_file"
        case attentionFiles = "attention_files"
        case pFakeByModel = "p_fake_by_model"
        case manipulationProbabilities = "manipulation_probabilities"
    }

    init(face: FaceRow, path: String, configuration: String) {
        id = nil
        self.path = path
        config = configuration
        frameIndex = face.frameIndex
        seconds = face.seconds
        track = face.track
        boxX = face.box.x
        boxY = face.box.y
        boxW = face.box.width
        boxH = face.box.height
        pFake = face.pFake
        maskFlagged = face.maskFlagged
        maskMean = face.maskMean
        maskFile = face.maskFile
        attentionFiles = face.attentionFiles.flatMap { try? String(decoding: JSONEncoder().encode($0), as: UTF8.self) }
        pFakeByModel = face.pFakeByModel.flatMap(Self.sortedJSON)
        manipulationProbabilities = face.manipulationProbabilities.flatMap(Self.sortedJSON)
    }

    private static func sortedJSON(_ values: [String: Double]) -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(values)).map { String(decoding: $0, as: UTF8.self) }
    }

    var face: FaceRow {
        FaceRow(
            video: path, frameIndex: frameIndex, seconds: seconds, track: track,
            box: FaceBox(x: boxX, y: boxY, width: boxW, height: boxH), pFake: pFake,
            maskFlagged: maskFlagged, maskMean: maskMean, maskFile: maskFile,
            attentionFiles: attentionFiles.flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) },
            pFakeByModel: pFakeByModel.flatMap { try? JSONDecoder().decode([String: Double].self, from: Data($0.utf8)) },
            manipulationProbabilities: manipulationProbabilities.flatMap {
                try? JSONDecoder().decode([String: Double].self, from: Data($0.utf8))
            })
    }
}
