import Foundation
import Imaging
import NN
import Tensor
import XCTest
import TestSupport

/// Where the tests find ../shared, the golden fixtures and imported MesoNet weights.
enum TestMaterial {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let shared = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
    static let golden = packageRoot.appendingPathComponent("Tests/Fixtures/mesonet_golden.safetensors")
    static let sampleFaces = ["df/df00204.jpg", "df/df01254.jpg", "real/real00240.jpg", "real/real00772.jpg"]

    /// The imported safetensors for one of the authors' .h5 files: from `make fixtures`
    /// (.build-weights/mesonet), else imported now through the Training venv, else skip.
    static func importedWeights(_ name: String, into directory: URL) throws -> URL {
        let made = packageRoot.appendingPathComponent(".build-weights/mesonet/\(name).safetensors")
        if FileManager.default.fileExists(atPath: made.path) { return made }
        let h5 = shared.appendingPathComponent("weights/mesonet/\(name).h5")
        let python = packageRoot.appendingPathComponent(".venv/bin/python")
        guard FileManager.default.fileExists(atPath: h5.path) else {
            throw XCTSkip("../shared/weights/mesonet absent: golden parity with the authors' weights not checked")
        }
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw XCTSkip("no imported weights: run `make fixtures` (needs `make venv`)")
        }
        let out = directory.appendingPathComponent("\(name).safetensors")
        try run(python.path, ["-m", "Training.importers.mesonet_keras", h5.path, "--out", out.path])
        return out
    }

    /// Decodes a sample face exactly as the fixture generator did (its metadata holds the command).
    static func sampleFace(_ relative: String, command: String) throws -> RGBImage {
        let path = shared.appendingPathComponent("data/images/mesonet/\(relative)").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw XCTSkip("../shared/data/images/mesonet absent: sample-face parity not checked")
        }
        let words = command.split(separator: " ").map { $0 == "{path}" ? path : String($0) }
        let pixels = try run("/usr/bin/env", words)
        return RGBImage(width: 256, height: 256, pixels: [UInt8](pixels))
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> Data {
        let finished = try ChildProcess.run(executable, arguments, directory: packageRoot)
        guard finished.succeeded else {
            throw XCTSkip("\(executable) \(arguments.prefix(3).joined(separator: " ")) failed (\(finished.status))")
        }
        return finished.stdout
    }

    /// uint8 NHWC images → RGBImages.
    static func images(_ bytes: [UInt8], count: Int) -> [RGBImage] {
        let size = bytes.count / count
        return (0..<count).map { RGBImage(width: 256, height: 256, pixels: Array(bytes[($0 * size)..<(($0 + 1) * size)])) }
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("detectors-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
