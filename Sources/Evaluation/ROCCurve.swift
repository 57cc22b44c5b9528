/// One operating point: calling every score ≥ `threshold` fake gives these rates.
public struct ROCPoint: Sendable, Equatable {
    public var falsePositiveRate: Double
    public var truePositiveRate: Double
    /// +∞ for the first point (nothing called fake).
    public var threshold: Double

    public init(falsePositiveRate: Double, truePositiveRate: Double, threshold: Double) {
        self.falsePositiveRate = falsePositiveRate
        self.truePositiveRate = truePositiveRate
        self.threshold = threshold
    }

    /// The share of fakes called real.
    public var falseNegativeRate: Double { 1 - truePositiveRate }
}

/// The equal-error operating point: false-positive rate = false-negative rate.
public struct EqualErrorRate: Sendable, Equatable, Codable {
    public var rate: Double
    /// The score threshold at which the two error rates meet (linear between the two ROC
    /// points the crossing lies between; the lower point's threshold on the first segment,
    /// whose upper end is the +∞ "nothing is fake" point).
    public var threshold: Double
}

/// The ROC curve at every distinct score (as scikit-learn's `roc_curve` with
/// `drop_intermediate=False`), from (0, 0) at threshold +∞ to (1, 1).
public struct ROCCurve: Sendable, Equatable {
    public let points: [ROCPoint]

    public init(_ samples: [LabelledScore]) throws {
        let (fakes, reals) = try samples.requireBothClasses()
        var points = [ROCPoint(falsePositiveRate: 0, truePositiveRate: 0, threshold: .infinity)]
        var truePositives = 0
        var falsePositives = 0
        for group in samples.groupsByDescendingScore() {
            truePositives += group.fakes
            falsePositives += group.reals
            points.append(ROCPoint(
                falsePositiveRate: Double(falsePositives) / Double(reals),
                truePositiveRate: Double(truePositives) / Double(fakes),
                threshold: group.score))
        }
        self.points = points
    }

    /// Where FPR − FNR changes sign, interpolated linearly along the ROC segment that crosses.
    /// FPR − FNR is −1 at the first point and +1 at the last and never decreases, so the
    /// crossing exists and is unique (up to a flat stretch, where its start is taken).
    public var equalErrorRate: EqualErrorRate {
        func gap(_ p: ROCPoint) -> Double { p.falsePositiveRate - p.falseNegativeRate }
        for index in 1..<points.count where gap(points[index]) >= 0 {
            let lower = points[index - 1]
            let upper = points[index]
            let t = -gap(lower) / (gap(upper) - gap(lower))
            let rate = lower.falsePositiveRate + t * (upper.falsePositiveRate - lower.falsePositiveRate)
            let threshold = lower.threshold.isFinite
                ? lower.threshold + t * (upper.threshold - lower.threshold)
                : upper.threshold
            return EqualErrorRate(rate: rate, threshold: threshold)
        }
        // Unreachable: the last point is (1, 1), whose gap is +1.
        let last = points[points.count - 1]
        return EqualErrorRate(rate: last.falsePositiveRate, threshold: last.threshold)
    }
}
