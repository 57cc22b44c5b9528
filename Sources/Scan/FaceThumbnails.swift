import FaceAlign
import Foundation
import Imaging
import Reports
import VideoDecode

/// The pixels of the faces the HTML report shows, fetched again from the video: the scan's
/// JSONL keeps scores and boxes, not pictures. Only the chosen frames are decoded (a handful
/// per track), YuNet takes a close look at the stored box and the face is aligned with the
/// scan's template, so the thumbnail is the crop the model saw, give or take a landmark's jitter.
public struct FaceThumbnails: Sendable {
    public var options: FaceAlignOptions
    /// libjpeg-style quality of the thumbnails.
    public var quality: Int
    /// The folder of `scan --masks`: a face whose row names a mask overlay shows it on hover.
    public var masksDirectory: String?
    /// The folder of `scan --attention`: a face whose row names attention maps shows them beside it.
    public var attentionDirectory: String?

    public init(options: FaceAlignOptions = FaceAlignOptions(), quality: Int = 80, masksDirectory: String? = nil,
                attentionDirectory: String? = nil) {
        self.options = options
        self.quality = quality
        self.masksDirectory = masksDirectory
        self.attentionDirectory = attentionDirectory
    }

    /// The mask overlay `scan --masks` wrote for this crop, if any and if it can be read, at
    /// the thumbnail's size as JPEG (the full-size PNG would be ten times the bytes).
    func maskOverlays(for face: FaceRow) -> [FaceOverlay] {
        guard let masksDirectory, let file = face.maskFile,
              let overlay = try? StillImage.read(path: masksDirectory + "/" + file),
              let jpeg = try? StillImage.encodeJPEG(
                  Self.maskedHalf(of: overlay).resampled(width: ThumbnailChoice.side, height: ThumbnailChoice.side),
                  quality: quality)
        else { return [] }
        let flagged = face.maskFlagged.map { ", \(Int(($0 * 100).rounded())) % of the face flagged" } ?? ""
        return [FaceOverlay(label: "manipulation mask\(flagged)", mimeType: "image/jpeg", bytes: jpeg)]
    }

    /// The evidence of one video: its faces and thumbnails of the chosen ones, or a note on
    /// why there are none. Never throws: a report is still worth having without pictures.
    public func evidence(path: String, faces: [FaceRow]) -> VideoEvidence {
        let chosen = ThumbnailChoice.chosen(from: faces).flatMap { $0 }
        guard !chosen.isEmpty else { return VideoEvidence(faces: faces) }
        do {
            let (thumbnails, attentionNote) = withAttentionMaps(try make(path: path, chosen: chosen))
            let missing = chosen.count - thumbnails.count
            let note = missing == 0 ? nil
                : "\(missing) of \(chosen.count) chosen faces were not found again in their frames; they have no picture."
            return VideoEvidence(faces: faces, thumbnails: thumbnails, thumbnailNote: note, attentionNote: attentionNote)
        } catch {
            return VideoEvidence(faces: faces, thumbnailNote: "No face pictures: the video cannot be read here (\(error)).")
        }
    }

    /// The overlay files put the face and the face under its mask side by side; the report
    /// lays only the masked half over the face it already shows.
    static func maskedHalf(of overlay: RGBImage) -> RGBImage {
        guard overlay.width == 2 * overlay.height else { return overlay }
        let side = overlay.height
        var half = RGBImage(width: side, height: side)
        for y in 0..<side {
            let from = (y * overlay.width + side) * 3
            half.pixels.replaceSubrange(y * side * 3..<(y + 1) * side * 3, with: overlay.pixels[from..<from + side * 3])
        }
        return half
    }

    private func make(path: String, chosen: [FaceRow]) throws -> [FaceThumbnail] {
        let reader = try VideoReader(fileSystemPath: PathText.bytes(of: path), decodeThreads: 1)
        let locator = try YuNetLocator(detectSize: options.detectSize, retrySize: options.retrySize,
                                       hintFaceSize: options.hintFaceSize)
        let aligner = FaceAligner(template: FaceTemplate(cropSize: options.cropSize, margin: options.margin))
        let byFrame = Dictionary(grouping: chosen, by: \.frameIndex)
        var thumbnails: [FaceThumbnail] = []
        var failure: Error?
        reader.sample(indices: Array(byFrame.keys)) { frame in
            for face in byFrame[frame.index] ?? [] {
                do {
                    if let crop = try alignedCrop(of: face, in: frame.image, locator: locator, aligner: aligner) {
                        let small = crop.resampled(width: ThumbnailChoice.side, height: ThumbnailChoice.side)
                        thumbnails.append(FaceThumbnail(face: face, jpeg: try StillImage.encodeJPEG(small, quality: quality),
                                                        overlays: maskOverlays(for: face)))
                    }
                } catch {
                    failure = error
                    return false
                }
            }
            return true
        }
        if let failure { throw failure }
        return thumbnails
    }

    /// The aligned crop of the face YuNet finds closest to the scan's box (nil when none overlaps it).
    private func alignedCrop(of face: FaceRow, in image: RGBImage, locator: YuNetLocator, aligner: FaceAligner) throws -> RGBImage? {
        let box = face.box
        let found = try locator.detect(in: image, near: [box])
        guard let best = found.max(by: { $0.box.iou(box) < $1.box.iou(box) }), best.box.iou(box) >= 0.3 else { return nil }
        return aligner.align(best.landmarks, in: image)?.crop
    }
}

extension FaceThumbnails {
    /// The thumbnails with the attention maps their rows name (`scan --attention`), read from
    /// `attentionDirectory`, and one line on the files that could not be read, if any.
    func withAttentionMaps(_ thumbnails: [FaceThumbnail]) -> ([FaceThumbnail], note: String?) {
        let named = thumbnails.reduce(0) { $0 + ($1.face.attentionFiles?.count ?? 0) }
        guard named > 0 else { return (thumbnails, nil) }
        guard let attentionDirectory else {
            return (thumbnails, "These faces have attention maps (attention_files in the JSONL); "
                    + "give the scan's attention folder (report --attention DIR) to see them.")
        }
        var unreadable: [String] = []
        let shown = thumbnails.map { thumbnail in
            var thumbnail = thumbnail
            let files = thumbnail.face.attentionFiles ?? []
            for (index, file) in files.enumerated() {
                let path = attentionDirectory + "/" + file
                do {
                    thumbnail.attentionMaps.append(FaceOverlay(
                        label: "attention map \(index + 1) of \(files.count)", mimeType: "image/jpeg",
                        bytes: try attentionPicture(path: path)))
                } catch {
                    unreadable.append("\(path) (\(error))")
                }
            }
            return thumbnail
        }
        let note = unreadable.first.map {
            "\(unreadable.count) of \(named) attention map files could not be read and are not shown, e.g. \($0)."
        }
        return (shown, note)
    }

    /// An overlay file (the face beside its tinted copy) as the tinted half, small, as JPEG: the
    /// PNG is ~180 kB, this ~1.1 kB.
    private func attentionPicture(path: String) throws -> [UInt8] {
        let overlay = try StillImage.read(path: path)
        let side = ThumbnailChoice.attentionSide
        return try StillImage.encodeJPEG(Self.maskedHalf(of: overlay).resampled(width: side, height: side), quality: quality)
    }
}
