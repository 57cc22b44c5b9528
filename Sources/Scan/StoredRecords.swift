import GRDB
import Aggregate
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

    enum CodingKeys: String, CodingKey {
        case path, config, size, mtimeNs = "mtime_ns", status, pFake = "p_fake", verdict, threshold, model,
            aggregator, framesSampled = "frames_sampled", framesWithFace = "frames_with_face",
            faceTracks = "face_tracks", durationS = "duration_s", width, height, codec,
            elapsedS = "elapsed_s", error, finishedAt = "finished_at"
    }

    init(key: FileKey, configuration: String, row: VideoRow, finishedAt: Double) {
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
    }

    var fileKey: FileKey { FileKey(path: path, size: size, modificationNanoseconds: mtimeNs) }

    var row: VideoRow {
        VideoRow(
            path: path, status: ScanStatus(rawValue: status) ?? .error, pFake: pFake,
            verdict: Verdict(rawValue: verdict) ?? .unknown, threshold: threshold, model: model,
            aggregator: aggregator, framesSampled: framesSampled, framesWithFace: framesWithFace,
            faceTracks: faceTracks, durationSeconds: durationS, width: width, height: height, codec: codec,
            elapsedSeconds: elapsedS, error: error)
    }
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

    enum CodingKeys: String, CodingKey {
        case id, path, config, frameIndex = "frame_index", seconds, track, boxX = "box_x", boxY = "box_y",
            boxW = "box_w", boxH = "box_h", pFake = "p_fake"
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
    }

    var face: FaceRow {
        FaceRow(
            video: path, frameIndex: frameIndex, seconds: seconds, track: track,
            box: FaceBox(x: boxX, y: boxY, width: boxW, height: boxH), pFake: pFake)
    }
}
