@testable import FaceAlign
import Foundation
import Imaging
import XCTest

final class YuNetLocatorTests: XCTestCase {
    override func setUpWithError() throws {
        try TestImages.requireYuFace()
    }

    func testFindsTheAstronautsFaceWithSensibleLandmarks() throws {
        let faces = try YuNetLocator().detect(in: TestImages.astronaut())
        XCTAssertEqual(faces.count, 1)
        let face = try XCTUnwrap(faces.first)
        XCTAssertGreaterThan(face.score, 0.8)
        // The face sits in the upper middle of the portrait (measured by eye: ~ x 75–145, y 25–125).
        XCTAssertEqual(face.box.center.x, 110, accuracy: 25)
        XCTAssertEqual(face.box.center.y, 70, accuracy: 30)
        XCTAssertGreaterThan(face.box.width, 40)
        assertPlausible(face.landmarks, in: face.box)
    }

    func testNoFaceIsAnEmptyResult() throws {
        let locator = try YuNetLocator()
        XCTAssertEqual(try locator.detect(in: TestImages.testPattern(width: 640, height: 360)), [])
        XCTAssertEqual(try locator.detect(in: RGBImage(width: 320, height: 240)), [])
    }

    func testTinyAndThinImagesGiveNoFace() throws {
        let locator = try YuNetLocator()
        for (width, height) in [(1, 1), (2, 3), (8, 8), (31, 17), (64, 5), (5, 640)] {
            let image = RGBImage(width: width, height: height)
            XCTAssertEqual(try locator.detect(in: image), [], "\(width)×\(height)")
            XCTAssertEqual(try locator.detect(in: image, near: [FaceBox(x: 0, y: 0, width: 4, height: 4)]), [])
        }
    }

    func testFindsAFaceIn4KAndMapsItBackToFramePixels() throws {
        let frame = try TestImages.astronaut(on: 3840, 2160, faceSide: 1024, x: 2400, y: 600)
        let all = try YuNetLocator().detect(in: frame)
        let faces = all.filter { $0.score >= 0.6 }
        XCTAssertEqual(faces.count, 1, "\(all)")
        let face = try XCTUnwrap(faces.first)
        // The astronaut's face scaled 4× from the 256 px fixture and shifted by (2400, 600).
        XCTAssertEqual(face.box.center.x, 2400 + 110 * 4, accuracy: 100)
        XCTAssertEqual(face.box.center.y, 600 + 70 * 4, accuracy: 120)
        assertPlausible(face.landmarks, in: face.box)
    }

    /// The 4K frame holds the fixture enlarged 4×; the fixture's landmarks found at full
    /// resolution, enlarged the same way, are the reference. A search near the face sees it at
    /// `hintFaceSize` px and lands on average within a tenth of the eye distance of them —
    /// closer than a whole-frame search, which sees the face at only ~20 px. One look's
    /// landmarks jitter with where the window falls (its worst point by up to ~15 % of the eye
    /// distance, at any close-look size), so the look is averaged over hints moved by up to 5 %
    /// of the box, as the tracker's hints move between frames.
    func testSearchNearAHintRefinesTheLandmarks() throws {
        let locator = try YuNetLocator()
        let fixture = try XCTUnwrap(try locator.detect(in: TestImages.astronaut()).first)
        let reference = fixture.landmarks.map { Point(x: 2400 + ($0.x + 0.5) * 4 - 0.5, y: 600 + ($0.y + 0.5) * 4 - 0.5) }
        let eyeDistance = reference[1].x - reference[0].x
        func meanError(_ landmarks: FiveLandmarks) -> Double {
            zip(landmarks, reference).map { p, q in ((p.x - q.x) * (p.x - q.x) + (p.y - q.y) * (p.y - q.y)).squareRoot() }
                .reduce(0, +) / 5
        }

        let frame = try TestImages.astronaut(on: 3840, 2160, faceSide: 1024, x: 2400, y: 600)
        let whole = try XCTUnwrap(try locator.detect(in: frame).filter { $0.score >= 0.6 }.first)
        var errors: [Double] = []
        for dx in [-0.05, 0, 0.05] {
            for dy in [-0.05, 0, 0.05] {
                let hint = FaceBox(x: whole.box.x + dx * whole.box.width, y: whole.box.y + dy * whole.box.width,
                                       width: whole.box.width, height: whole.box.height)
                let near = try locator.detect(in: frame, near: [hint]).filter { $0.score >= 0.6 }
                XCTAssertEqual(near.count, 1, "hint moved (\(dx), \(dy))")
                let face = try XCTUnwrap(near.first)
                XCTAssertGreaterThan(face.box.iou(whole.box), 0.5)
                errors.append(meanError(face.landmarks))
            }
        }
        let nearError = errors.reduce(0, +) / Double(errors.count)
        XCTAssertLessThan(nearError, 0.1 * eyeDistance, "near: \(errors)")
        XCTAssertLessThan(nearError, meanError(whole.landmarks))
        XCTAssertEqual(try locator.detect(in: frame, near: [FaceBox(x: 100, y: 1500, width: 300, height: 300)]), [],
                       "nothing near a hint without a face")
    }

    func testRetryAtALargerSizeFindsASmallFace() throws {
        // A 60 px face in 1920×1080 is 12 px at a 384 px detection size: found by the retry.
        let frame = try TestImages.astronaut(on: 1920, 1080, faceSide: 150, x: 900, y: 500)
        let plain = try YuNetLocator(detectSize: 384, retrySize: nil)
        let retrying = try YuNetLocator(detectSize: 384, retrySize: 1280)
        XCTAssertEqual(plain.detect(in: frame, longSide: 384).filter { $0.score >= 0.6 }.count, 0,
                       "precondition: too small at the first size")
        let found = try retrying.detect(in: frame).filter { $0.score >= 0.6 }
        XCTAssertEqual(found.count, 1)
        XCTAssertEqual(try XCTUnwrap(found.first).box.center.x, 900 + 110 * 150 / 256, accuracy: 25)
    }

    /// Two threads with a locator each get exactly what one thread gets (the library is
    /// warmed up once before any concurrent call; see YuFaceLibrary).
    func testConcurrentUseFromTwoThreadsMatchesSerialUse() throws {
        let images = try [TestImages.astronaut(), TestImages.astronaut(on: 640, 480, faceSide: 200, x: 300, y: 100)]
        let expected = try images.map { try YuNetLocator().detect(in: $0) }
        let results = ConcurrentResults(count: 2)
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            do {
                let locator = try YuNetLocator()
                var all: [[DetectedFace]] = []
                for round in 0..<20 { all.append(try locator.detect(in: images[(round + worker) % 2])) }
                results.set(worker, all)
            } catch {
                results.set(worker, [])
            }
        }
        for worker in 0..<2 {
            let all = results.get(worker)
            XCTAssertEqual(all.count, 20)
            for (round, faces) in all.enumerated() {
                XCTAssertEqual(faces, expected[(round + worker) % 2], "worker \(worker) round \(round)")
            }
        }
    }

    func testMissingLibraryMessageSaysWhatToRun() {
        let error = FaceAlignError.detectorLibraryMissing(searched: ["/x/.deps/yuface"])
        XCTAssertTrue(error.description.contains("make setup-yuface"))
        XCTAssertTrue(error.description.contains("/x/.deps/yuface"))
    }

    /// The library is compiled for AVX and FMA: a CPU without them gets a message, not the
    /// SIGILL of loading it (Tests/EmulatedCPU/run.sh runs the real thing on an emulated CPU).
    func testACPUWithoutAVXOrFMAIsRefusedBeforeLoading() throws {
        XCTAssertNoThrow(try YuFaceLibrary.requireCPU(flags: ["sse4_2", "avx", "fma", "avx2"]))
        XCTAssertNoThrow(try YuFaceLibrary.requireCPU(flags: []))  // unknown (not x86 Linux): the loader decides
        XCTAssertThrowsError(try YuFaceLibrary.requireCPU(flags: ["sse4_2", "avx"])) { error in
            XCTAssertEqual(error as? FaceAlignError, .detectorNeedsCPU(missing: ["fma"]))
        }
        XCTAssertThrowsError(try YuFaceLibrary.requireCPU(flags: ["sse2", "sse4_2"])) { error in
            XCTAssertEqual(String(describing: error), "the face detector (libfacedetection, from the yuface wheel) is built "
                           + "for CPUs with AVX and FMA, and this one lacks AVX and FMA: faces cannot be found on it")
        }
    }

    func testEnvironmentOverrideIsTheOnlyPlaceSearched() {
        let folders = YuFaceLibrary.candidateFolders(environment: ["DEEPFAKE_SCAN_YUFACE": "/opt/yu/libfacedetection.so"])
        XCTAssertEqual(folders, ["/opt/yu"])
        let defaults = YuFaceLibrary.candidateFolders(environment: [:])
        XCTAssertTrue(defaults.contains(TestImages.packageRoot.appendingPathComponent(".deps/yuface").path))
    }

    private func assertPlausible(_ landmarks: FiveLandmarks, in box: FaceBox, file: StaticString = #filePath,
                                 line: UInt = #line) {
        let (leftEye, rightEye, nose, leftMouth, rightMouth) = (landmarks[0], landmarks[1], landmarks[2], landmarks[3], landmarks[4])
        XCTAssertLessThan(leftEye.x, nose.x, file: file, line: line)
        XCTAssertLessThan(nose.x, rightEye.x, file: file, line: line)
        XCTAssertLessThan(leftMouth.x, rightMouth.x, file: file, line: line)
        XCTAssertLessThan(max(leftEye.y, rightEye.y), nose.y, file: file, line: line)
        XCTAssertLessThan(nose.y, min(leftMouth.y, rightMouth.y), file: file, line: line)
        for p in landmarks {
            XCTAssertTrue(p.x >= box.x && p.x <= box.x + box.width && p.y >= box.y && p.y <= box.y + box.height,
                          "landmark \(p) outside \(box)", file: file, line: line)
        }
    }
}

/// Per-worker result slots written from `concurrentPerform` workers.
private final class ConcurrentResults: @unchecked Sendable {
    // @unchecked: every access holds `lock`.
    private let lock = NSLock()
    private var slots: [[[DetectedFace]]]

    init(count: Int) { slots = Array(repeating: [], count: count) }

    func set(_ index: Int, _ value: [[DetectedFace]]) { lock.withLock { slots[index] = value } }
    func get(_ index: Int) -> [[DetectedFace]] { lock.withLock { slots[index] } }
}
