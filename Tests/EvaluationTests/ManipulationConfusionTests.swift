import Foundation
import Reports
import Testing
@testable import Evaluation

/// `eval` of a model with manipulation classes: the scan's `manipulation` column read back, the
/// labelled method × class called matrix and the multi-class accuracy over methods with a family.
@Suite struct ManipulationConfusionTests {
    static let csv = """
        path,status,p_fake,verdict,threshold,model,aggregator,frames_sampled,frames_with_face,face_tracks,duration_s,width,height,codec,elapsed_s,error,manipulation,manipulation_p\r
        /d/orig/r1.mp4,ok,0.200000,real,0.6,amtennet,mean,8,8,1,1.000,64,64,h264,0.100,,self_blend,0.100000\r
        /d/orig/r2.mp4,ok,0.700000,fake,0.6,amtennet,mean,8,8,1,1.000,64,64,h264,0.100,,cross_blend,0.400000\r
        /d/df/f1.mp4,ok,0.900000,fake,0.6,amtennet,mean,8,8,1,1.000,64,64,h264,0.100,,face_swap,0.700000\r
        /d/df/f2.mp4,ok,0.400000,real,0.6,amtennet,mean,8,8,1,1.000,64,64,h264,0.100,,face_swap,0.300000\r
        /d/ls/f3.mp4,ok,0.800000,fake,0.6,amtennet,mean,8,8,1,1.000,64,64,h264,0.100,,talking_head,0.500000\r
        /d/x/f4.mp4,ok,0.950000,fake,0.6,amtennet,mean,8,8,1,1.000,64,64,h264,0.100,,lip_sync,0.900000\r
        /d/x/n1.mp4,no_face,,unknown,0.6,amtennet,mean,8,0,0,1.000,64,64,h264,0.100,,,\r

        """

    static let labels = LabelTable(
        videos: [
            LabelledVideo(path: "orig/r1.mp4", isFake: false, categories: ["method": "original"]),
            LabelledVideo(path: "orig/r2.mp4", isFake: false, categories: ["method": "original"]),
            LabelledVideo(path: "df/f1.mp4", isFake: true, categories: ["method": "Deepfakes"]),
            LabelledVideo(path: "df/f2.mp4", isFake: true, categories: ["method": "Deepfakes"]),
            LabelledVideo(path: "ls/f3.mp4", isFake: true, categories: ["method": "lipsync-wav2lip"]),
            LabelledVideo(path: "x/f4.mp4", isFake: true, categories: ["method": "mystery"]),
            LabelledVideo(path: "x/n1.mp4", isFake: true, categories: ["method": "mystery"]),
        ],
        categoryColumns: ["method"])

    @Test func readsTheManipulationColumnAndBuildsTheMatrix() throws {
        let scores = try VideoScore.parseCSV(Self.csv)
        #expect(scores.map(\.manipulation) == ["self_blend", "cross_blend", "face_swap", "face_swap", "talking_head", "lip_sync", nil])
        let report = try Evaluator(labels: Self.labels).evaluate(videos: scores)
        let confusion = try #require(report.manipulation)
        // Called: real below 0.6, else the manipulation column.
        #expect(confusion.predicted == ["real", "cross_blend", "face_swap", "lip_sync", "talking_head"])
        #expect(confusion.rows.map(\.method) == ["real", "Deepfakes", "lipsync-wav2lip", "mystery"])
        #expect(confusion.rows.map(\.family) == ["real", "face_swap", "lip_sync", nil])
        #expect(confusion.rows[0].counts == [1, 1, 0, 0, 0])
        #expect(confusion.rows[1].counts == [1, 0, 1, 0, 0])
        #expect(confusion.rows[2].counts == [0, 0, 0, 0, 1])
        #expect(confusion.rows[3].counts == [0, 0, 0, 1, 0], "the no-face video is not in the matrix")
        // r1 and f1 right of the 5 videos whose method has a family.
        #expect(confusion.counted == 5 && confusion.correct == 2 && confusion.accuracy == 0.4)
        #expect(confusion.fakesCounted == 3 && confusion.fakesCorrect == 1)
        #expect(report.text.contains("multi-class accuracy 0.4000 (2 of 5 videos whose method has a family)"))
        #expect(report.text.contains("on the fakes alone 0.3333 (1 of 3 called by their family)"))
        #expect(try report.json().contains("\"manipulation\""))
    }

    @Test func noMatrixWithoutTheColumnOrAMethod() throws {
        let plain = try VideoScore.parseCSV(Self.csv.replacingOccurrences(of: ",manipulation,manipulation_p", with: ",x,y"))
        #expect(try Evaluator(labels: Self.labels).evaluate(videos: plain).manipulation == nil)
        let unlabelled = LabelTable(videos: Self.labels.videos.map { LabelledVideo(path: $0.path, isFake: $0.isFake) })
        #expect(try Evaluator(labels: unlabelled).evaluate(videos: try VideoScore.parseCSV(Self.csv)).manipulation == nil)
    }

    @Test func familiesOfKnownMethods() {
        #expect(ManipulationFamily.family(ofMethod: "dfdc") == "face_swap")
        #expect(ManipulationFamily.family(ofMethod: "FaceSwap") == "face_swap")
        #expect(ManipulationFamily.family(ofMethod: "NeuralTextures") == "reenactment")
        #expect(ManipulationFamily.family(ofMethod: "talkinghead-sadtalker") == "talking_head")
        #expect(ManipulationFamily.family(ofMethod: "reenact-fomm") == "reenactment")
        #expect(ManipulationFamily.family(ofMethod: "unknown") == nil)
    }
}
