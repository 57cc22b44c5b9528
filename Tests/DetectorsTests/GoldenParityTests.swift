import Foundation
import Imaging
import NN
import XCTest
@testable import Detectors

/// Swift vs the NumPy Keras-semantics reference (Training/reference/keras_reference.py) on the
/// committed random inputs and on the 4 MesoNet sample faces, with the authors' weights.
final class GoldenParityTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws { directory = try TestMaterial.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    private func detector(_ name: String) throws -> any Detector {
        try DetectorRegistry.load(weights: try TestMaterial.importedWeights(name, into: directory))
    }

    private func assertMatches(_ name: String, _ label: String, _ crops: [RGBImage], line: UInt = #line) throws {
        let golden = try SafeTensorsFile(url: TestMaterial.golden)
        let expected = try golden.floats("\(name).\(label).p_fake")
        let got = try detector(name).pFake(crops: crops)
        XCTAssertEqual(got.count, expected.count, line: line)
        for (g, e) in zip(got, expected) {
            XCTAssertEqual(g, e, accuracy: 1e-4, "\(name) \(label): \(got) vs \(expected)", line: line)
        }
    }

    func testRandomInputsMatchReferenceForAllFourWeightFiles() throws {
        let golden = try SafeTensorsFile(url: TestMaterial.golden)
        let inputs = TestMaterial.images(try golden.bytes("inputs"), count: golden.entries["inputs"]!.shape[0])
        for name in ["Meso4_DF", "Meso4_F2F", "MesoInception_DF", "MesoInception_F2F"] {
            try assertMatches(name, "random", inputs)
        }
    }

    func testSampleFacesMatchReferenceAndDFModelsClassifyThemAsTheirFolders() throws {
        let golden = try SafeTensorsFile(url: TestMaterial.golden)
        let command = try XCTUnwrap(golden.metadata["image_decode"])
        let faces = try TestMaterial.sampleFaces.map { try TestMaterial.sampleFace($0, command: command) }
        for name in ["Meso4_DF", "Meso4_F2F", "MesoInception_DF", "MesoInception_F2F"] {
            try assertMatches(name, "images", faces)
        }
        for name in ["Meso4_DF", "MesoInception_DF"] {
            let pFake = try detector(name).pFake(crops: faces)
            XCTAssertEqual(pFake.map { $0 > 0.5 }, TestMaterial.sampleFaces.map { $0.hasPrefix("df/") }, "\(name): \(pFake)")
        }
    }

    func testImportedCardSaysPFakeAndNamesTheSource() throws {
        let card = try DetectorRegistry.card(weights: try TestMaterial.importedWeights("Meso4_DF", into: directory))
        XCTAssertEqual(card.architecture, "meso4")
        XCTAssertEqual(card.scoreSemantics, ModelCard.pFakeSemantics)
        XCTAssertEqual(card.scaling, "x/255")
        XCTAssertEqual(card.sourceFile, "Meso4_DF.h5")
        XCTAssertEqual(card.sourceSHA256?.count, 64)
    }
}
