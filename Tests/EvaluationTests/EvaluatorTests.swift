import Foundation
import Imaging
import Reports
import Testing
@testable import Evaluation

/// A small labelled set with absolute scan paths, the way a real scan writes them.
enum SmallSet {
    static let labels = LabelTable(
        videos: [
            LabelledVideo(path: "orig/r1.mp4", isFake: false, categories: ["method": "original"]),
            LabelledVideo(path: "orig/r2.mp4", isFake: false, categories: ["method": "original"]),
            LabelledVideo(path: "df/f1.mp4", isFake: true, categories: ["method": "Deepfakes"]),
            LabelledVideo(path: "df/f2.mp4", isFake: true, categories: ["method": "Deepfakes"]),
            LabelledVideo(path: "fs/f3.mp4", isFake: true, categories: ["method": "FaceSwap"]),
            LabelledVideo(path: "fs/n1.mp4", isFake: true, categories: ["method": "FaceSwap"]),
            LabelledVideo(path: "fs/never-scanned.mp4", isFake: true, categories: ["method": "FaceSwap"]),
        ],
        categoryColumns: ["method"])

    static func score(_ path: String, _ pFake: Double?, threshold: Double? = 0.6) -> VideoScore {
        VideoScore(path: "/data/set/" + path, status: pFake == nil ? .noFace : .ok, pFake: pFake, threshold: threshold)
    }

    static let scores = [
        score("orig/r1.mp4", 0.2), score("orig/r2.mp4", 0.7), score("df/f1.mp4", 0.9), score("df/f2.mp4", 0.4),
        score("fs/f3.mp4", 0.8), score("fs/n1.mp4", nil), score("other/unlabelled.mp4", 0.1),
    ]

    static func face(_ video: String, _ pFake: Double) -> FaceRow {
        FaceRow(video: "/data/set/" + video, frameIndex: 0, seconds: 0, track: 0,
                box: FaceBox(x: 0, y: 0, width: 10, height: 10), pFake: pFake)
    }
}

@Suite struct EvaluatorTests {
    @Test func noFaceCountsAsHalfByDefault() throws {
        let report = try Evaluator(labels: SmallSet.labels).evaluate(videos: SmallSet.scores)
        // Reals .2 .7; fakes .9 .4 .8 .5 → 6 of 8 pairs ordered right.
        #expect(report.video.auc == 0.75)
        #expect(report.threshold == 0.6 && report.thresholdSource == .scan)
        #expect(report.video.confusion
            == ConfusionMatrix(truePositives: 2, falseNegatives: 2, falsePositives: 1, trueNegatives: 1))
        #expect(report.matching.unscoredCountedHalf == ["fs/n1.mp4"])
        #expect(report.matching.labelsWithoutScore == ["fs/never-scanned.mp4"])
        #expect(report.matching.scoresWithoutLabel == ["/data/set/other/unlabelled.mp4"])
        #expect(report.matching.matched == 6)
    }

    @Test func excludedVideosLeaveTheMetrics() throws {
        let options = EvaluationOptions(threshold: 0.5, noFace: .exclude)
        let report = try Evaluator(labels: SmallSet.labels, options: options).evaluate(videos: SmallSet.scores)
        #expect(abs(report.video.auc! - 5.0 / 6) < 1e-12)
        #expect(report.video.samples == 5)
        #expect(report.matching.unscoredExcluded == ["fs/n1.mp4"])
        #expect(report.thresholdSource == .given && report.video.threshold == 0.5)
    }

    @Test func categoriesRankTheirFakesAgainstAllReals() throws {
        let options = EvaluationOptions(noFace: .exclude)
        let report = try Evaluator(labels: SmallSet.labels, options: options).evaluate(videos: SmallSet.scores)
        let byValue = Dictionary(uniqueKeysWithValues: report.categories.map { ($0.value, $0) })
        #expect(report.categories.map(\.value) == ["Deepfakes", "FaceSwap", "original"])
        #expect(byValue["Deepfakes"]?.auc == 0.75)  // .9 beats .2 and .7, .4 beats .2
        #expect(byValue["FaceSwap"]?.auc == 1)
        #expect(byValue["original"]?.auc == nil)
        #expect(byValue["original"]?.accuracy == 0.5)  // .7 ≥ 0.6 is flagged
        #expect(byValue["original"]?.note?.hasPrefix("reals only") == true)
    }

    @Test func frameLevelLabelsEachCropWithItsVideo() throws {
        let faces = [SmallSet.face("df/f1.mp4", 0.9), SmallSet.face("df/f1.mp4", 0.7),
                     SmallSet.face("orig/r1.mp4", 0.3), SmallSet.face("nowhere/x.mp4", 0.5)]
        let report = try Evaluator(labels: SmallSet.labels).evaluate(videos: SmallSet.scores, faces: faces)
        #expect(report.frame?.samples == 3)
        #expect(report.frame?.fakes == 2)
        #expect(report.frame?.auc == 1)
        #expect(report.matching.faceRowsWithoutLabel == 1)
    }

    @Test func refusesWhatItCannotEvaluate() {
        var mixed = SmallSet.scores
        mixed[0].threshold = 0.5
        #expect(throws: EvaluationError.mixedThresholds([0.5, 0.6])) {
            try Evaluator(labels: SmallSet.labels).evaluate(videos: mixed)
        }
        #expect(throws: EvaluationError.unknownCategoryColumn("dataset", known: ["method"])) {
            try Evaluator(labels: SmallSet.labels, options: EvaluationOptions(categoryColumns: ["dataset"]))
                .evaluate(videos: SmallSet.scores)
        }
        #expect(throws: EvaluationError.nothingMatched(labelExample: "orig/r1.mp4", scoreExample: "elsewhere.mp4")) {
            try Evaluator(labels: SmallSet.labels).evaluate(videos: [VideoScore(path: "elsewhere.mp4", status: .ok, pFake: 0.3)])
        }
        // An empty side is no evaluation either (it used to report "0 videos" and succeed).
        #expect(throws: EvaluationError.nothingToEvaluate(labels: SmallSet.labels.videos.count, scores: 0)) {
            try Evaluator(labels: SmallSet.labels).evaluate(videos: [])
        }
    }

    @Test func reportsReadForPeopleAndMachines() throws {
        let report = try Evaluator(labels: SmallSet.labels).evaluate(videos: SmallSet.scores)
        #expect(report.text.contains("AUC                 0.7500"))
        #expect(report.text.contains("By method"))
        let json = try report.json()
        #expect(json.contains("\"average_precision\""))
        #expect(json.contains("\"threshold_source\" : \"scan\""))
    }
}

@Suite struct DevLabelsTests {
    @Test(.enabled(if: FileManager.default.fileExists(atPath: devLabels), "../shared/data/dev-videos/labels.tsv absent"))
    func everyDevVideoMatchesItsAbsoluteScanPath() throws {
        let labels = try LabelTable.read(path: devLabels)
        // A scan of the directory writes absolute paths, in its own order; score = label, so AUC = 1.
        let scores = labels.videos.reversed().map {
            VideoScore(path: "/srv/dev-videos/" + $0.path, status: .ok, pFake: $0.isFake ? 0.9 : 0.1)
        }
        let report = try Evaluator(labels: labels).evaluate(videos: scores)
        #expect(report.matching.matched == labels.videos.count)
        #expect(report.matching.labelsWithoutScore.isEmpty && report.matching.scoresWithoutLabel.isEmpty)
        #expect(report.video.auc == 1 && report.video.eer == 0)
        #expect(report.categories.contains { $0.value == "original" && $0.auc == nil && $0.accuracy == 1 })
    }
}
