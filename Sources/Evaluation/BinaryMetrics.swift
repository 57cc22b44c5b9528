import Foundation

/// The field's threshold-free metrics of a binary detector (fake = positive class).
/// Pure functions on `[LabelledScore]`; they agree with scikit-learn's
/// `roc_auc_score`, `average_precision_score` and `log_loss`.
public enum BinaryMetrics {
    /// ROC AUC as the exact Mann–Whitney U statistic: the probability that a random fake scores
    /// above a random real, ties counting one half (tied scores get the average of their ranks).
    public static func rocAUC(_ samples: [LabelledScore]) throws -> Double {
        let (fakes, reals) = try samples.requireBothClasses()
        // Ranks ascend with the score; walk the groups from the lowest score up.
        var rankSumOfFakes = 0.0
        var ranksBelow = 0
        for group in samples.groupsByDescendingScore().reversed() {
            let size = group.fakes + group.reals
            let averageRank = Double(ranksBelow) + Double(size + 1) / 2
            rankSumOfFakes += averageRank * Double(group.fakes)
            ranksBelow += size
        }
        let u = rankSumOfFakes - Double(fakes) * Double(fakes + 1) / 2
        return u / (Double(fakes) * Double(reals))
    }

    /// Average precision as scikit-learn defines it: Σₙ (Rₙ − Rₙ₋₁) Pₙ over the distinct
    /// thresholds, a step function with no interpolation (so it never flatters the curve).
    /// Defined without reals (it is then 1); needs at least one fake.
    public static func averagePrecision(_ samples: [LabelledScore]) throws -> Double {
        if samples.isEmpty { throw MetricError.noSamples }
        if samples.contains(where: { $0.score.isNaN }) { throw MetricError.scoreNotANumber }
        let fakes = samples.fakeCount
        guard fakes > 0 else { throw MetricError.noFakes }
        var truePositives = 0
        var falsePositives = 0
        var previousRecall = 0.0
        var sum = 0.0
        for group in samples.groupsByDescendingScore() {
            truePositives += group.fakes
            falsePositives += group.reals
            let recall = Double(truePositives) / Double(fakes)
            let precision = Double(truePositives) / Double(truePositives + falsePositives)
            sum += (recall - previousRecall) * precision
            previousRecall = recall
        }
        return sum
    }

    /// Mean binary cross-entropy with scores clipped to [ε, 1 − ε], so one confident mistake
    /// costs −log ε ≈ 16.1 instead of infinity. Defined for one class alone.
    public static func logLoss(_ samples: [LabelledScore], epsilon: Double = 1e-7) throws -> Double {
        if samples.isEmpty { throw MetricError.noSamples }
        var total = 0.0
        for sample in samples {
            if sample.score.isNaN { throw MetricError.scoreNotANumber }
            let p = min(max(sample.score, epsilon), 1 - epsilon)
            total -= sample.isFake ? log(p) : log(1 - p)
        }
        return total / Double(samples.count)
    }
}
