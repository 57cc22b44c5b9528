import FaceAlign
import Foundation
import Imaging
import XCTest

/// A locator that reports given faces (and records how it was asked), to test the extractor
/// without the library. Near hints it reports the faces overlapping a hint.
private final class FixedLocator: FaceLocator {
    var faces: [DetectedFace]
    private(set) var calls: [String] = []
    init(_ faces: [DetectedFace]) { self.faces = faces }
    func detect(in image: RGBImage) throws -> [DetectedFace] {
        calls.append("whole")
        return faces
    }
    func detect(in image: RGBImage, near hints: [FaceBox]) throws -> [DetectedFace] {
        calls.append("near")
        return faces.filter { face in hints.contains { $0.iou(face.box) > 0.3 } }
    }
}

final class FaceExtractorTests: XCTestCase {
    private func face(side: Double, score: Double, x: Double = 100) -> DetectedFace {
        let template = FaceTemplate(cropSize: Int(side), margin: 1)
        let landmarks = template.points.map { Point(x: $0.x + x, y: $0.y + 50) }
        return DetectedFace(box: FaceBox(x: x, y: 50, width: side, height: side), landmarks: landmarks, score: score)
    }

    func testScoreAndSizeFloorsDropFacesAndBestScoreComesFirst() throws {
        let locator = FixedLocator([
            face(side: 120, score: 0.7, x: 10), face(side: 120, score: 0.55, x: 200),
            face(side: 30, score: 0.99, x: 400), face(side: 90, score: 0.95, x: 500),
        ])
        let extractor = FaceExtractor(locator: locator)
        let faces = try extractor.faces(in: VideoFrame(index: 7, seconds: 0.28, image: RGBImage(width: 800, height: 300)))
        XCTAssertEqual(faces.map(\.score), [0.95, 0.7])
        XCTAssertEqual(faces.map(\.trackID), [0, 1])
        XCTAssertEqual(faces.map(\.frameIndex), [7, 7])
        XCTAssertEqual(faces[0].seconds, 0.28)
        XCTAssertEqual(faces[0].crop.width, 256)
        XCTAssertEqual(faces[0].box, FaceBox(x: 500, y: 50, width: 90, height: 90))
    }

    func testCustomFloorsAndCropSize() throws {
        let options = FaceAlignOptions(margin: 1.0, cropSize: 112, minFaceSize: 20, scoreFloor: 0.5)
        let extractor = FaceExtractor(locator: FixedLocator([face(side: 30, score: 0.55)]), options: options)
        let faces = try extractor.faces(in: VideoFrame(index: 0, seconds: 0, image: RGBImage(width: 300, height: 200)))
        XCTAssertEqual(faces.count, 1)
        XCTAssertEqual(faces[0].crop.width, 112)
        // Landmarks drawn on the plain ArcFace template land on it exactly.
        for (got, want) in zip(faces[0].cropLandmarks, FaceTemplate.arcFace112) {
            XCTAssertEqual(got.x, want.x, accuracy: 1e-6)
            XCTAssertEqual(got.y, want.y, accuracy: 1e-6)
        }
    }

    func testWholeFrameIsSearchedEveryNFramesAndWhenAFaceIsLost() throws {
        let locator = FixedLocator([face(side: 100, score: 0.9)])
        let extractor = FaceExtractor(locator: locator, options: FaceAlignOptions(searchEvery: 3))
        let image = RGBImage(width: 600, height: 300)
        for index in 0..<5 { _ = try extractor.faces(in: VideoFrame(index: index, seconds: 0, image: image)) }
        // A whole-frame search proposes, a close look confirms; then only close looks at the
        // known face, with a whole-frame search for new faces every 3rd frame.
        XCTAssertEqual(locator.calls, ["whole", "near", "near", "near", "near", "whole", "near"])
        locator.faces = [face(side: 100, score: 0.9, x: 400)]
        let faces = try extractor.faces(in: VideoFrame(index: 5, seconds: 0, image: image))
        XCTAssertEqual(locator.calls.suffix(3), ["near", "whole", "near"], "a lost face triggers a whole-frame search")
        XCTAssertEqual(faces.map(\.box.x), [400])
        XCTAssertEqual(faces.map(\.trackID), [1], "a jump of 3 face widths starts a new track")
    }

    /// A tracked face the coarse search scores below the floor (half hidden by hands) is still
    /// looked at closely on a search frame, and kept when that look confirms it.
    func testAKnownFaceSurvivesAWeakWholeFrameSearch() throws {
        final class CoarseDoubting: FaceLocator {
            var coarseScore = 0.9
            private(set) var calls: [String] = []
            let face = DetectedFace(box: FaceBox(x: 100, y: 50, width: 100, height: 100),
                                    landmarks: FaceTemplate(cropSize: 100, margin: 1).points.map { Point(x: $0.x + 100, y: $0.y + 50) },
                                    score: 0.85)
            func detect(in image: RGBImage) throws -> [DetectedFace] {
                calls.append("whole")
                var coarse = face
                coarse.score = coarseScore
                return [coarse]
            }
            func detect(in image: RGBImage, near hints: [FaceBox]) throws -> [DetectedFace] {
                calls.append("near")
                return hints.contains { $0.iou(face.box) > 0.3 } ? [face] : []
            }
        }
        let locator = CoarseDoubting()
        let extractor = FaceExtractor(locator: locator, options: FaceAlignOptions(searchEvery: 1))
        let image = RGBImage(width: 400, height: 300)
        XCTAssertEqual(try extractor.faces(in: VideoFrame(index: 0, seconds: 0, image: image)).map(\.trackID), [0])
        locator.coarseScore = 0.46
        let faces = try extractor.faces(in: VideoFrame(index: 1, seconds: 0.5, image: image))
        XCTAssertEqual(faces.map(\.trackID), [0])
        XCTAssertEqual(faces.map(\.score), [0.85], "score and landmarks come from the close look")
        XCTAssertEqual(locator.calls, ["whole", "near", "near", "whole"], "the proposal already found is not looked at twice")
    }

    func testAProposalTheCloseLookRejectsIsDropped() throws {
        final class Doubting: FaceLocator {
            func detect(in image: RGBImage) throws -> [DetectedFace] {
                [DetectedFace(box: FaceBox(x: 10, y: 10, width: 80, height: 80),
                              landmarks: FaceTemplate(cropSize: 80, margin: 1).points, score: 0.7)]
            }
            func detect(in image: RGBImage, near hints: [FaceBox]) throws -> [DetectedFace] { [] }
        }
        let extractor = FaceExtractor(locator: Doubting())
        XCTAssertEqual(try extractor.faces(in: VideoFrame(index: 0, seconds: 0, image: RGBImage(width: 200, height: 200))), [])
    }

    func testAstronautIsAlignedOntoTheTemplate() throws {
        try TestImages.requireYuFace()
        let extractor = try FaceExtractor()
        let image = try TestImages.astronaut()
        let first = try extractor.faces(in: VideoFrame(index: 0, seconds: 0, image: image))
        let second = try extractor.faces(in: VideoFrame(index: 1, seconds: 0.04, image: image))
        XCTAssertEqual(first.count, 1)
        XCTAssertEqual(second.map(\.trackID), [0], "the same face continues its track")
        let face = try XCTUnwrap(first.first)
        XCTAssertEqual(face.crop.width, 256)
        XCTAssertEqual(face.crop.height, 256)
        // A real face fits the template only approximately; a few px is the usual residual.
        for (got, want) in zip(face.cropLandmarks, FaceTemplate().points) {
            XCTAssertEqual(got.x, want.x, accuracy: 12)
            XCTAssertEqual(got.y, want.y, accuracy: 12)
        }
    }

    func testNoFaceFrameGivesNoFacesAndNoTrack() throws {
        try TestImages.requireYuFace()
        let extractor = try FaceExtractor()
        XCTAssertEqual(try extractor.faces(in: VideoFrame(index: 0, seconds: 0, image: TestImages.testPattern(width: 1280, height: 720))), [])
        XCTAssertEqual(extractor.trackCount, 0)
    }

    /// Every clip of ../shared/data/dev-videos (FF++, lip-sync) keeps a face on ≥ 95 % of 32
    /// sampled frames, nearly all in one track. Two clips at a time, an extractor each.
    func testDevVideosHaveAFaceOnNearlyEveryFrameInOneDominantTrack() throws {
        try TestImages.requireYuFace()
        let folder = TestImages.sharedData.appendingPathComponent("dev-videos")
        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("ffpp").path) else {
            throw XCTSkip("../shared/data/dev-videos absent")
        }
        let clips = try ["ffpp", "lipsync"].flatMap { sub in
            try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent(sub).path)
                .filter { $0.hasSuffix(".mp4") }.sorted().map { "\(sub)/\($0)" }
        }
        XCTAssertGreaterThanOrEqual(clips.count, 7)
        let outcomes = ClipOutcomes(count: clips.count)
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            for c in stride(from: worker, to: clips.count, by: 2) {
                outcomes.set(c, Result { try Self.faceCounts(in: folder.appendingPathComponent(clips[c])) })
            }
        }
        for (clip, outcome) in zip(clips, outcomes.all) {
            let counts = try outcome.get()
            let dominant = counts.facesPerTrack.values.max() ?? 0
            XCTAssertEqual(counts.frames, 32, clip)
            XCTAssertGreaterThanOrEqual(Double(counts.framesWithFace), 0.95 * 32, "\(clip): face on \(counts.framesWithFace)/32")
            XCTAssertGreaterThanOrEqual(Double(dominant), 0.9 * 32, "\(clip): faces per track \(counts.facesPerTrack)")
            print("dev clip \(clip): face on \(counts.framesWithFace)/32, faces per track \(counts.facesPerTrack)")
        }
    }

    private static func faceCounts(in video: URL) throws -> FaceCounts {
        let extractor = try FaceExtractor()
        var counts = FaceCounts()
        for (index, image) in try TestImages.sampledFrames(of: video, count: 32) {
            let faces = try extractor.faces(in: VideoFrame(index: index, seconds: 0, image: image))
            counts.frames += 1
            if !faces.isEmpty { counts.framesWithFace += 1 }
            for face in faces { counts.facesPerTrack[face.trackID, default: 0] += 1 }
        }
        return counts
    }
}

/// What one clip's 32 sampled frames gave.
private struct FaceCounts: Sendable {
    var frames = 0
    var framesWithFace = 0
    var facesPerTrack: [Int: Int] = [:]
}

/// Per-clip results written from `concurrentPerform` workers.
private final class ClipOutcomes: @unchecked Sendable {
    // @unchecked: every access holds `lock`.
    private let lock = NSLock()
    private var slots: [Result<FaceCounts, any Error>?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: Result<FaceCounts, any Error>) { lock.withLock { slots[index] = value } }
    var all: [Result<FaceCounts, any Error>] {
        lock.withLock { slots.map { $0 ?? .failure(CocoaError(.featureUnsupported)) } }
    }
}
