import FaceAlign
import Imaging

/// How far the close look's landmarks move with its size, in aligned-crop pixels.
///
/// For every face the extractor keeps, close looks at each of `faceSizes` are taken around
/// that face's box (the same hint for all, so only the size differs) and their landmarks are
/// compared: pairwise; each size against the mean of the other sizes' landmarks (a consensus
/// with less of any one look's error); and each size against itself with the hint moved by
/// 5 % of the box, as the tracker's hints move from frame to frame — the detector's own
/// jitter, the scale against which the other figures mean something. Distances are in crop
/// pixels (the face's frame → crop scale); "crop shift" is how far the aligned crop's content
/// moves between the two alignments, averaged over the template points. Not timed.
final class LandmarkComparison {
    let faceSizes: [Int]
    private let locators: [YuNetLocator]
    private let template: FaceTemplate
    /// Per pair of `faceSizes` indices (i < j): point distances, mean signed offsets and crop
    /// shifts; (i, consensus) against the others' mean, (i, shifted) against a moved hint.
    private var pairs: [Pair: Stats] = [:]

    private struct Pair: Hashable { var i: Int; var j: Int }
    private static let consensus = -1, shifted = -2
    private struct Stats {
        var distances: [Double] = []
        var dx = 0.0, dy = 0.0
        var cropShifts: [Double] = []
    }

    init(faceSizes: [Int], template: FaceTemplate = FaceTemplate()) throws {
        self.faceSizes = faceSizes
        self.locators = try faceSizes.map { try YuNetLocator(hintFaceSize: $0) }
        self.template = template
    }

    func add(_ faces: [AlignedFace], in image: RGBImage) throws {
        for face in faces {
            guard let toCrop = SimilarityTransform.leastSquares(from: face.landmarks, to: template.points) else { continue }
            // The look at each size whose box overlaps the face most; nil when it saw none.
            let looks = try locators.map { locator in
                try locator.detect(in: image, near: [face.box]).max { $0.box.iou(face.box) < $1.box.iou(face.box) }
            }
            let moved = FaceBox(x: face.box.x + 0.05 * face.box.width, y: face.box.y - 0.05 * face.box.width,
                                    width: face.box.width, height: face.box.height)
            for i in looks.indices {
                guard let a = looks[i]?.landmarks else { continue }
                for j in looks.indices where j > i {
                    if let b = looks[j]?.landmarks { record(a, b, Pair(i: i, j: j), scale: toCrop.scale) }
                }
                let others = looks.indices.filter { $0 != i }.compactMap { looks[$0]?.landmarks }
                if others.count == looks.count - 1 {
                    let mean = (0..<5).map { k in
                        Point(x: others.map { $0[k].x }.reduce(0, +) / Double(others.count),
                              y: others.map { $0[k].y }.reduce(0, +) / Double(others.count))
                    }
                    record(a, mean, Pair(i: i, j: Self.consensus), scale: toCrop.scale)
                }
                let again = try locators[i].detect(in: image, near: [moved]).max { $0.box.iou(face.box) < $1.box.iou(face.box) }
                if let again { record(a, again.landmarks, Pair(i: i, j: Self.shifted), scale: toCrop.scale) }
            }
        }
    }

    private func record(_ a: FiveLandmarks, _ b: FiveLandmarks, _ pair: Pair, scale: Double) {
        var stats = pairs[pair] ?? Stats()
        for (p, q) in zip(a, b) {
            let dx = (p.x - q.x) * scale, dy = (p.y - q.y) * scale
            stats.distances.append((dx * dx + dy * dy).squareRoot())
            stats.dx += dx / 5
            stats.dy += dy / 5
        }
        if let shift = cropShift(a, b) { stats.cropShifts.append(shift) }
        pairs[pair] = stats
    }

    /// How far the crop's content moves when aligned from `b` instead of `a`: mean distance,
    /// over the template points, between where each lands in the two crops.
    private func cropShift(_ a: FiveLandmarks, _ b: FiveLandmarks) -> Double? {
        guard let toCropA = SimilarityTransform.leastSquares(from: a, to: template.points),
              let toCropB = SimilarityTransform.leastSquares(from: b, to: template.points) else { return nil }
        let fromCropA = toCropA.inverse
        return template.points.map { q in
            let moved = toCropB.apply(fromCropA.apply(q))
            return ((moved.x - q.x) * (moved.x - q.x) + (moved.y - q.y) * (moved.y - q.y)).squareRoot()
        }.reduce(0, +) / Double(template.points.count)
    }

    func print() {
        Swift.print("\nclose-look landmarks between two close-look sizes (face px), same hint box, "
            + "in \(template.cropSize) px crop pixels: point distance mean / median / 90th percentile, "
            + "mean offset (x, y), crop content shift mean / median")
        for (pair, stats) in pairs.sorted(by: { ($0.key.i, -$0.key.j) < ($1.key.i, -$1.key.j) }) {
            let faces = stats.cropShifts.count
            let other = pair.j == Self.consensus ? "mean of the others"
                : pair.j == Self.shifted ? "itself, hint moved 5 %" : "\(faceSizes[pair.j])"
            Swift.print("  \(faceSizes[pair.i]) vs \(other): points \(fixed(mean(stats.distances), 2)) / "
                + "\(fixed(quantile(stats.distances, 0.5), 2)) / \(fixed(quantile(stats.distances, 0.9), 2)), "
                + "offset (\(fixed(stats.dx / Double(max(faces, 1)), 2)), \(fixed(stats.dy / Double(max(faces, 1)), 2))), "
                + "crop shift \(fixed(mean(stats.cropShifts), 2)) / \(fixed(quantile(stats.cropShifts, 0.5), 2)) "
                + "over \(faces) faces")
        }
    }

    private func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(max(values.count, 1)) }

    private func quantile(_ values: [Double], _ q: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(q * Double(sorted.count)))]
    }
}
