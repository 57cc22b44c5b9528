import Foundation
import Imaging
import Testing
@testable import Evaluation

/// Mask pixel accuracy and IoU on masks small enough to count by hand (in the comments).
@Suite struct MaskMetricsTests {
    /// "1" = manipulated / flagged, row-major.
    func bits(_ text: String) -> [Bool] { text.filter { $0 == "0" || $0 == "1" }.map { $0 == "1" } }

    @Test func aTallyCountsEachKindOfPixel() {
        // predicted 1100 1100, truth 1000 1110 (pixels 0–7): TP 3 (0, 4, 5), FP 1 (1), FN 1 (6),
        // TN 3 (2, 3, 7).
        let tally = MaskTally(predicted: bits("1100 1100"), truth: bits("1000 1110"))
        #expect(tally == MaskTally(truePositives: 3, falsePositives: 1, falseNegatives: 1, trueNegatives: 3))
        #expect(tally.pixels == 8 && tally.flagged == 4 && tally.manipulated == 4 && tally.union == 5)
        #expect(tally.iou == 0.6)  // 3 / 5
        #expect(MaskTally(predicted: bits("0000"), truth: bits("0000")).iou == nil)
        #expect(MaskTally(predicted: bits("0011"), truth: bits("1100")).iou == 0)
    }

    @Test func fakesArePooledAndAveragedRealsGiveTheFalsePositiveArea() throws {
        // Fake A (8 px): TP 3, FP 1, FN 1, TN 3 → IoU 3/5 = 0.6.
        // Fake B (8 px): TP 1, FP 0, FN 3, TN 4 → IoU 1/4 = 0.25.
        // Real C (8 px, truth empty): 2 flagged. Real D: none flagged.
        let images: [(tally: MaskTally, isFake: Bool)] = [
            (MaskTally(predicted: bits("1100 1100"), truth: bits("1000 1110")), true),
            (MaskTally(predicted: bits("1000 0000"), truth: bits("1111 0000")), true),
            (MaskTally(predicted: bits("0000 0011"), truth: bits("0000 0000")), false),
            (MaskTally(predicted: bits("0000 0000"), truth: bits("0000 0000")), false),
        ]
        let m = MaskMetrics(images: images, flagThreshold: 0.5)
        #expect(m.fakes == 2 && m.reals == 2)
        // Fakes agree on (3 + 3) + (1 + 4) = 11 of 16 pixels.
        #expect(try #require(m.pixelAccuracy) == 11.0 / 16)
        // Pooled: Σ TP (3 + 1) / Σ union (5 + 4) = 4/9; per image (0.6 + 0.25) / 2 = 0.425.
        #expect(try #require(m.iouPooled) == 4.0 / 9)
        #expect(abs(try #require(m.iouMeanPerImage) - 0.425) < 1e-12)
        #expect(m.fakesWithEmptyMasks == 0)
        // Truth: 4 + 4 = 8 of 16 manipulated; flagged 4 + 1 = 5 of 16.
        #expect(try #require(m.truthFraction) == 8.0 / 16)
        #expect(try #require(m.flaggedFractionFakes) == 5.0 / 16)
        // Reals: 2 of 16 pixels flagged, by one real of two.
        #expect(try #require(m.flaggedFractionReals) == 2.0 / 16)
        #expect(m.realsWithFlaggedPixels == 1)
        // All: 11 + (6 + 8) = 25 of 32.
        #expect(try #require(m.pixelAccuracyAll) == 25.0 / 32)
    }

    @Test func pooledAndPerImageIoUDifferWhenRegionsDifferInSize() throws {
        // Big fake: truth 7 of 8, predicted the same 7 → IoU 1. Small fake: truth 1, predicted
        // another 1 → IoU 0. Pooled 7 / (7 + 2) = 7/9; per image (1 + 0) / 2 = 0.5.
        let images: [(tally: MaskTally, isFake: Bool)] = [
            (MaskTally(predicted: bits("1111 1110"), truth: bits("1111 1110")), true),
            (MaskTally(predicted: bits("0100 0000"), truth: bits("1000 0000")), true),
        ]
        let m = MaskMetrics(images: images, flagThreshold: 0.5)
        #expect(try #require(m.iouPooled) == 7.0 / 9)
        #expect(try #require(m.iouMeanPerImage) == 0.5)
        #expect(m.reals == 0 && m.flaggedFractionReals == nil && m.realsWithFlaggedPixels == 0)
    }

    @Test func aFakeWithNeitherMaskFlaggedIsLeftOutOfTheMeanOnly() throws {
        // Fake A: IoU 0.6 as above. Fake B: nothing true, nothing flagged (undefined IoU).
        let images: [(tally: MaskTally, isFake: Bool)] = [
            (MaskTally(predicted: bits("1100 1100"), truth: bits("1000 1110")), true),
            (MaskTally(predicted: bits("0000 0000"), truth: bits("0000 0000")), true),
        ]
        let m = MaskMetrics(images: images, flagThreshold: 0.5)
        #expect(try #require(m.iouMeanPerImage) == 0.6)
        #expect(m.fakesWithEmptyMasks == 1)
        #expect(try #require(m.iouPooled) == 0.6)  // 3 / 5: B adds nothing
        #expect(try #require(m.pixelAccuracy) == 14.0 / 16)  // (3 + 3) + 8
        #expect(m.flaggedFractionReals == nil && m.pixelAccuracyAll == m.pixelAccuracy)
    }

    @Test func noFakesLeavesTheFakeMetricsUndefined() {
        let m = MaskMetrics(images: [(MaskTally(predicted: bits("0110"), truth: bits("0000")), false)], flagThreshold: 0.5)
        #expect(m.fakes == 0 && m.pixelAccuracy == nil && m.iouPooled == nil && m.iouMeanPerImage == nil)
        #expect(m.truthFraction == nil && m.flaggedFractionReals == 0.5 && m.pixelAccuracyAll == 0.5)
    }

    @Test func truthIsTheFirstChannelFromHalfWayAndFlagsFromTheThreshold() {
        // Grey levels 0, 127, 128, 255 as RGB (a grey PNG reads as equal channels).
        let image = RGBImage(width: 2, height: 2, pixels: [0, 0, 0, 127, 127, 127, 128, 128, 128, 255, 255, 255])
        #expect(MaskPixels.truth(image) == [false, false, true, true])
        #expect(MaskPixels.flagged([0, 0.4999, 0.5, 1], threshold: 0.5) == [false, false, true, true])
    }

    @Test func theReportShowsTheMaskLinesAndTheirJSON() throws {
        let images: [(tally: MaskTally, isFake: Bool)] = [
            (MaskTally(predicted: bits("1100 1100"), truth: bits("1000 1110")), true),
            (MaskTally(predicted: bits("0000 0011"), truth: bits("0000 0000")), false),
        ]
        var report = try Evaluator(labels: LabelTable(videos: [LabelledVideo(path: "f.png", isFake: true),
                                                                LabelledVideo(path: "r.png", isFake: false)]))
            .evaluate(videos: [VideoScore(path: "f.png", status: .ok, pFake: 0.8),
                               VideoScore(path: "r.png", status: .ok, pFake: 0.3)])
        #expect(report.text.hasPrefix("Video level: 2 videos"))
        report.masks = MaskMetrics(images: images, flagThreshold: 0.5)
        let text = report.text
        #expect(text.hasPrefix("Image level: 2 images (1 fake, 1 real)"))
        #expect(text.contains("Masks: 1 fakes, 1 reals (a pixel is flagged at mask probability ≥ 0.5)"))
        #expect(text.contains("fakes pixel accuracy    0.7500"))   // (3 + 3) / 8
        #expect(text.contains("fakes IoU (pooled)      0.6000"))   // 3 / 5
        #expect(text.contains("fakes IoU (mean/image)  0.6000"))
        #expect(text.contains("fakes area              manipulated 50.0 %, flagged 50.0 %"))
        #expect(text.contains("reals flagged area      25.0 % of their pixels (1 of 1 reals with any pixel flagged)"))
        #expect(text.contains("all pixel accuracy      0.7500"))   // (6 + 6) / 16
        let json = try report.json()
        #expect(json.contains("\"iou_pooled\" : 0.6") && json.contains("\"flagged_fraction_reals\" : 0.25"))
        let decoded = try JSONDecoder.snakeCase.decode(EvaluationReport.self, from: Data(json.utf8))
        #expect(decoded.masks == report.masks)
    }
}

extension JSONDecoder {
    static var snakeCase: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }
}
