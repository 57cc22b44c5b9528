import Testing
@testable import Evaluation

/// `eval --compare`: the AUC difference of two models on the same videos and its paired interval.
@Suite struct AUCComparisonTests {
    /// Four fakes and four reals, each model's scores in label order.
    static func pairs(_ this: [Double], _ other: [Double]) -> [(this: LabelledScore, other: LabelledScore)] {
        (0..<8).map { index in
            let isFake = index < 4
            return (LabelledScore(score: this[index], isFake: isFake), LabelledScore(score: other[index], isFake: isFake))
        }
    }

    @Test func aModelAgainstItselfDiffersByNothing() throws {
        let scores = [0.9, 0.3, 0.6, 0.5, 0.4, 0.2, 0.7, 0.1]
        let comparison = try AUCComparison.compute(against: "same", pairs: Self.pairs(scores, scores), resamples: 200, seed: 1)
        #expect(comparison.difference == 0 && comparison.videos == 8)
        #expect(comparison.interval == BootstrapInterval(lower: 0, upper: 0, resamples: 200, seed: 1))
    }

    @Test func theResamplesArePaired() throws {
        // Both models rank the videos alike (other = this shifted down), so every resample gives
        // them the same AUC: a paired bootstrap finds no difference at all, where two separate
        // bootstraps would give each AUC its own wide interval.
        let this = [0.9, 0.3, 0.6, 0.5, 0.4, 0.2, 0.7, 0.1]
        let comparison = try AUCComparison.compute(against: "shifted", pairs: Self.pairs(this, this.map { $0 - 0.05 }),
                                                   resamples: 500, seed: 7)
        #expect(comparison.auc == comparison.otherAUC)
        #expect(comparison.interval?.lower == 0 && comparison.interval?.upper == 0)
        #expect(try Bootstrap.aucInterval(Self.pairs(this, this).map(\.this), resamples: 500, seed: 7).lower < 0.7)
    }

    @Test func aBetterModelGainsWithinItsInterval() throws {
        // This model separates the classes; the other ranks every real above every fake.
        let this = [0.9, 0.8, 0.7, 0.6, 0.4, 0.3, 0.2, 0.1]
        let other = [0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9]
        let comparison = try AUCComparison.compute(against: "worse", pairs: Self.pairs(this, other), resamples: 100, seed: 0)
        #expect(comparison.auc == 1 && comparison.otherAUC == 0 && comparison.difference == 1)
        #expect(comparison.interval == BootstrapInterval(lower: 1, upper: 1, resamples: 100, seed: 0))
        let noInterval = try AUCComparison.compute(against: "worse", pairs: Self.pairs(this, other), resamples: 0, seed: 0)
        #expect(noInterval.interval == nil && noInterval.difference == 1)
    }

    @Test func theSameSeedGivesTheSameInterval() throws {
        let this = [0.9, 0.3, 0.6, 0.5, 0.4, 0.2, 0.7, 0.1]
        let other = [0.5, 0.6, 0.4, 0.8, 0.3, 0.7, 0.2, 0.6]
        let first = try Bootstrap.differenceInterval(Self.pairs(this, other), resamples: 300, seed: 4)
        #expect(try Bootstrap.differenceInterval(Self.pairs(this, other), resamples: 300, seed: 4) == first)
        #expect(first.lower < first.upper && first.lower >= -1 && first.upper <= 1)
    }

    @Test func theEvaluatorComparesOnTheVideosBothScore() throws {
        // SmallSet: the other model scored every video but f2 and gives n1 (no face here) a score.
        let other = [
            SmallSet.score("orig/r1.mp4", 0.1), SmallSet.score("orig/r2.mp4", 0.3), SmallSet.score("df/f1.mp4", 0.8),
            SmallSet.score("fs/f3.mp4", 0.2), SmallSet.score("fs/n1.mp4", 0.9),
        ]
        let half = try Evaluator(labels: SmallSet.labels, options: EvaluationOptions(bootstrapResamples: 50))
            .evaluate(videos: SmallSet.scores, against: ComparedScores(name: "other.csv", videos: other))
        let comparison = try #require(half.comparison)
        // Shared: r1 r2 f1 f3 n1 (n1 counted ½ here). This: reals .2 .7, fakes .9 .8 .5 → 5 of 6
        // pairs ordered right; other: reals .1 .3, fakes .8 .2 .9 → 5 of 6.
        #expect(comparison.videos == 5 && comparison.against == "other.csv")
        #expect(abs(comparison.auc - 5.0 / 6) < 1e-12 && abs(comparison.otherAUC - 5.0 / 6) < 1e-12)
        #expect(comparison.interval?.resamples == 50)
        #expect(half.text.contains("AUC difference      +0.0000"))
        let excluded = try Evaluator(labels: SmallSet.labels, options: EvaluationOptions(noFace: .exclude))
            .evaluate(videos: SmallSet.scores, against: ComparedScores(name: "other.csv", videos: other))
        #expect(excluded.comparison?.videos == 4 && excluded.comparison?.interval == nil)
    }

    @Test func noSharedVideosIsOneLineError() throws {
        let other = [SmallSet.score("orig/r1.mp4", 0.1)]
        #expect(throws: EvaluationError.nothingToCompare(against: "one.csv", reason: "videos scored by both: 1 (needs fakes and reals (got 0 fake, 1 real))")) {
            try Evaluator(labels: SmallSet.labels).evaluate(videos: SmallSet.scores, against: ComparedScores(name: "one.csv", videos: other))
        }
    }
}
