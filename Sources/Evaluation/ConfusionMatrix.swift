/// Counts at one threshold; a score at or above the threshold is called fake (as `scan` does).
public struct ConfusionMatrix: Sendable, Equatable, Codable {
    /// Fakes called fake.
    public var truePositives = 0
    /// Fakes called real.
    public var falseNegatives = 0
    /// Reals called fake.
    public var falsePositives = 0
    /// Reals called real.
    public var trueNegatives = 0

    public init(truePositives: Int = 0, falseNegatives: Int = 0, falsePositives: Int = 0, trueNegatives: Int = 0) {
        self.truePositives = truePositives
        self.falseNegatives = falseNegatives
        self.falsePositives = falsePositives
        self.trueNegatives = trueNegatives
    }

    public init(_ samples: [LabelledScore], threshold: Double) {
        for sample in samples {
            let calledFake = sample.score >= threshold
            switch (sample.isFake, calledFake) {
            case (true, true): truePositives += 1
            case (true, false): falseNegatives += 1
            case (false, true): falsePositives += 1
            case (false, false): trueNegatives += 1
            }
        }
    }

    public var total: Int { truePositives + falseNegatives + falsePositives + trueNegatives }

    /// Share of samples called right; nil without samples.
    public var accuracy: Double? { ratio(truePositives + trueNegatives, total) }
    /// Share of fakes caught (recall, TPR); nil without fakes.
    public var truePositiveRate: Double? { ratio(truePositives, truePositives + falseNegatives) }
    /// Share of reals passed (specificity, TNR); nil without reals.
    public var trueNegativeRate: Double? { ratio(trueNegatives, trueNegatives + falsePositives) }
    /// Share of reals called fake (FPR); nil without reals.
    public var falsePositiveRate: Double? { ratio(falsePositives, trueNegatives + falsePositives) }

    private func ratio(_ part: Int, _ whole: Int) -> Double? {
        whole == 0 ? nil : Double(part) / Double(whole)
    }
}
