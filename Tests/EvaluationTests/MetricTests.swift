import Foundation
import Testing
@testable import Evaluation

/// Expected values are worked out by hand in the comments and agree with scikit-learn
/// (`roc_auc_score`, `average_precision_score`, `log_loss`, `roc_curve`); the AUCs were
/// re-checked with numpy as the pairwise mean of (f > r) + 0.5·(f == r).
@Suite struct MetricTests {
    // fakes 0.9 0.8 0.4, reals 0.7 0.3 0.2
    let separated: [LabelledScore] = [.fake(0.9), .fake(0.8), .fake(0.4), .real(0.7), .real(0.3), .real(0.2)]
    // fakes 0.5 0.5 0.8, reals 0.5 0.2: three fake/real ties at 0.5
    let tied: [LabelledScore] = [.fake(0.5), .real(0.5), .fake(0.5), .fake(0.8), .real(0.2)]

    @Test func aucCountsPairsOrderedRight() throws {
        // 0.9 and 0.8 beat all three reals, 0.4 beats two: 8 of 9 pairs.
        #expect(abs(try BinaryMetrics.rocAUC(separated) - 8.0 / 9) < 1e-12)
        #expect(try BinaryMetrics.rocAUC([.fake(0.9), .real(0.1)]) == 1)
        #expect(try BinaryMetrics.rocAUC([.fake(0.1), .real(0.9)]) == 0)
    }

    @Test func aucCountsTiesAsHalf() throws {
        // Each 0.5 fake: tie with 0.5 real (½) + beats 0.2 (1) = 1.5; the 0.8 fake beats both: 2.
        // (1.5 + 1.5 + 2) / 6 = 5/6.  numpy: 0.8333333333333334
        #expect(abs(try BinaryMetrics.rocAUC(tied) - 5.0 / 6) < 1e-12)
        #expect(try BinaryMetrics.rocAUC([.fake(0.3), .fake(0.3), .real(0.3)]) == 0.5)
    }

    @Test func aucIsTheSameInAnyOrder() throws {
        let auc = try BinaryMetrics.rocAUC(tied)
        #expect(try BinaryMetrics.rocAUC(tied.reversed()) == auc)
        #expect(try BinaryMetrics.rocAUC(tied.sorted { $0.score < $1.score }) == auc)
    }

    @Test func averagePrecisionIsTheSklearnStepSum() throws {
        // Descending: .9F .8F .7R .4F .3R .2R; recall steps 1/3 at precision 1, 1, then 1/3 at 3/4.
        // 1/3 + 1/3 + 1/4 = 0.916666…
        #expect(abs(try BinaryMetrics.averagePrecision(separated) - 11.0 / 12) < 1e-12)
        // Ties form one threshold: .8 → R 1/3, P 1; .5 (2F 1R) → R 1, P 3/4; 1/3 + 2/3·3/4 = 5/6.
        #expect(abs(try BinaryMetrics.averagePrecision(tied) - 5.0 / 6) < 1e-12)
        // Only fakes: precision is 1 everywhere (sklearn gives 1.0 too).
        #expect(try BinaryMetrics.averagePrecision([.fake(0.2), .fake(0.7)]) == 1)
    }

    @Test func logLossClipsCertainMistakes() throws {
        // −(ln 0.9 + ln 0.8 + ln 1e-7) / 3 = 5.482199905976786 (numpy)
        let loss = try BinaryMetrics.logLoss([.fake(0.9), .real(0.2), .fake(0)])
        #expect(abs(loss - 5.482199905976786) < 1e-12)
        #expect(abs(try BinaryMetrics.logLoss([.fake(0.5), .real(0.5)]) - log(2)) < 1e-12)
        #expect(try BinaryMetrics.logLoss([.real(0), .fake(1)]) < 1e-6)
    }

    @Test func rocCurveHasOnePointPerDistinctScore() throws {
        let curve = try ROCCurve(separated)
        let rates = curve.points.map { [$0.falsePositiveRate * 3, $0.truePositiveRate * 3].map { $0.rounded() } }
        #expect(rates == [[0, 0], [0, 1], [0, 2], [1, 2], [1, 3], [2, 3], [3, 3]])
        #expect(curve.points.map(\.threshold) == [.infinity, 0.9, 0.8, 0.7, 0.4, 0.3, 0.2])
        #expect(try ROCCurve(tied).points.count == 4)
    }

    @Test func eerLandsOnAPointWhenTheRatesMeetThere() throws {
        // At threshold 0.7: FPR 1/3 (0.7 flagged) and FNR 1/3 (0.4 missed).
        let eer = try ROCCurve(separated).equalErrorRate
        #expect(abs(eer.rate - 1.0 / 3) < 1e-12)
        #expect(abs(eer.threshold - 0.7) < 1e-12)
    }

    @Test func eerIsInterpolatedBetweenPoints() throws {
        // Points (0,0)@∞ (0,½)@0.9 (½,1)@0.5: FPR−FNR goes −½ → +½ on the diagonal segment,
        // crossing half way: EER = ¼, threshold 0.9 + ½(0.5 − 0.9) = 0.7.
        let diagonal = try ROCCurve([.fake(0.9), .fake(0.5), .real(0.5), .real(0.1)]).equalErrorRate
        #expect(abs(diagonal.rate - 0.25) < 1e-12)
        #expect(abs(diagonal.threshold - 0.7) < 1e-12)
        // Vertical segment .8R→.7F: FNR 2/3 → 1/3 at FPR ½; meets ½ half way, threshold 0.75.
        let vertical = try ROCCurve([.fake(0.9), .real(0.8), .fake(0.7), .fake(0.3), .real(0.2)]).equalErrorRate
        #expect(abs(vertical.rate - 0.5) < 1e-12)
        #expect(abs(vertical.threshold - 0.75) < 1e-12)
    }

    @Test func eerAtTheExtremes() throws {
        let perfect = try ROCCurve([.fake(0.9), .real(0.1)]).equalErrorRate
        #expect(perfect == EqualErrorRate(rate: 0, threshold: 0.9))
        let inverted = try ROCCurve([.fake(0.1), .real(0.9)]).equalErrorRate
        #expect(inverted.rate == 1)
    }

    @Test func oneClassOnlyIsAClearError() {
        #expect(throws: MetricError.needsBothClasses(fakes: 2, reals: 0)) {
            try BinaryMetrics.rocAUC([.fake(0.4), .fake(0.6)])
        }
        #expect(throws: MetricError.needsBothClasses(fakes: 0, reals: 1)) { try ROCCurve([.real(0.4)]) }
        #expect(throws: MetricError.noFakes) { try BinaryMetrics.averagePrecision([.real(0.4)]) }
        #expect(throws: MetricError.noSamples) { try BinaryMetrics.rocAUC([]) }
        #expect(throws: MetricError.noSamples) { try BinaryMetrics.logLoss([]) }
        #expect(throws: MetricError.scoreNotANumber) { try BinaryMetrics.rocAUC([.fake(.nan), .real(0.1)]) }
    }

    @Test func summaryLeavesUndefinedMetricsOutWithANote() {
        let summary = MetricSummary([.real(0.2), .real(0.7)], threshold: 0.5)
        #expect(summary.auc == nil && summary.eer == nil && summary.averagePrecision == nil)
        #expect(summary.logLoss != nil)
        #expect(summary.accuracy == 0.5)
        #expect(summary.truePositiveRate == nil)
        #expect(summary.notes.contains("AUC undefined: needs fakes and reals (got 0 fake, 2 real)"))
        let empty = MetricSummary([], threshold: 0.5)
        #expect(empty.accuracy == nil && empty.logLoss == nil)
    }

    @Test func confusionCallsTheThresholdItselfFake() {
        let matrix = ConfusionMatrix(separated + [.real(0.4)], threshold: 0.4)
        #expect(matrix == ConfusionMatrix(truePositives: 3, falseNegatives: 0, falsePositives: 2, trueNegatives: 2))
        #expect(matrix.accuracy == 5.0 / 7)
        #expect(matrix.truePositiveRate == 1)
        #expect(matrix.trueNegativeRate == 0.5)
    }
}
