import Detectors
import Foundation
import Imaging
import Testing
import VideoDecode
@testable import deepfake_scan

/// `explain`: still images → verdict per face, and mask overlays for classnseg.
@Suite struct ExplainCommandTests {
    static let root = FacesCommandTests.root
    static let shared = root.deletingLastPathComponent().appendingPathComponent("shared")
    static let haveAuthorsMaterial =
        FileManager.default.fileExists(atPath: shared.appendingPathComponent("weights/classnseg/full_encoder_46.pt").path)
        && FileManager.default.fileExists(atPath: shared.appendingPathComponent("data/images/classnseg/fake.jpg").path)
        && FileManager.default.isExecutableFile(atPath: root.appendingPathComponent(".venv/bin/python").path)

    private func temporaryFolder() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("explain-\(UUID().uuidString)").path
    }

    @Test func refusesNonImages() {
        #expect(throws: (any Error).self) { try Explain.parse(["clip.mp4", "--out", "x"]) }
        #expect(throws: (any Error).self) { try Explain.parse(["--out", "x"]) }
    }

    @Test func aModelWithoutMasksGivesVerdictsAndNoOverlay() throws {
        let out = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: out) }
        try Explain.parse([FacesCommandTests.portrait, "--aligned", "--model", "sbi-meso4", "--out", out]).run()
        let command = try Explain.parse([FacesCommandTests.portrait, "--out", out])
        let detector = try DetectorRegistry.load(weights: try ModelCatalog.bundled.resolve("sbi-meso4").file)
        let lines = try command.explain([try StillImage.read(path: FacesCommandTests.portrait)], detector: detector,
                                        threshold: 0.5, stem: "astronaut")
        #expect(lines.count == 1 && lines[0].hasPrefix("face 0: p_fake ") && !lines[0].contains("mask"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).isEmpty)
    }

    /// The authors' two samples (face | ground-truth mask, 512×256), left halves as aligned crops.
    @Test(.enabled(if: haveAuthorsMaterial, "needs ../shared/weights/classnseg, its sample images and .venv"))
    func theAuthorsSamplesScoreAsLabelledWithOverlays() throws {
        let out = temporaryFolder()
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: out) }
        let weights = out + "/classnseg-full.safetensors"
        try Models.Import.parse([
            "classnseg", Self.shared.appendingPathComponent("weights/classnseg/full_encoder_46.pt").path,
            Self.shared.appendingPathComponent("weights/classnseg/full_decoder_46.pt").path,
            "--out", weights, "--project", Self.root.path]).run()
        var crops: [String] = []
        for name in ["real", "fake"] {
            let image = try StillImage.read(path: Self.shared.appendingPathComponent("data/images/classnseg/\(name).jpg").path)
            #expect(image.width == 512 && image.height == 256)
            var face = [UInt8]()
            for y in 0..<256 { face += image.pixels[(y * 512 * 3)..<(y * 512 * 3 + 256 * 3)] }
            crops.append(out + "/\(name).png")
            try StillImage.writePNG(RGBImage(width: 256, height: 256, pixels: face), to: crops.last!)
        }
        let overlays = out + "/overlays"
        let command = try Explain.parse(crops + ["--aligned", "--weights", weights, "--out", overlays])
        try command.run()
        for name in ["real", "fake"] {
            let overlay = try StillImage.read(path: overlays + "/\(name)-mask.png")
            #expect(overlay.width == 512 && overlay.height == 256)
        }
        let detector = try DetectorRegistry.load(weights: URL(fileURLWithPath: weights))
        let lines = try command.explain(try crops.map { try StillImage.read(path: $0) }, detector: detector,
                                        threshold: 0.5, stem: "pair")
        func number(after label: String, in line: String) throws -> Double {
            let tail = try #require(line.range(of: label)).upperBound
            return try #require(Double(line[tail...].prefix { "0123456789.".contains($0) }))
        }
        let (real, fake) = (try number(after: "p_fake ", in: lines[0]), try number(after: "p_fake ", in: lines[1]))
        #expect(real < fake, "\(lines)")
        #expect(try number(after: "mask flags ", in: lines[0]) < 1)
        #expect(try number(after: "mask flags ", in: lines[1]) > 20)
    }
}
