import Detectors
import Evaluation
import Foundation
import Imaging
import NN
import Tensor
import Testing
import VideoDecode
@testable import deepfake_scan

/// `eval --mask-truth` end to end: made-up ClassNSeg weights (the golden fixture's keys and
/// shapes, deterministic values, the mask's bias centred), two real and two fake crops, and
/// ground-truth masks chosen from the model's own masks so the expected numbers follow whatever the weights flag:
/// fake A's truth is exactly its flagged pixels (IoU 1), fake B's exactly the others (IoU 0).
@Suite final class EvalMaskTruthTests {
    let directory: URL
    let weights: URL
    let labels: String
    /// The model's flagged pixels per crop: reals r0, r1, fakes fA, fB.
    var flagged: [String: [Bool]] = [:]
    var pFake: [String: Float] = [:]

    init() throws {
        let directory = try SyntheticWeights.temporaryDirectory("eval-masks")
        self.directory = directory
        let names = ["r0", "r1", "fA", "fB"]
        let crops = names.enumerated().map { Self.crop(seed: $0.offset) }
        // Made-up weights flag all or nothing; shift the mask logit (channel 1's last bias) by
        // the median pixel's until both fakes are partly flagged.
        var shift: Float = 0, results: [(pFake: Float, mask: ManipulationMask)] = []
        var weights = directory
        for _ in 0..<8 {
            weights = try SyntheticWeights.writeClassNSeg(into: directory, maskLogitShift: shift)
            results = try (DetectorRegistry.load(weights: weights) as! any MaskingDetector).pFakeAndMasks(crops: crops)
            let mixed = results[2...].allSatisfy { (0.05...0.95).contains($0.mask.flaggedFraction) }
            if mixed { break }
            let logits = results.flatMap(\.mask.probabilities).map { p -> Double in
                let q = min(max(Double(p), 1e-30), 1 - 1e-16)
                return log(q / (1 - q))
            }.sorted()
            shift -= Float(logits[logits.count / 2])
        }
        self.weights = weights
        labels = directory.appendingPathComponent("set/labels.tsv").path
        for folder in ["set/crops", "set/masks"] {
            try FileManager.default.createDirectory(at: directory.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        for (name, result) in zip(names, results) {
            flagged[name] = result.mask.probabilities.map { $0 >= 0.5 }
            pFake[name] = result.pFake
        }
        for (name, crop) in zip(names, crops) {
            try StillImage.writePNG(crop, to: directory.appendingPathComponent("set/crops/\(name).png").path)
        }
        func writeMask(_ name: String, _ bits: [Bool]) throws {
            let mask = RGBImage(width: 256, height: 256, pixels: bits.flatMap { $0 ? [255, 255, 255] : [0, 0, 0] })
            try StillImage.writePNG(mask, to: directory.appendingPathComponent("set/masks/\(name).png").path)
        }
        try writeMask("fA", flagged["fA"]!)
        try writeMask("fB", flagged["fB"]!.map { !$0 })
        try writeMask("r1", [Bool](repeating: false, count: 256 * 256))
        // r0 leaves its mask empty (a real: nothing manipulated); r1 names an all-zero one.
        try """
            path\tlabel\tmask\tmethod
            crops/r0.png\treal\t\toriginal
            crops/r1.png\treal\tmasks/r1.png\toriginal
            crops/fA.png\tfake\tmasks/fA.png\tsbi
            crops/fB.png\tfake\tmasks/fB.png\tsbi

            """.write(toFile: labels, atomically: true, encoding: .utf8)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// A smooth colour pattern with a seed-dependent phase: faces are not needed, only crops.
    static func crop(seed: Int) -> RGBImage {
        var pixels = [UInt8](repeating: 0, count: 256 * 256 * 3)
        for y in 0..<256 {
            for x in 0..<256 {
                for c in 0..<3 {
                    let wave = sin(Double(x) * 0.05 * Double(c + 1) + Double(y) * 0.031 + Double(seed) * 1.7)
                    pixels[(y * 256 + x) * 3 + c] = UInt8(127.5 + 120 * wave)
                }
            }
        }
        return RGBImage(width: 256, height: 256, pixels: pixels)
    }

    func eval(_ arguments: [String]) async throws -> (code: Int32, output: String, error: String) {
        let command = try Eval.parse([labels, "--mask-truth"] + arguments)
        var output = "", error = ""
        let code = await command.execute(progress: nil, print: { output += $0 }, printError: { error += $0 })
        return (code, output, error)
    }

    @Test func theReportHasTheMaskLinesWithTheValuesOfTheMasksWritten() async throws {
        let text = try await eval(["--weights", weights.path, "--batch-size", "3"])
        #expect(text.code == 0, "\(text.error)")
        #expect(text.output.hasPrefix("Image level: 4 images (2 fake, 2 real)"), "\(text.output)")
        #expect(text.output.contains("Masks: 2 fakes, 2 reals"))
        for line in ["fakes pixel accuracy", "fakes IoU (pooled)", "fakes IoU (mean/image)", "reals flagged area"] {
            #expect(text.output.contains(line), "\(line) missing from\n\(text.output)")
        }

        let result = try await eval(["--weights", weights.path, "--json"])
        let report = try decoded(result.output)
        let masks = try #require(report.masks)
        let plane = 256.0 * 256.0
        let count = { (name: String) in Double(self.flagged[name]!.filter { $0 }.count) }
        // The made-up weights flag part of each fake, not none or all (else the test says little).
        #expect(["fA", "fB"].allSatisfy { count($0) > 0 && count($0) < plane }, "\(["fA", "fB"].map(count))")
        // fA agrees everywhere, fB nowhere: accuracy ½ whatever the weights flag.
        #expect(masks.pixelAccuracy == 0.5)
        // Pooled: fA's |flagged| over its own |flagged| plus fB's whole plane.
        #expect(masks.iouPooled == count("fA") / (count("fA") + plane))
        if count("fA") > 0 {
            #expect(masks.iouMeanPerImage == 0.5 && masks.fakesWithEmptyMasks == 0)
        } else {
            #expect(masks.iouMeanPerImage == 0 && masks.fakesWithEmptyMasks == 1)
        }
        #expect(masks.truthFraction == (count("fA") + plane - count("fB")) / (2 * plane))
        #expect(masks.flaggedFractionFakes == (count("fA") + count("fB")) / (2 * plane))
        #expect(masks.flaggedFractionReals == (count("r0") + count("r1")) / (2 * plane))
        #expect(masks.realsWithFlaggedPixels == ["r0", "r1"].filter { count($0) > 0 }.count)
        // The usual metrics on the images' p_fake: AUC of fA, fB against r0, r1.
        let fakes = ["fA", "fB"].map { pFake[$0]! }, reals = ["r0", "r1"].map { pFake[$0]! }
        let pairs = fakes.flatMap { f in reals.map { r in f > r ? 1.0 : f == r ? 0.5 : 0 } }
        #expect(report.video.auc == pairs.reduce(0, +) / 4)
        #expect(report.video.samples == 4)
    }

    @Test func csvKeepsARowPerImageThatScoresReads() async throws {
        let csv = directory.appendingPathComponent("rows.csv").path
        let result = try await eval(["--weights", weights.path, "--csv", csv])
        #expect(result.code == 0, "\(result.error)")
        let rows = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\r\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(rows.first == ["path", "status", "p_fake", "threshold", "label", "truth_pixels", "flagged_pixels", "intersection", "union"])
        let fA = try #require(rows.first { $0.first == "crops/fA.png" })
        #expect(Int(fA[5]) == flagged["fA"]!.filter { $0 }.count && fA[5] == fA[6] && fA[6] == fA[7] && fA[7] == fA[8])
        let again = try await run(["--scores", csv])
        #expect(again.code == 0 && again.output.contains("Video level: 4 videos (2 fake, 2 real)"), "\(again)")
    }

    @Test func aModelWithoutMasksIsAClearError() async throws {
        let meso = try SyntheticWeights.writeMeso4(name: "tiny-meso", into: directory)
        let result = try await eval(["--weights", meso.path])
        #expect(result.code == 2 && result.output.isEmpty)
        #expect(result.error.contains("model tiny-meso (meso4) makes no manipulation masks; --mask-truth needs a masking model"),
                "\(result.error)")
    }

    @Test func labelsWithoutMasksOrAFakeWithoutOneAreErrors() async throws {
        try "path\tlabel\ncrops/fA.png\tfake\n".write(toFile: labels, atomically: true, encoding: .utf8)
        let none = try await eval(["--weights", weights.path])
        #expect(none.code == 2 && none.error.contains("--mask-truth needs a mask column"), "\(none.error)")
        try "path\tlabel\tmask\ncrops/fA.png\tfake\t\n".write(toFile: labels, atomically: true, encoding: .utf8)
        let missing = try await eval(["--weights", weights.path])
        #expect(missing.code == 2 && missing.error.contains("fake crops/fA.png has no mask"), "\(missing.error)")
    }

    @Test(arguments: [["--scores", "s.csv"], ["--perturb", "jpeg:40"], ["--frames", "8"]])
    func videoOptionsAreRefused(_ extra: [String]) {
        #expect(throws: (any Error).self) { try Eval.parse(["l.tsv", "--mask-truth"] + extra) }
    }

    func run(_ arguments: [String]) async throws -> (code: Int32, output: String, error: String) {
        let command = try Eval.parse([labels] + arguments)
        var output = "", error = ""
        let code = await command.execute(progress: nil, print: { output += $0 }, printError: { error += $0 })
        return (code, output, error)
    }

    func decoded(_ json: String) throws -> EvaluationReport {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(EvaluationReport.self, from: Data(json.utf8))
    }
}

extension SyntheticWeights {
    /// ClassNSeg weights with every key and shape of Tests/Fixtures/classnseg_golden.json,
    /// deterministic made-up values (positive running variances).
    /// `maskLogitShift` is added to the manipulated channel's last bias (`segmenter.12.bias[1]`).
    static func writeClassNSeg(into directory: URL, maskLogitShift: Float = 0) throws -> URL {
        let fixture = PackageFolder.root.appendingPathComponent("Tests/Fixtures/classnseg_golden.json")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: fixture)) as! [String: Any]
        var tensors: [String: Tensor] = [:]
        for (number, entry) in (object["keys"] as! [[Any]]).enumerated() {
            let key = entry[0] as! String, shape = entry[1] as! [Int]
            let fanIn = Double(shape.dropFirst().reduce(1, *))
            let values = (0..<shape.reduce(1, *)).map { i -> Float in
                let wave = sin(Double(i) * 0.731 + Double(number) * 1.913)
                if key.hasSuffix("running_var") { return Float(1 + 0.5 * abs(wave)) }
                if key.hasSuffix("running_mean") || key.hasSuffix("bias") { return Float(0.05 * wave) }
                return Float(wave * (key.hasSuffix(".weight") && shape.count > 1 ? 1.5 / fanIn.squareRoot() : 1))
            }
            tensors[key] = Tensor(shape: shape, storage: key == "segmenter.12.bias" ? [values[0], values[1] + maskLogitShift] : values)
        }
        let card = ModelCard(name: "tiny-classnseg", architecture: "classnseg", version: "1", inputSize: 256,
                             colourOrder: "RGB", scaling: "imagenet", provenance: "synthetic weights of ModelSelectionTests")
        let url = directory.appendingPathComponent("tiny-classnseg.safetensors")
        try SafeTensorsWriter.encode(tensors, metadata: card.metadata).write(to: url)
        return url
    }
}
