import Aggregate
import Foundation

/// The values the card template of one video reads (plain stored properties: the template
/// engine reads them by reflection). Built by `VideoCard.make`; every text is escaped by the
/// template, never here.
struct VideoCard {
    var anchor: String
    var rank: Int
    var path: String
    var verdict: String
    var status: String
    var pFake: String
    var facts: [Fact]
    var error: String?
    var notes: [String]
    /// The worst track's manipulation class probabilities (a model with classes); nil otherwise.
    var classes: ClassBars?
    var tracks: [TrackView]

    struct Fact { var name: String; var value: String }

    struct TrackView {
        var title: String
        var faces: [FaceView]
        var plot: PlotView
    }

    struct FaceView {
        var kind: String
        /// At or above the threshold (a red frame) or below (green).
        var side: String
        var caption: String
        var source: String
        var overlays: [OverlayView]
        var hasOverlays: Bool
        /// The crop's attention maps (MAT), shown beside it; nil without.
        var attention: AttentionView?
    }

    struct OverlayView { var label: String; var source: String }

    struct AttentionView {
        var maps: [OverlayView]
        var caption: String
    }

    /// Whether the card has parts that need `ReportStyle.modelCSS`.
    var usesModelStyle: Bool {
        classes != nil || tracks.contains { $0.faces.contains { $0.attention != nil } }
    }
}

extension VideoCard {
    static func anchor(rank: Int) -> String { "v\(rank)" }

    /// The card of the video at `rank` (1 = most suspicious) in the report's order.
    static func make(rank: Int, row: VideoRow, evidence: VideoEvidence) -> VideoCard {
        var facts = [Fact(name: "status", value: row.status.rawValue)]
        if let duration = row.durationSeconds { facts.append(Fact(name: "duration", value: NumberText.fixed(duration, digits: 1) + " s")) }
        if let width = row.width, let height = row.height { facts.append(Fact(name: "size", value: "\(width)×\(height)")) }
        if let codec = row.codec { facts.append(Fact(name: "codec", value: codec)) }
        facts.append(Fact(name: "frames with a face", value: "\(row.framesWithFace) of \(row.framesSampled)"))
        facts.append(Fact(name: "face tracks", value: String(row.faceTracks)))
        facts.append(Fact(name: "model", value: row.model))
        if let manipulation = row.manipulation {
            facts.append(Fact(name: "manipulation", value: manipulation
                + (row.manipulationP.map { " (p \(NumberText.fixed($0, digits: 3)))" } ?? "")))
        }
        facts.append(Fact(name: "threshold", value: NumberText.shortest(row.threshold)))
        facts.append(Fact(name: "scan time", value: NumberText.fixed(row.elapsedSeconds, digits: 1) + " s"))

        var notes: [String] = []
        if let note = evidence.thumbnailNote { notes.append(note) }
        if let note = evidence.attentionNote { notes.append(note) }
        if row.status == .ok && evidence.faces.isEmpty {
            notes.append("No per-face scores: give the scan's JSONL (scan --jsonl, report --faces) for plots and faces.")
        }
        let aggregator = Aggregator(rawValue: row.aggregator) ?? .default
        let chosen = ThumbnailChoice.chosen(from: evidence.faces)
        let allTracks = ThumbnailChoice.tracksWorstFirst(evidence.faces)
        if allTracks.count > chosen.count {
            notes.append("\(allTracks.count - chosen.count) more face tracks not shown (the \(chosen.count) most suspicious are).")
        }
        let thumbnails = Dictionary(evidence.thumbnails.map { (FaceKey($0.face), $0) }, uniquingKeysWith: { a, _ in a })
        let xMax = max(row.durationSeconds ?? 0, evidence.faces.map(\.seconds).max() ?? 0, 0.001)
        let tracks = zip(allTracks, chosen).map { track, chosenFaces in
            trackView(track, chosen: chosenFaces, thumbnails: thumbnails, aggregator: aggregator,
                      threshold: row.threshold, xMax: xMax)
        }
        return VideoCard(
            anchor: anchor(rank: rank), rank: rank, path: row.path, verdict: row.verdict.rawValue,
            status: row.status.rawValue, pFake: row.pFake.map { NumberText.fixed($0, digits: 3) } ?? "–",
            facts: facts, error: row.error, notes: notes,
            classes: ClassBars.make(faces: evidence.faces, aggregator: aggregator, threshold: row.threshold), tracks: tracks)
    }

    private static func trackView(_ track: [FaceRow], chosen: [FaceRow], thumbnails: [FaceKey: FaceThumbnail],
                                  aggregator: Aggregator, threshold: Double, xMax: Double) -> TrackView {
        let score = aggregator.score(track.map(\.pFake), threshold: threshold)
        let title = "Track \(track[0].track): \(aggregator.rawValue) p_fake "
            + (score.map { NumberText.fixed($0, digits: 3) } ?? "–") + " over \(track.count) frame\(track.count == 1 ? "" : "s")"
        let most = min(ThumbnailChoice.mostSuspiciousPerTrack, chosen.count)
        let faces = chosen.enumerated().compactMap { position, face -> FaceView? in
            guard let thumbnail = thumbnails[FaceKey(face)] else { return nil }
            let overlays = thumbnail.overlays.map {
                OverlayView(label: $0.label, source: dataURI(mimeType: $0.mimeType, bytes: $0.bytes))
            }
            let maps = thumbnail.attentionMaps.map {
                OverlayView(label: $0.label, source: dataURI(mimeType: $0.mimeType, bytes: $0.bytes))
            }
            return FaceView(
                kind: position < most ? "most" : "least", side: face.pFake >= threshold ? "above" : "below",
                caption: "p \(NumberText.fixed(face.pFake, digits: 3)) · frame \(face.frameIndex) · \(NumberText.fixed(face.seconds, digits: 2)) s",
                source: dataURI(mimeType: "image/jpeg", bytes: thumbnail.jpeg), overlays: overlays,
                hasOverlays: !overlays.isEmpty,
                attention: maps.isEmpty ? nil : AttentionView(maps: maps, caption: AttentionView.caption))
        }
        return TrackView(title: title, faces: faces, plot: PlotView(track: track, threshold: threshold, xMax: xMax))
    }

    static func dataURI(mimeType: String, bytes: [UInt8]) -> String {
        "data:\(mimeType);base64," + Data(bytes).base64EncodedString()
    }
}

/// A face identified by track and frame (one face per track and frame).
struct FaceKey: Hashable {
    var track: Int
    var frame: Int
    init(_ face: FaceRow) {
        track = face.track
        frame = face.frameIndex
    }
}
