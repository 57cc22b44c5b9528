import FaceAlign
import Imaging
import XCTest

final class FaceTrackerTests: XCTestCase {
    private func box(_ x: Double, _ y: Double, _ side: Double = 100) -> FaceBox {
        FaceBox(x: x, y: y, width: side, height: side)
    }

    func testTwoMovingFacesKeepTheirTracks() {
        var tracker = FaceTracker()
        XCTAssertEqual(tracker.assign([box(100, 100), box(600, 120)]), [0, 1])
        XCTAssertEqual(tracker.assign([box(620, 125), box(110, 104)]), [1, 0], "order in the frame does not matter")
        XCTAssertEqual(tracker.assign([box(130, 110), box(640, 130)]), [0, 1])
        XCTAssertEqual(tracker.trackCount, 2)
    }

    func testAFaceThatJumpedWithoutOverlapIsLinkedByItsCentre() {
        var tracker = FaceTracker()
        XCTAssertEqual(tracker.assign([box(100, 100)]), [0])
        // Moved 70 px with a 100 px box: IoU 0.18 < 0.2, centre shift 0.7 ≤ 0.75.
        XCTAssertEqual(tracker.assign([box(170, 100)]), [0])
        // Moved 200 px: a different face.
        XCTAssertEqual(tracker.assign([box(370, 100)]), [1])
    }

    func testSizeChangeBeyondTheRatioStartsANewTrack() {
        var tracker = FaceTracker()
        XCTAssertEqual(tracker.assign([box(100, 100, 100)]), [0])
        XCTAssertEqual(tracker.assign([box(60, 60, 250)]), [1])
    }

    func testTracksSurviveShortGapsButNotLongOnes() {
        var tracker = FaceTracker(options: .init(maxMissedFrames: 2))
        XCTAssertEqual(tracker.assign([box(100, 100)]), [0])
        XCTAssertEqual(tracker.assign([]), [])
        XCTAssertEqual(tracker.assign([]), [])
        XCTAssertEqual(tracker.assign([box(105, 100)]), [0], "two missed frames are allowed")
        for _ in 0..<3 { _ = tracker.assign([]) }
        XCTAssertEqual(tracker.assign([box(105, 100)]), [1], "three missed frames end the track")
    }

    func testEachTrackTakesOneFacePerFrame() {
        var tracker = FaceTracker()
        XCTAssertEqual(tracker.assign([box(100, 100)]), [0])
        // Two faces overlap the old box; the better overlap continues it.
        XCTAssertEqual(tracker.assign([box(140, 100), box(102, 100)]), [1, 0])
    }

    func testIoU() {
        XCTAssertEqual(box(0, 0).iou(box(0, 0)), 1)
        XCTAssertEqual(box(0, 0).iou(box(50, 0)), 50.0 / 150.0, accuracy: 1e-12)
        XCTAssertEqual(box(0, 0).iou(box(100, 0)), 0)
    }
}
