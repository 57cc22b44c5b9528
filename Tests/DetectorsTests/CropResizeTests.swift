import Foundation
import Imaging
import XCTest
@testable import Detectors

/// The integer 2:1 path of the crop resize, and the ensemble that resizes once for its members:
/// both must give the bytes and scores of the general Float path.
final class CropResizeTests: XCTestCase {
    /// Deterministic pseudo-random pixels; `levels` small makes many 2×2 sums end in a half.
    private func image(side: Int, seed: UInt32, levels: UInt32 = 256) -> RGBImage {
        var state = seed
        let pixels = (0..<(side * side * 3)).map { _ -> UInt8 in
            state = state &* 1_664_525 &+ 1_013_904_223
            return UInt8((state >> 16) % levels * (256 / levels))
        }
        return RGBImage(width: side, height: side, pixels: pixels)
    }

    func testHalvingGivesTheGeneralPathsBytes() {
        for (side, seed, levels) in [(2, 1, 256), (10, 2, 256), (34, 3, 2), (128, 4, 4), (256, 5, 256), (256, 6, 2)] as [(Int, UInt32, UInt32)] {
            let source = image(side: side, seed: seed, levels: levels)
            let general = resizedBilinearAnySize(source, to: side / 2)
            XCTAssertEqual(halvedBilinear(source), general, "\(side) px, \(levels) levels")
            XCTAssertEqual(resizedBilinear(source, to: side / 2), general, "\(side) px dispatch")
        }
        // Every 2×2 sum 0…1020 once per channel position: each rounding case, ties both ways.
        var pixels: [UInt8] = []
        for sum in 0...1020 {
            let quarter = sum / 4, extra = sum % 4
            let block = (0..<4).map { UInt8(quarter + ($0 < extra ? 1 : 0)) }
            pixels += [block[0], block[0], block[0], block[1], block[1], block[1]]
            pixels += [block[2], block[2], block[2], block[3], block[3], block[3]]
        }
        // Lay the blocks out as a 2 × (2·1021) strip, then pad to square with a second strip.
        var top: [UInt8] = [], bottom: [UInt8] = []
        for block in 0...1020 {
            top += pixels[(block * 12)..<(block * 12 + 6)]
            bottom += pixels[(block * 12 + 6)..<(block * 12 + 12)]
        }
        let width = 2 * 1021
        var square = [UInt8](repeating: 0, count: width * width * 3)
        square.replaceSubrange(0..<(width * 3), with: top)
        square.replaceSubrange((width * 3)..<(2 * width * 3), with: bottom)
        let strip = RGBImage(width: width, height: width, pixels: square)
        XCTAssertEqual(halvedBilinear(strip), resizedBilinearAnySize(strip, to: 1021))
    }

    func testOtherSizesKeepTheGeneralPath() {
        let source = image(side: 250, seed: 9)
        XCTAssertEqual(resizedBilinear(source, to: 128), resizedBilinearAnySize(source, to: 128))
        let wide = RGBImage(width: 256, height: 200, pixels: [UInt8](repeating: 77, count: 256 * 200 * 3))
        XCTAssertEqual(resizedBilinear(wide, to: 128), resizedBilinearAnySize(wide, to: 128))
    }

    /// The bundled default ensemble (two EfficientNet-Lite0 at 128 px) scores 256 px crops
    /// exactly as the mean of its members, and they as on crops resized by the general path.
    func testTheDefaultEnsembleScoresAsItsMembersDo() throws {
        let models = TestMaterial.packageRoot.appendingPathComponent("Sources/Detectors/Models")
        let ensembleFile = models.appendingPathComponent("video-efficientnet-lite0-x2.safetensors")
        try XCTSkipUnless(FileManager.default.fileExists(atPath: ensembleFile.path), "bundled default model missing")
        let ensemble = try DetectorRegistry.load(weights: ensembleFile)
        let members = try XCTUnwrap(ensemble.card.ensembleMembers).map {
            try DetectorRegistry.load(weights: models.appendingPathComponent($0.file))
        }
        XCTAssertEqual(members.count, 2)
        let crops = (0..<3).map { image(side: 256, seed: 20 + UInt32($0), levels: $0 == 2 ? 2 : 256) }
            + [image(side: 200, seed: 30)]
        let resized = crops.map { resizedBilinearAnySize($0, to: 128) }
        let scores = try members.map { try $0.pFake(crops: resized) }
        XCTAssertNotEqual(scores[0], scores[1], "the test needs members that disagree")
        XCTAssertEqual(try members[0].pFake(crops: crops), scores[0])
        XCTAssertEqual(try ensemble.pFake(crops: crops), crops.indices.map { (scores[0][$0] + scores[1][$0]) / 2 })
    }
}
