import Foundation
import Imaging
import NN
import XCTest
@testable import Detectors
import TestSupport

/// The training smoke run end to end: each architecture trained a few steps by Training/train.py
/// and exported by Training/export.py loads strictly in the engine and scores crops as PyTorch
/// does (Training/reference/export_smoke.py writes the weights, the crops and PyTorch's p_fake).
final class TrainedExportTests: XCTestCase {
    func testExportedTrainingRunsLoadStrictlyAndScoreAsPyTorch() throws {
        let python = TestMaterial.packageRoot.appendingPathComponent(".venv/bin/python")
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw XCTSkip("no Training venv (make venv): exported training runs not checked")
        }
        let directory = try TestMaterial.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // coreutils' timeout: a hung PyTorch child fails the test (status 124) instead of the suite.
        let export = try ChildProcess.run(
            "/usr/bin/timeout", ["--kill-after=10", "300", python.path, "-m", "Training.reference.export_smoke", "--out", directory.path],
            directory: TestMaterial.packageRoot)
        XCTAssertNotEqual(export.status, 124, "export_smoke ran past 300 s")
        XCTAssertEqual(export.status, 0, String((export.stdoutText + export.stderrText).suffix(2000)))

        let crops = try SafeTensorsFile(url: directory.appendingPathComponent("crops.safetensors"))
        let shape = try XCTUnwrap(crops.entries["crops"]?.shape)
        let bytes = try crops.bytes("crops")
        let size = shape[1] * shape[2] * 3
        let images = (0..<shape[0]).map { RGBImage(width: shape[2], height: shape[1], pixels: Array(bytes[($0 * size)..<(($0 + 1) * size)])) }
        let expected = try JSONDecoder().decode([String: [Float]].self,
                                                from: Data(contentsOf: directory.appendingPathComponent("expected.json")))
        XCTAssertEqual(Set(expected.keys), ["meso4", "mesoinception4", "efficientnet_lite0"])
        for (architecture, scores) in expected {
            let detector = try DetectorRegistry.load(name: architecture, weights: directory.appendingPathComponent("\(architecture).safetensors"))
            XCTAssertEqual(detector.card.name, "smoke-\(architecture)")
            let found = try detector.pFake(crops: images)
            for (index, score) in scores.enumerated() {
                XCTAssertEqual(found[index], score, accuracy: 2e-5, "\(architecture) crop \(index)")
            }
        }
    }
}
