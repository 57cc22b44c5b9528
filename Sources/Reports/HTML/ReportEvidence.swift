/// One aligned face crop shown in the report, with the score the model gave it.
public struct FaceThumbnail: Sendable, Equatable {
    public var face: FaceRow
    /// A small JPEG of the aligned crop.
    public var jpeg: [UInt8]
    /// Explanation images drawn over the face (a ClassNSeg mask, an attention map): the report
    /// shows each on top of the crop, same size, when the reader hovers it. Empty until a
    /// model that explains itself fills it in.
    public var overlays: [FaceOverlay]
    /// Attention maps of the crop (MAT, `scan --attention`), small, in map order: the report shows
    /// them beside the face. Empty for other models and for crops without maps.
    public var attentionMaps: [FaceOverlay]

    public init(face: FaceRow, jpeg: [UInt8], overlays: [FaceOverlay] = [], attentionMaps: [FaceOverlay] = []) {
        self.face = face
        self.jpeg = jpeg
        self.overlays = overlays
        self.attentionMaps = attentionMaps
    }
}

/// An image laid over a face thumbnail: PNG or JPEG bytes of the crop's size (transparency
/// in a PNG shows the face through), and a label that says what it is.
public struct FaceOverlay: Sendable, Equatable {
    public var label: String
    public var mimeType: String
    public var bytes: [UInt8]

    public init(label: String, mimeType: String, bytes: [UInt8]) {
        self.label = label
        self.mimeType = mimeType
        self.bytes = bytes
    }
}

/// What the report shows of one video beyond its CSV row: its scored faces (the JSONL rows)
/// and the thumbnails of the chosen ones.
public struct VideoEvidence: Sendable, Equatable {
    public var faces: [FaceRow]
    public var thumbnails: [FaceThumbnail]
    /// Why some or all thumbnails are missing (the video cannot be read here …); nil when none is.
    public var thumbnailNote: String?
    /// Why some attention maps the JSONL names are not shown (a file is missing …); nil when none is.
    public var attentionNote: String?

    public init(faces: [FaceRow] = [], thumbnails: [FaceThumbnail] = [], thumbnailNote: String? = nil,
                attentionNote: String? = nil) {
        self.faces = faces
        self.thumbnails = thumbnails
        self.thumbnailNote = thumbnailNote
        self.attentionNote = attentionNote
    }
}

/// Which faces of a video get a thumbnail: per track the most suspicious frames and the least
/// suspicious one, so a reviewer sees what the score rests on and what the face looks like
/// when the model is calm. At most `tracksShown` tracks, the worst first.
public enum ThumbnailChoice {
    public static let mostSuspiciousPerTrack = 3
    public static let leastSuspiciousPerTrack = 1
    public static let tracksShown = 8
    /// Side of the square thumbnails in pixels (a multiple of 16, as the JPEG encoder wants).
    public static let side = 128
    /// Side of an attention map's picture: four of them, two by two, take a face's place. An
    /// attention map is 8×8 cells, so 64 pixels lose nothing of it.
    public static let attentionSide = 64

    /// The faces to show, grouped by track (worst track first), each track's faces from the
    /// most to the least suspicious.
    public static func chosen(from faces: [FaceRow]) -> [[FaceRow]] {
        tracksWorstFirst(faces).prefix(tracksShown).map { track in
            let ranked = track.sorted { ($0.pFake, $1.frameIndex) > ($1.pFake, $0.frameIndex) }
            let most = ranked.prefix(mostSuspiciousPerTrack)
            let least = ranked.dropFirst(most.count).suffix(leastSuspiciousPerTrack)
            return Array(most + least)
        }
    }

    /// Faces grouped by track, tracks ordered by their highest score (ties: lower id first),
    /// each track's faces in frame order.
    static func tracksWorstFirst(_ faces: [FaceRow]) -> [[FaceRow]] {
        Dictionary(grouping: faces, by: \.track).values
            .map { $0.sorted { $0.frameIndex < $1.frameIndex } }
            .sorted { a, b in
                let worstA = a.map(\.pFake).max() ?? 0, worstB = b.map(\.pFake).max() ?? 0
                return worstA != worstB ? worstA > worstB : a[0].track < b[0].track
            }
    }
}
