import XCTest
@testable import Detectors

/// Spot values Training/tests/test_efficientnet_golden.py pins too: the Swift and Python
/// formulas agree bit for bit, so a parity failure is the model's, not the fixture's.
final class EfficientNetFormulaTests: XCTestCase {
    func testFormulaValuesArePinned() {
        XCTAssertEqual(EfficientNetFormula.fnv1a("_fc.bias"), 0xC702_BC2C)
        let stem = EfficientNetFormula.tensor("_conv_stem.weight", shape: [32, 3, 3, 3]).storage
        XCTAssertEqual(stem.prefix(3).map(\.bitPattern), [0xBE95_A0CB, 0xBD8A_764A, 0xBD97_E775])
        XCTAssertLessThanOrEqual(stem.map(abs).max()!, Float((6.0 / 27).squareRoot()))
        let variance = EfficientNetFormula.tensor("_bn0.running_var", shape: [32]).storage
        XCTAssertEqual(variance.prefix(2).map(\.bitPattern), [0x3F4D_8BF9, 0x3F8A_AADC])
        XCTAssertTrue(variance.allSatisfy { $0 >= 0.5 && $0 < 1.5 })
        let image = EfficientNetFormula.crop(["size": 256, "ax": 2, "ay": 3, "cell": 24, "seed": 4])
        func pixel(_ y: Int, _ x: Int) -> [UInt8] { Array(image.pixels[((y * 256 + x) * 3)..<((y * 256 + x) * 3 + 3)]) }
        XCTAssertEqual(pixel(0, 0), [47, 103, 182])
        XCTAssertEqual(pixel(100, 37), [184, 13, 133])
    }
}
