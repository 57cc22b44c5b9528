import Foundation
import Imaging
import NN
import Tensor
import XCTest
@testable import Detectors

/// ClassNSeg against PyTorch (Training/models/classnseg.py in float64) on formula crops, with
/// formula weights (nothing from ../shared) and with the authors' two weight sets (skipped when
/// ../shared is absent). Expected numbers: Tests/Fixtures/classnseg_golden.json, made by
/// `python -m Training.reference.classnseg_golden --shared ../shared --out …`.
final class ClassNSegParityTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws { directory = try TestMaterial.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    static let card = ModelCard(name: "classnseg-formula", architecture: "classnseg", version: "0", inputSize: 256,
                                colourOrder: "RGB", scaling: "imagenet", provenance: "EfficientNetFormula (tests)")

    /// Float32 rounding through 18 layers, with room for any BLAS summation order; the
    /// reference is float64.
    static let tolerance = 1e-4

    func testFormulaWeightsMatchPyTorch() throws {
        let golden = try ClassNSegGolden()
        let state = Dictionary(uniqueKeysWithValues: golden.keys.map { ($0.key, EfficientNetFormula.tensor($0.key, shape: $0.shape)) })
        let url = directory.appendingPathComponent("classnseg.safetensors")
        try SafeTensorsWriter.encode(state, metadata: Self.card.metadata).write(to: url)
        let detector = try DetectorRegistry.load(name: "classnseg", weights: url)
        let model = try XCTUnwrap(detector as? ClassNSeg)
        try assertMatches(model, golden, golden.formula, label: "formula")
        // A crop scores the same alone as in a batch, and pFake is the encoder's alone.
        let batch = try model.pFake(crops: golden.crops)
        XCTAssertEqual(try golden.crops.map { try model.pFake(crops: [$0])[0] }, batch)
        XCTAssertEqual(try model.pFakeAndMasks(crops: golden.crops).map(\.pFake), batch)
        XCTAssertEqual(try model.pFake(crops: []), [])
    }

    func testLoadingIsStrictAndNamesTheKey() throws {
        let golden = try ClassNSegGolden()
        var state = Dictionary(uniqueKeysWithValues: golden.keys.map { ($0.key, EfficientNetFormula.tensor($0.key, shape: $0.shape)) })
        let url = directory.appendingPathComponent("broken.safetensors")
        state["segmenter.12.bias"] = nil
        try SafeTensorsWriter.encode(state, metadata: Self.card.metadata).write(to: url)
        XCTAssertThrowsError(try DetectorRegistry.load(name: "classnseg", weights: url)) {
            XCTAssertTrue("\($0)".contains("segmenter.12.bias"), "\($0)")
        }
        state["segmenter.12.bias"] = Tensor(zeros: [2])
        state["segmenter.12.extra"] = Tensor(zeros: [1])
        try SafeTensorsWriter.encode(state, metadata: Self.card.metadata).write(to: url)
        XCTAssertThrowsError(try DetectorRegistry.load(name: "classnseg", weights: url)) {
            XCTAssertTrue("\($0)".contains("segmenter.12.extra"), "\($0)")
        }
    }

    func testAuthorsWeightsMatchPyTorch() throws {
        let golden = try ClassNSegGolden()
        for set in ["full", "finetune"] {
            let expected = try XCTUnwrap(golden.sets[set], "fixture lacks \(set): regenerate it with ../shared present")
            let url = try ClassNSegWeights.imported(set, into: directory)
            let model = try XCTUnwrap(try DetectorRegistry.load(weights: url) as? ClassNSeg)
            XCTAssertEqual(model.card.sourceSHA256, expected.sourceSHA256, "fixture made from other \(set) weights")
            try assertMatches(model, golden, expected, label: set)
        }
    }

    func testAuthorsSampleImagesScoreAsLabelled() throws {
        for set in ["full", "finetune"] {
            let model = try XCTUnwrap(try DetectorRegistry.load(weights: try ClassNSegWeights.imported(set, into: directory)) as? ClassNSeg)
            // Each sample is the face (left 256²) beside its ground-truth mask (right 256²).
            let real = try ClassNSegWeights.sampleHalves("real"), fake = try ClassNSegWeights.sampleHalves("fake")
            let out = model.analyse([real.face, fake.face], masks: true, reconstruction: false)
            let (realMask, fakeMask) = (out[0].mask!, out[1].mask!)
            print("classnseg \(set) samples: p_fake real \(out[0].pFake) fake \(out[1].pFake); flagged real "
                  + "\(realMask.flaggedFraction) fake \(fakeMask.flaggedFraction); fake mask IoU \(iou(fakeMask, fake.truth))")
            XCTAssertLessThan(out[0].pFake, out[1].pFake, "\(set): real must score below fake")
            XCTAssertLessThan(realMask.flaggedFraction, 0.01, set)
            XCTAssertGreaterThan(fakeMask.flaggedFraction, 0.2, set)
            XCTAssertGreaterThan(iou(fakeMask, fake.truth), 0.6, set)
        }
    }

    private func iou(_ mask: ManipulationMask, _ truth: [Bool]) -> Double {
        var intersection = 0, union = 0
        for (p, t) in zip(mask.probabilities, truth) {
            let flagged = p >= ManipulationMask.flagThreshold
            if flagged && t { intersection += 1 }
            if flagged || t { union += 1 }
        }
        return union == 0 ? 1 : Double(intersection) / Double(union)
    }

    private func assertMatches(_ model: ClassNSeg, _ golden: ClassNSegGolden, _ expected: ClassNSegGolden.Outputs,
                               label: String, line: UInt = #line) throws {
        let out = model.analyse(golden.crops, masks: true, reconstruction: true)
        var errors: [String: Double] = [:]
        func track(_ name: String, _ got: Float, _ want: Double) { errors[name] = max(errors[name] ?? 0, abs(Double(got) - want)) }
        for (n, crop) in out.enumerated() {
            for k in 0..<2 { track("activation", crop.activations[k], expected.activations[n][k]) }
            track("p_fake", crop.pFake, expected.pFake[n])
            let mask = try XCTUnwrap(crop.mask)
            XCTAssertEqual([mask.width, mask.height], [256, 256], line: line)
            for (i, index) in ClassNSegGolden.maskIndices(golden.maskSamples).enumerated() {
                track("mask", mask.probabilities[index], expected.maskSamples[n][i])
            }
            track("mask_mean", Float(mask.meanProbability), expected.maskMean[n])
            let image = try XCTUnwrap(crop.reconstruction)
            XCTAssertEqual(image.shape, [3, 256, 256], line: line)
            for c in 0..<3 {
                for (i, index) in ClassNSegGolden.reconstructionIndices(golden.reconstructionSamples).enumerated() {
                    track("reconstruction", image.storage[c * 65536 + index], expected.reconstructionSamples[n][c][i])
                }
            }
        }
        print("classnseg parity (\(label)): " + errors.keys.sorted().map { "max |Δ\($0)| \(errors[$0]!)" }.joined(separator: ", "))
        for (name, error) in errors {
            XCTAssertLessThanOrEqual(error, Self.tolerance, "\(label): \(name)", line: line)
        }
    }
}

/// Tests/Fixtures/classnseg_golden.json.
struct ClassNSegGolden {
    struct Outputs {
        let activations: [[Double]]
        let pFake: [Double]
        let maskSamples: [[Double]]
        let maskMean: [Double]
        let reconstructionSamples: [[[Double]]]
        let sourceSHA256: String?

        init(_ json: [String: Any]) {
            activations = (json["activations"] as! [[NSNumber]]).map { $0.map(\.doubleValue) }
            pFake = (json["p_fake"] as! [NSNumber]).map(\.doubleValue)
            maskSamples = (json["mask_samples"] as! [[NSNumber]]).map { $0.map(\.doubleValue) }
            maskMean = (json["mask_mean"] as! [NSNumber]).map(\.doubleValue)
            reconstructionSamples = (json["reconstruction_samples"] as! [[[NSNumber]]]).map { $0.map { $0.map(\.doubleValue) } }
            sourceSHA256 = json["source_sha256"] as? String
        }
    }

    let keys: [(key: String, shape: [Int])]
    let crops: [RGBImage]
    let maskSamples: Int
    let reconstructionSamples: Int
    let formula: Outputs
    let sets: [String: Outputs]

    static let url = TestMaterial.packageRoot.appendingPathComponent("Tests/Fixtures/classnseg_golden.json")

    init() throws {
        guard let json = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.url)) as? [String: Any] else {
            throw CocoaError(.fileReadCorruptFile)
        }
        keys = (json["keys"] as! [[Any]]).map { ($0[0] as! String, ($0[1] as! [NSNumber]).map(\.intValue)) }
        crops = (json["crops"] as! [[String: Int]]).map(EfficientNetFormula.crop)
        maskSamples = (json["mask_samples"] as! NSNumber).intValue
        reconstructionSamples = (json["reconstruction_samples"] as! NSNumber).intValue
        formula = Outputs(json["formula"] as! [String: Any])
        sets = Dictionary(uniqueKeysWithValues: ["full", "finetune"].compactMap { name in
            (json[name] as? [String: Any]).map { (name, Outputs($0)) }
        })
    }

    /// Pixel indices the fixture sampled (the generator's formulas).
    static func maskIndices(_ count: Int) -> [Int] { (0..<count).map { ($0 * 40503) % 65536 } }
    static func reconstructionIndices(_ count: Int) -> [Int] { (0..<count).map { ($0 * 7919) % 65536 } }
}

/// The authors' ClassNSeg weights and sample images from ../shared, or a skip.
enum ClassNSegWeights {
    static let files = ["full": ("full_encoder_46.pt", "full_decoder_46.pt"),
                        "finetune": ("finetune_encoder_26.pt", "finetune_decoder_26.pt")]

    /// `.build-weights/classnseg/classnseg-<set>.safetensors` when made, else imported now.
    static func imported(_ set: String, into directory: URL) throws -> URL {
        let made = TestMaterial.packageRoot.appendingPathComponent(".build-weights/classnseg/classnseg-\(set).safetensors")
        if FileManager.default.fileExists(atPath: made.path) { return made }
        let (encoder, decoder) = files[set]!
        let folder = TestMaterial.shared.appendingPathComponent("weights/classnseg")
        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent(encoder).path) else {
            throw XCTSkip("../shared/weights/classnseg absent: parity with the authors' ClassNSeg weights not checked")
        }
        let python = TestMaterial.packageRoot.appendingPathComponent(".venv/bin/python")
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw XCTSkip("no imported ClassNSeg weights and no .venv to import them (`make venv`)")
        }
        let out = directory.appendingPathComponent("classnseg-\(set).safetensors")
        try TestMaterial.run(python.path, ["-m", "Training.importers.classnseg_torch",
                                           folder.appendingPathComponent(encoder).path,
                                           folder.appendingPathComponent(decoder).path, "--out", out.path])
        return out
    }

    /// The face (left half) and the ground-truth mask (right half, ≥ 128 = manipulated) of a
    /// 512×256 sample, decoded by ffmpeg.
    static func sampleHalves(_ name: String) throws -> (face: RGBImage, truth: [Bool]) {
        let path = TestMaterial.shared.appendingPathComponent("data/images/classnseg/\(name).jpg").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw XCTSkip("../shared/data/images/classnseg absent: the authors' samples not checked")
        }
        let bytes = [UInt8](try TestMaterial.run("/usr/bin/env", ["ffmpeg", "-v", "error", "-i", path, "-f", "rawvideo",
                                                                  "-pix_fmt", "rgb24", "-"]))
        XCTAssertEqual(bytes.count, 512 * 256 * 3)
        var face = [UInt8](), truth = [Bool]()
        for y in 0..<256 {
            face += bytes[(y * 512 * 3)..<(y * 512 * 3 + 256 * 3)]
            truth += (256..<512).map { bytes[(y * 512 + $0) * 3] >= 128 }
        }
        return (RGBImage(width: 256, height: 256, pixels: face), truth)
    }
}

/// The mask's shortcut for a two-channel softmax.
final class ClassNSegMaskProbabilityTests: XCTestCase {
    func testChannelOneEqualsTheSoftmaxIncludingExtremes() {
        let logits = Tensor(shape: [1, 2, 1, 5], storage: [0, 3, -2, 100, -100, 0, -1, 5, -100, 100])
        let shortcut = ClassNSeg.manipulatedProbability(logits)
        let reference = Array(softmax(logits).storage[5..<10])
        for (a, b) in zip(shortcut, reference) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        XCTAssertEqual(shortcut[3], 0)
        XCTAssertEqual(shortcut[4], 1)
    }
}
