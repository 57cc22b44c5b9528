@testable import FaceAlign
import Imaging
import XCTest

final class DetectorInputTests: XCTestCase {
    func testSizeKeepsAspectAndNeverUpscales() {
        let hd = RGBImage(width: 1920, height: 1080)
        let size = DetectorInput.size(of: hd, longSide: 384)
        XCTAssertEqual(size.width, 384)
        XCTAssertEqual(size.height, 216)
        XCTAssertEqual(size.factor, 5)
        let small = DetectorInput.size(of: RGBImage(width: 200, height: 300), longSide: 384)
        XCTAssertEqual(small.width, 200)
        XCTAssertEqual(small.height, 300)
    }

    func testAveragesBlocksAndSwapsToBGR() {
        // 4×2 image → 2×1: each output pixel is the mean of a 2×2 block, written B G R.
        let pixels: [UInt8] = [
            10, 20, 30, 30, 40, 50, 200, 0, 0, 100, 0, 0,
            10, 20, 30, 30, 40, 50, 0, 0, 0, 100, 0, 1,
        ]
        var input = DetectorInput()
        input.fill(from: RGBImage(width: 4, height: 2, pixels: pixels), width: 2, height: 1)
        XCTAssertEqual(input.width, 2)
        XCTAssertEqual(input.height, 1)
        XCTAssertEqual(input.bgr, [40, 30, 20, 0, 0, 100])
    }

    func testSameSizeIsAChannelSwapOnly() {
        let image = RGBImage(width: 2, height: 1, pixels: [1, 2, 3, 4, 5, 6])
        var input = DetectorInput()
        input.fill(from: image, width: 2, height: 1)
        XCTAssertEqual(input.bgr, [3, 2, 1, 6, 5, 4])
    }
}
