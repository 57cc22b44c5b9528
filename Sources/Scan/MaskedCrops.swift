import Crypto
import Detectors
import Foundation
import Imaging
import NN
import VideoDecode

/// Stage 3 for models that also say where a crop looks manipulated (ClassNSeg).
public protocol CropMasking: CropScoring {
    /// Whether the loaded model makes masks (a pool of another architecture does not).
    var makesMasks: Bool { get }
    func pFakeAndMasks(of crops: [RGBImage]) throws -> [(pFake: Double, mask: ManipulationMask)]
    /// Whether the loaded model gives attention maps (MAT).
    var makesAttention: Bool { get }
    func pFakeAndAttention(of crops: [RGBImage]) throws -> [(pFake: Double, attention: AttentionMaps)]
}

extension CropMasking {
    public var makesAttention: Bool { false }
    public func pFakeAndAttention(of crops: [RGBImage]) throws -> [(pFake: Double, attention: AttentionMaps)] {
        throw PipelineError.noAttention
    }
}

/// What the JSONL says of one crop's mask.
public struct MaskSummary: Sendable, Equatable {
    /// Fraction of the crop's pixels flagged manipulated (probability ≥ 0.5).
    public var flaggedFraction: Double
    public var meanProbability: Double

    public init(_ mask: ManipulationMask) {
        flaggedFraction = mask.flaggedFraction
        meanProbability = mask.meanProbability
    }
}

/// A crop kept for its overlay: one of the most suspicious of its video.
public struct SuspiciousCrop: Sendable, Equatable {
    public var frameIndex: Int
    public var trackID: Int
    public var pFake: Double
    public var image: RGBImage
    /// The manipulation mask (`scan --masks`), or nil when the crop was kept for its attention maps.
    public var mask: ManipulationMask?
    /// The attention maps (`scan --attention`), or nil.
    public var attention: AttentionMaps? = nil

    /// The overlay's file name inside the video's folder.
    public var fileName: String { String(format: "f%06d-t%d.png", frameIndex, trackID) }

    /// The overlay file of attention map `index` inside the video's folder.
    public func attentionFileName(_ index: Int) -> String {
        String(format: "f%06d-t%d-a%d.png", frameIndex, trackID, index)
    }
}

/// The `limit` crops with the highest p_fake seen so far (earlier frame first on ties).
struct SuspiciousCrops {
    let limit: Int
    private(set) var kept: [SuspiciousCrop] = []

    init(limit: Int) { self.limit = limit }

    mutating func offer(_ crop: SuspiciousCrop) {
        guard limit > 0 else { return }
        if kept.count == limit, let last = kept.last, crop.pFake <= last.pFake { return }
        let position = kept.firstIndex { crop.pFake > $0.pFake } ?? kept.count
        kept.insert(crop, at: position)
        if kept.count > limit { kept.removeLast() }
    }
}

/// Writes the overlays of one video's suspicious crops as PNG into a folder of its own under
/// `directory`: the file's name plus a short hash of its full path, so two `clip.mp4` in
/// different folders do not overwrite each other.
public enum MaskOverlays {
    /// The video's folder name inside the masks directory.
    public static func folderName(for path: String) -> String {
        let base = URL(fileURLWithPath: path).lastPathComponent
        let safe = String(base.map { $0.isLetter || $0.isNumber || "._-".contains($0) ? $0 : "_" }.prefix(80))
        return safe + "-" + SHA256.hash(data: Data(path.utf8)).prefix(4).map { String(format: "%02x", $0) }.joined()
    }

    /// Writes every crop's overlay; returns each crop's file relative to `directory`, keyed by
    /// (frame index, track).
    public static func write(_ crops: [SuspiciousCrop], video path: String,
                             into directory: String) throws -> [FrameTrack: String] {
        guard !crops.isEmpty else { return [:] }
        let folder = folderName(for: path)
        try FileManager.default.createDirectory(atPath: directory + "/" + folder, withIntermediateDirectories: true)
        var files: [FrameTrack: String] = [:]
        for crop in crops {
            guard let mask = crop.mask else { continue }
            let relative = folder + "/" + crop.fileName
            // The mask covers the model's input (256²); a crop aligned at another size is resampled to it.
            let face = crop.image.width == mask.width && crop.image.height == mask.height ? crop.image
                : crop.image.resampled(width: mask.width, height: mask.height)
            try StillImage.writePNG(mask.overlay(on: face), to: directory + "/" + relative)
            files[FrameTrack(frameIndex: crop.frameIndex, trackID: crop.trackID)] = relative
        }
        return files
    }
}

/// Writes each attention map of one video's suspicious crops over the aligned face (the face
/// beside itself tinted where the map is high, `AttentionMaps.overlay`) as PNG, in the video's
/// folder (`MaskOverlays.folderName`) under `directory`.
public enum AttentionOverlays {
    /// Every crop's overlays; returns each crop's files relative to `directory`, in map order,
    /// keyed by (frame index, track).
    public static func write(_ crops: [SuspiciousCrop], video path: String,
                             into directory: String) throws -> [FrameTrack: [String]] {
        let kept = crops.filter { $0.attention != nil }
        guard !kept.isEmpty else { return [:] }
        let folder = MaskOverlays.folderName(for: path)
        try FileManager.default.createDirectory(atPath: directory + "/" + folder, withIntermediateDirectories: true)
        var files: [FrameTrack: [String]] = [:]
        for crop in kept {
            let maps = crop.attention!
            files[FrameTrack(frameIndex: crop.frameIndex, trackID: crop.trackID)] = try maps.maps.indices.map { index in
                let relative = folder + "/" + crop.attentionFileName(index)
                try StillImage.writePNG(maps.overlay(index, on: crop.image), to: directory + "/" + relative)
                return relative
            }
        }
        return files
    }
}

/// One face of one frame.
public struct FrameTrack: Hashable, Sendable {
    public var frameIndex: Int
    public var trackID: Int
}
