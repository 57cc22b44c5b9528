import FaceAlign
import Imaging
import XCTest

final class AlignmentMathTests: XCTestCase {
    func testTemplateIsArcFacePlacedWithMarginAndScaled() {
        let template = FaceTemplate(cropSize: 256, margin: 1.3)
        // (38.2946 + 112·0.3/2) · 256 / (112·1.3), the reference pipeline's formula.
        XCTAssertEqual(template.points[0].x, (38.2946 + 16.8) * 256 / 145.6, accuracy: 1e-9)
        XCTAssertEqual(template.points[4].y, (92.2041 + 16.8) * 256 / 145.6, accuracy: 1e-9)
        let plain = FaceTemplate(cropSize: 112, margin: 1)
        XCTAssertEqual(plain.points, FaceTemplate.arcFace112)
    }

    func testTemplateFitsItselfWithIdentity() throws {
        let points = FaceTemplate().points
        let fit = try XCTUnwrap(SimilarityTransform.leastSquares(from: points, to: points))
        XCTAssertEqual(fit.a, 1, accuracy: 1e-12)
        XCTAssertEqual(fit.b, 0, accuracy: 1e-12)
        XCTAssertEqual(fit.tx, 0, accuracy: 1e-9)
        XCTAssertEqual(fit.ty, 0, accuracy: 1e-9)
    }

    func testLeastSquaresRecoversAKnownSimilarity() throws {
        let known = SimilarityTransform(scale: 2.7, radians: 0.4, tx: -31, ty: 118)
        let source = FaceTemplate().points
        let target = source.map(known.apply)
        let fit = try XCTUnwrap(SimilarityTransform.leastSquares(from: source, to: target))
        XCTAssertEqual(fit.a, known.a, accuracy: 1e-9)
        XCTAssertEqual(fit.b, known.b, accuracy: 1e-9)
        XCTAssertEqual(fit.tx, known.tx, accuracy: 1e-7)
        XCTAssertEqual(fit.ty, known.ty, accuracy: 1e-7)
        XCTAssertEqual(fit.scale, 2.7, accuracy: 1e-9)
    }

    func testLeastSquaresAveragesNoise() throws {
        // Moving one point moves the fit by a fraction of that, not all of it.
        let source = FaceTemplate().points
        var target = source
        target[2].x += 5
        let fit = try XCTUnwrap(SimilarityTransform.leastSquares(from: source, to: target))
        let moved = fit.apply(source[2])
        XCTAssertGreaterThan(moved.x - source[2].x, 0.5)
        XCTAssertLessThan(moved.x - source[2].x, 2)
    }

    func testDegenerateLandmarksHaveNoFit() {
        let same = [Point](repeating: Point(x: 3, y: 4), count: 5)
        XCTAssertNil(SimilarityTransform.leastSquares(from: same, to: FaceTemplate().points))
    }

    func testInverseUndoesTheTransform() {
        let t = SimilarityTransform(scale: 0.37, radians: -1.1, tx: 12.5, ty: -7)
        let p = Point(x: 101, y: -44)
        let back = t.inverse.apply(t.apply(p))
        XCTAssertEqual(back.x, p.x, accuracy: 1e-9)
        XCTAssertEqual(back.y, p.y, accuracy: 1e-9)
    }

    /// Five bright dots drawn where a tilted, shifted, enlarged face would have its landmarks:
    /// after alignment the dots' centroids sit on the template within 1 px.
    func testWarpedLandmarksLandOnTheTemplate() throws {
        let template = FaceTemplate()
        let cropToFrame = SimilarityTransform(scale: 1.6, radians: 0.3, tx: 140, ty: 60)
        let landmarks = template.points.map(cropToFrame.apply)
        var frame = RGBImage(width: 640, height: 480)
        for p in landmarks { drawDot(at: p, radius: 4, in: &frame) }

        let alignment = try XCTUnwrap(FaceAligner(template: template).align(landmarks, in: frame))
        XCTAssertEqual(alignment.crop.width, 256)
        XCTAssertEqual(alignment.crop.height, 256)
        for (expected, mapped) in zip(template.points, alignment.cropLandmarks) {
            XCTAssertEqual(mapped.x, expected.x, accuracy: 1e-6)
            XCTAssertEqual(mapped.y, expected.y, accuracy: 1e-6)
            let found = centroid(near: expected, radius: 10, in: alignment.crop)
            XCTAssertEqual(found.x, expected.x, accuracy: 1, "dot near \(expected)")
            XCTAssertEqual(found.y, expected.y, accuracy: 1, "dot near \(expected)")
        }
    }

    func testWarpReplicatesTheBorder() {
        // A crop reaching far outside a red-left / blue-right image shows only edge colours.
        var pixels = [UInt8]()
        for _ in 0..<10 { for x in 0..<10 { pixels += x < 5 ? [255, 0, 0] : [0, 0, 255] } }
        let image = RGBImage(width: 10, height: 10, pixels: pixels)
        let crop = image.warped(size: 8, cropToSource: SimilarityTransform(a: 1, b: 0, tx: -20, ty: -20))
        XCTAssertEqual(crop.pixel(x: 0, y: 0).0, 255)
        XCTAssertEqual(crop.pixel(x: 7, y: 7).2, 0, "left edge colour is replicated, not black")
        let farRight = image.warped(size: 4, cropToSource: SimilarityTransform(a: 1, b: 0, tx: 50, ty: 3))
        XCTAssertTrue(farRight.pixel(x: 2, y: 2) == (0, 0, 255))
    }

    private func drawDot(at centre: Point, radius: Double, in image: inout RGBImage) {
        for y in Int(centre.y - radius - 1)...Int(centre.y + radius + 1) {
            for x in Int(centre.x - radius - 1)...Int(centre.x + radius + 1) {
                let d = ((Double(x) - centre.x) * (Double(x) - centre.x) + (Double(y) - centre.y) * (Double(y) - centre.y)).squareRoot()
                let value = UInt8(max(0, min(1, radius + 0.5 - d)) * 255)
                let offset = (y * image.width + x) * 3
                for c in 0..<3 { image.pixels[offset + c] = max(image.pixels[offset + c], value) }
            }
        }
    }

    private func centroid(near centre: Point, radius: Int, in image: RGBImage) -> Point {
        var sum = 0.0, sx = 0.0, sy = 0.0
        for y in (Int(centre.y) - radius)...(Int(centre.y) + radius) {
            for x in (Int(centre.x) - radius)...(Int(centre.x) + radius) {
                let w = Double(image.pixel(x: x, y: y).0)
                sum += w; sx += w * Double(x); sy += w * Double(y)
            }
        }
        return sum > 0 ? Point(x: sx / sum, y: sy / sum) : Point(x: -1, y: -1)
    }
}
