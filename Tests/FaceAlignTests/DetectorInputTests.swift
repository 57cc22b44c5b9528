@testable import FaceAlign
import Imaging
import XCTest

final class DetectorInputTests: XCTestCase {
    func testSizeKeepsAspectAndNeverUpscales() {
        let hd = DetectorInput.size(of: .whole(RGBImage(width: 1920, height: 1080)), longSide: 384)
        XCTAssertEqual(hd.width, 384)
        XCTAssertEqual(hd.height, 216)
        let small = DetectorInput.size(of: .whole(RGBImage(width: 200, height: 300)), longSide: 384)
        XCTAssertEqual(small.width, 200)
        XCTAssertEqual(small.height, 300)
    }

    /// Whole-frame searches shrink until the short side is a multiple of YuNet's 32 px grid,
    /// keeping the aspect; sizes already on the grid, or too small for it, stay as they are.
    func testGridSizeSnapsTheShortSideDownKeepingAspect() {
        func size(_ width: Int, _ height: Int, _ longSide: Int) -> [Int] {
            let s = DetectorInput.size(of: .whole(RGBImage(width: width, height: height)), longSide: longSide,
                                       shortSideMultipleOf: 32)
            return [s.width, s.height]
        }
        XCTAssertEqual(size(1280, 720, 320), [284, 160])
        XCTAssertEqual(size(1080, 1920, 320), [160, 284])
        XCTAssertEqual(size(640, 480, 320), [299, 224])
        XCTAssertEqual(size(700, 700, 320), [320, 320])
        XCTAssertEqual(size(1920, 1080, 640), [626, 352])
        XCTAssertEqual(size(20, 30, 320), [20, 30])
    }

    /// The default close look (the region around a known face) stays within 5 grid cells
    /// (160 px once padded): a larger one costs ≈ 1.5× as much per face and frame.
    func testDefaultCloseLookFitsFiveGridCells() {
        let side = Int(Double(FaceAlignOptions().hintFaceSize) * YuNetLocator.hintRegionGrowth)
        let padded = (side + YuNetLocator.networkGrid - 1) / YuNetLocator.networkGrid * YuNetLocator.networkGrid
        XCTAssertLessThanOrEqual(padded, 5 * YuNetLocator.networkGrid, "close look \(side) px")
    }

    func testAveragesBlocksAndSwapsToBGR() {
        // 4×2 image → 2×1: each output pixel is the rounded mean of a 2×2 block, written B G R.
        let pixels: [UInt8] = [
            10, 20, 30, 30, 40, 50, 200, 0, 0, 100, 0, 0,
            10, 20, 30, 30, 40, 50, 0, 0, 0, 100, 0, 1,
        ]
        let image = RGBImage(width: 4, height: 2, pixels: pixels)
        var input = DetectorInput()
        input.fill(from: image, region: .whole(image), width: 2, height: 1)
        XCTAssertEqual(input.width, 2)
        XCTAssertEqual(input.height, 1)
        XCTAssertEqual(input.bgr, [40, 30, 20, 0, 0, 100])
    }

    func testSameSizeIsAChannelSwapOnly() {
        let image = RGBImage(width: 2, height: 1, pixels: [1, 2, 3, 4, 5, 6])
        var input = DetectorInput()
        input.fill(from: image, region: .whole(image), width: 2, height: 1)
        XCTAssertEqual(input.bgr, [3, 2, 1, 6, 5, 4])
    }

    func testRegionIsCutOutBeforeShrinking() {
        // 4×2 image, region = the right 2×2 block → one pixel, its mean.
        let pixels: [UInt8] = [
            9, 9, 9, 9, 9, 9, 200, 0, 0, 100, 0, 0,
            9, 9, 9, 9, 9, 9, 0, 0, 0, 100, 0, 4,
        ]
        let image = RGBImage(width: 4, height: 2, pixels: pixels)
        var input = DetectorInput()
        input.fill(from: image, region: PixelRegion(x: 2, y: 0, width: 2, height: 2), width: 1, height: 1)
        XCTAssertEqual(input.bgr, [1, 0, 100])
    }

    func testRegionAroundABoxIsGrownAndClipped() {
        let image = RGBImage(width: 100, height: 80)
        let inside = PixelRegion.around(FaceBox(x: 40, y: 30, width: 10, height: 10), grownBy: 2, in: image)
        XCTAssertEqual(inside, PixelRegion(x: 35, y: 25, width: 20, height: 20))
        let atEdge = PixelRegion.around(FaceBox(x: 90, y: 70, width: 20, height: 20), grownBy: 2, in: image)
        XCTAssertEqual(atEdge, PixelRegion(x: 80, y: 60, width: 20, height: 20))
        XCTAssertNil(PixelRegion.around(FaceBox(x: 300, y: 300, width: 10, height: 10), grownBy: 2, in: image))
    }

    func testAFaceCutByTheSearchWindowIsNotWhole() {
        let image = RGBImage(width: 200, height: 100)
        let region = PixelRegion(x: 50, y: 0, width: 100, height: 100)
        XCTAssertTrue(YuNetLocator.isWhole(FaceBox(x: 70, y: 20, width: 50, height: 50), in: region, of: image))
        XCTAssertFalse(YuNetLocator.isWhole(FaceBox(x: 40, y: 20, width: 50, height: 50), in: region, of: image),
                       "runs over the window's left edge")
        XCTAssertTrue(YuNetLocator.isWhole(FaceBox(x: 70, y: -5, width: 50, height: 50), in: region, of: image),
                      "the top edge is the frame's edge: a face cut by the frame is still taken")
    }
}
