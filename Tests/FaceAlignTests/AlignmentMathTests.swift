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

    /// The integer warp against the same bilinear sampling in Double, on a noisy image (sharp
    /// edges everywhere, so position errors show), with rotated, enlarged, shrunk crops and
    /// crops partly outside the frame: no channel differs by more than one level.
    func testIntegerWarpMatchesDoubleBilinearWithinOneLevel() {
        var state: UInt32 = 12345
        let (width, height) = (173, 131)
        let pixels = (0..<(width * height * 3)).map { _ -> UInt8 in
            state = state &* 1_664_525 &+ 1_013_904_223
            return UInt8(truncatingIfNeeded: state >> 24)
        }
        let image = RGBImage(width: width, height: height, pixels: pixels)
        let transforms = [
            SimilarityTransform(scale: 0.37, radians: 0.31, tx: 40.3, ty: 12.7),
            SimilarityTransform(scale: 1.9, radians: -2.2, tx: 150.2, ty: 140.9),   // runs off two edges
            SimilarityTransform(scale: 0.5, radians: 0, tx: -10.25, ty: 90.5),      // starts left of the frame
            SimilarityTransform(scale: 0.25, radians: 1.1, tx: 100.01, ty: 3.99),
        ]
        for t in transforms {
            let size = 96
            let crop = image.warped(size: size, cropToSource: t)
            var worst = 0
            for v in 0..<size {
                for u in 0..<size {
                    let source = t.apply(Point(x: Double(u), y: Double(v)))
                    let expected = bilinear(image, at: source)
                    let got = crop.pixel(x: u, y: v)
                    for (e, g) in zip(expected, [got.0, got.1, got.2]) { worst = max(worst, abs(Int(e) - Int(g))) }
                }
            }
            XCTAssertLessThanOrEqual(worst, 1, "\(t)")
        }
    }

    /// Bilinear sampling with border replicate, in Double: the reference for the integer warp.
    private func bilinear(_ image: RGBImage, at p: Point) -> [UInt8] {
        let x = min(max(p.x, 0), Double(image.width - 1)), y = min(max(p.y, 0), Double(image.height - 1))
        let x0 = Int(x), y0 = Int(y), x1 = min(x0 + 1, image.width - 1), y1 = min(y0 + 1, image.height - 1)
        let fx = x - Double(x0), fy = y - Double(y0)
        let corners = [image.pixel(x: x0, y: y0), image.pixel(x: x1, y: y0), image.pixel(x: x0, y: y1), image.pixel(x: x1, y: y1)]
        let weights = [(1 - fx) * (1 - fy), fx * (1 - fy), (1 - fx) * fy, fx * fy]
        return (0..<3).map { c in
            let value = zip(corners, weights).map { corner, w in
                w * Double(c == 0 ? corner.0 : c == 1 ? corner.1 : corner.2)
            }.reduce(0, +)
            return UInt8(min(255, (value + 0.5).rounded(.down)))
        }
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
