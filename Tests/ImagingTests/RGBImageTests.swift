import Testing
@testable import Imaging

@Suite struct RGBImageTests {
    /// A 3×2 image whose red channel numbers the pixels 0…5 in row order.
    private func numbered() -> RGBImage {
        var pixels = [UInt8](repeating: 0, count: 3 * 2 * 3)
        for i in 0..<6 { pixels[i * 3] = UInt8(i) }
        return RGBImage(width: 3, height: 2, pixels: pixels)
    }

    private func reds(_ image: RGBImage) -> [[UInt8]] {
        (0..<image.height).map { y in (0..<image.width).map { x in image.pixel(x: x, y: y).0 } }
    }

    @Test func clockwiseQuarterTurnMovesTheLeftColumnToTheTop() {
        let turned = numbered().rotated(quarterTurns: 1)
        #expect(turned.width == 2 && turned.height == 3)
        #expect(reds(turned) == [[3, 0], [4, 1], [5, 2]])
    }

    @Test func halfTurnReversesBothAxes() {
        #expect(reds(numbered().rotated(quarterTurns: 2)) == [[5, 4, 3], [2, 1, 0]])
    }

    @Test func counterClockwiseQuarterTurnUndoesAClockwiseOne() {
        let image = numbered()
        #expect(image.rotated(quarterTurns: 1).rotated(quarterTurns: -1) == image)
        #expect(reds(image.rotated(quarterTurns: 3)) == [[2, 5], [1, 4], [0, 3]])
    }

    @Test func mirrorReversesEachRowAndKeepsTheChannelsTogether() {
        var image = numbered()
        image.pixels[1] = 9  // green of pixel 0 travels with its red
        let mirrored = image.mirrored()
        #expect(reds(mirrored) == [[2, 1, 0], [5, 4, 3]])
        #expect(mirrored.pixel(x: 2, y: 0) == (0, 9, 0))
        #expect(mirrored.mirrored() == image)
    }
}
