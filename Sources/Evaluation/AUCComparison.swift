import Imaging

/// Another model's scores of the same labelled videos (`eval --compare SCAN.csv`).
public struct ComparedScores: Sendable {
    /// How the report names them (the CSV's path).
    public var name: String
    public var videos: [VideoScore]

    public init(name: String, videos: [VideoScore]) {
        self.name = name
        self.videos = videos
    }
}

/// This evaluation's video AUC against another model's on the videos both scored, with a
/// paired bootstrap interval of the difference: each resample draws the same videos for both
/// models, so what the two share (which videos are hard) cancels, and the interval is narrower
/// than the two AUCs' own intervals suggest. Chooses between models without guessing from
/// overlapping intervals.
public struct AUCComparison: Sendable, Equatable, Codable {
    /// The other scores, as `ComparedScores.name` names them.
    public var against: String
    /// Labelled videos that both score (under the evaluation's no-face policy).
    public var videos: Int
    public var auc: Double
    public var otherAUC: Double
    /// auc − otherAUC.
    public var difference: Double
    /// 95 % percentile interval of the difference; nil without `--bootstrap`.
    public var interval: BootstrapInterval?

    public init(against: String, videos: Int, auc: Double, otherAUC: Double, difference: Double, interval: BootstrapInterval?) {
        self.against = against
        self.videos = videos
        self.auc = auc
        self.otherAUC = otherAUC
        self.difference = difference
        self.interval = interval
    }

    /// `pairs`: one (this, other) sample per video, both with the video's label.
    public static func compute(against: String, pairs: [(this: LabelledScore, other: LabelledScore)],
                               resamples: Int, seed: UInt64) throws -> AUCComparison {
        let this = pairs.map(\.this)
        let other = pairs.map(\.other)
        let auc = try BinaryMetrics.rocAUC(this)
        let otherAUC = try BinaryMetrics.rocAUC(other)
        let interval = resamples > 0 ? try Bootstrap.differenceInterval(pairs, resamples: resamples, seed: seed) : nil
        return AUCComparison(against: against, videos: pairs.count, auc: auc, otherAUC: otherAUC,
                             difference: auc - otherAUC, interval: interval)
    }
}

extension Bootstrap {
    /// Percentile bootstrap of AUC(this) − AUC(other), stratified by class as `aucInterval` is,
    /// with one draw of videos per resample used for both models.
    public static func differenceInterval(_ pairs: [(this: LabelledScore, other: LabelledScore)],
                                          resamples: Int, seed: UInt64) throws -> BootstrapInterval {
        precondition(pairs.allSatisfy { $0.this.isFake == $0.other.isFake }, "a pair is one video, one label")
        _ = try pairs.map(\.this).requireBothClasses()
        _ = try pairs.map(\.other).requireBothClasses()
        precondition(resamples > 0, "a bootstrap needs at least one resample")
        let fakes = pairs.filter(\.this.isFake)
        let reals = pairs.filter { !$0.this.isFake }
        var generator = SplitMix64(seed: seed)
        var differences: [Double] = []
        differences.reserveCapacity(resamples)
        for _ in 0..<resamples {
            var this: [LabelledScore] = []
            var other: [LabelledScore] = []
            this.reserveCapacity(pairs.count)
            other.reserveCapacity(pairs.count)
            for _ in fakes.indices {
                let drawn = fakes[generator.index(below: fakes.count)]
                this.append(drawn.this)
                other.append(drawn.other)
            }
            for _ in reals.indices {
                let drawn = reals[generator.index(below: reals.count)]
                this.append(drawn.this)
                other.append(drawn.other)
            }
            differences.append(try BinaryMetrics.rocAUC(this) - BinaryMetrics.rocAUC(other))
        }
        differences.sort()
        return BootstrapInterval(lower: quantile(sorted: differences, 0.025), upper: quantile(sorted: differences, 0.975),
                                 resamples: resamples, seed: seed)
    }
}
