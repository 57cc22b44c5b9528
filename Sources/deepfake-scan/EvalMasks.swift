import Detectors
import Evaluation
import Foundation
import Imaging
import Reports
import VideoDecode

/// `eval --mask-truth`: the labels' paths are aligned face crops (images, as `faces` writes
/// them or Training/pseudofakes/mask_set.py makes them), each scored whole by a masking model
/// (ClassNSeg); a `mask` column names each crop's ground-truth mask image (white = manipulated),
/// empty for a real = nothing manipulated. Reports the usual metrics per image, and the masks'
/// pixel accuracy and IoU (`MaskMetrics`).
extension Eval {
    static let maskColumn = "mask"

    func evaluateMasks(
        _ table: LabelTable, catalog: () -> ModelCatalog, print output: (String) -> Void
    ) throws -> Int32 {
        guard let column = table.categoryColumns.first(where: { $0.lowercased() == Self.maskColumn }) else {
            throw MaskTruthError.noMaskColumn(labels: labels, columns: table.categoryColumns)
        }
        let images = Self.videoPaths(table, labelsFile: labels)
        if let csv = scan.csv {
            try OutputPaths.check([PlannedOutput(option: "--csv", path: csv)], inputs: images + [labels])
        }
        let choice = try ModelLocation.choose(weights: scan.weights, model: scan.model, catalog: catalog)
        let detector = if let name = choice.architecture { try DetectorRegistry.load(name: name, weights: choice.weights) }
                       else { try DetectorRegistry.load(weights: choice.weights) }
        guard let masking = detector as? any MaskingDetector else {
            throw MaskTruthError.noMasks(model: detector.card.name, architecture: detector.card.architecture)
        }
        let folder = URL(fileURLWithPath: labels).deletingLastPathComponent()
        let threshold = detector.card.threshold ?? 0.5
        var scores: [VideoScore] = []
        var tallies: [(tally: MaskTally, isFake: Bool)] = []
        for start in stride(from: 0, to: table.videos.count, by: scan.batchSize) {
            let rows = start..<min(start + scan.batchSize, table.videos.count)
            let crops = try rows.map { try Self.crop(images[$0], size: detector.card.inputSize) }
            for (row, result) in zip(rows, try masking.pFakeAndMasks(crops: crops)) {
                let labelled = table.videos[row]
                let truth = try Self.truth(labelled, column: column, folder: folder, size: result.mask)
                let flagged = MaskPixels.flagged(result.mask.probabilities, threshold: ManipulationMask.flagThreshold)
                tallies.append((MaskTally(predicted: flagged, truth: truth), labelled.isFake))
                scores.append(VideoScore(path: labelled.path, status: .ok, pFake: Double(result.pFake), threshold: threshold))
            }
        }
        var report = try evaluator(table).evaluate(videos: scores)
        report.masks = MaskMetrics(images: tallies, flagThreshold: Double(ManipulationMask.flagThreshold))
        if let csv = scan.csv { try Self.writeRows(scores, tallies, to: csv) }
        output(json ? try report.json() : report.text)
        return 0
    }

    /// An image at the model's input size (aligned crops of another size are resampled, as `explain` does).
    private static func crop(_ path: String, size: Int) throws -> RGBImage {
        let image: RGBImage
        do { image = try StillImage.read(path: path) } catch { throw MaskTruthError.unreadable(path: path, reason: "\(error)") }
        return image.width == size && image.height == size ? image : image.resampled(width: size, height: size)
    }

    /// The ground truth of one labelled crop, pixel for pixel with the model's mask.
    private static func truth(_ labelled: LabelledVideo, column: String, folder: URL,
                              size mask: ManipulationMask) throws -> [Bool] {
        let name = labelled.categories[column] ?? ""
        guard !name.isEmpty else {
            if labelled.isFake { throw MaskTruthError.fakeWithoutMask(path: labelled.path) }
            return [Bool](repeating: false, count: mask.width * mask.height)
        }
        let path = name.hasPrefix("/") ? name : folder.appendingPathComponent(name).standardizedFileURL.path
        let image: RGBImage
        do { image = try StillImage.read(path: path) } catch { throw MaskTruthError.unreadable(path: path, reason: "\(error)") }
        guard image.width == mask.width, image.height == mask.height else {
            throw MaskTruthError.sizeMismatch(path: path, width: image.width, height: image.height,
                                              maskWidth: mask.width, maskHeight: mask.height)
        }
        return MaskPixels.truth(image)
    }

    /// `--csv`: one row per image, readable by `eval --scores` (path, status, p_fake, threshold)
    /// with the pixel counts beside.
    private static func writeRows(_ scores: [VideoScore], _ tallies: [(tally: MaskTally, isFake: Bool)], to path: String) throws {
        let rows = zip(scores, tallies).map { score, entry in
            let t = entry.tally
            return [score.path, score.status.rawValue, String(format: "%.6f", score.pFake ?? 0),
                    String(format: "%.4f", score.threshold ?? 0.5), entry.isFake ? "fake" : "real",
                    String(t.manipulated), String(t.flagged), String(t.truePositives), String(t.union)]
        }
        let header = ["path", "status", "p_fake", "threshold", "label", "truth_pixels", "flagged_pixels",
                      "intersection", "union"]
        try Data(CSV.document(header: header, rows: rows).utf8).write(to: URL(fileURLWithPath: path))
    }
}

/// Why `eval --mask-truth` cannot run; one line each.
enum MaskTruthError: Error, CustomStringConvertible {
    case noMaskColumn(labels: String, columns: [String])
    case noMasks(model: String, architecture: String)
    case fakeWithoutMask(path: String)
    case unreadable(path: String, reason: String)
    case sizeMismatch(path: String, width: Int, height: Int, maskWidth: Int, maskHeight: Int)

    var description: String {
        switch self {
        case let .noMaskColumn(labels, columns):
            return "--mask-truth needs a mask column in \(labels) (columns besides path and label: "
                + (columns.isEmpty ? "none" : columns.joined(separator: ", ")) + ")"
        case let .noMasks(model, architecture):
            return "model \(model) (\(architecture)) makes no manipulation masks; --mask-truth needs a masking model "
                + "such as classnseg (docs/classnseg.md)"
        case let .fakeWithoutMask(path):
            return "fake \(path) has no mask (only a real may leave the mask column empty)"
        case let .unreadable(path, reason):
            return "cannot read \(path): \(reason)"
        case let .sizeMismatch(path, width, height, maskWidth, maskHeight):
            return "mask \(path) is \(width)×\(height), the model's masks are \(maskWidth)×\(maskHeight)"
        }
    }
}
