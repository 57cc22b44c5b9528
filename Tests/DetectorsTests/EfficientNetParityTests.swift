import Foundation
import NN
import Tensor
import XCTest
@testable import Detectors

/// EfficientNet-Lite0 against PyTorch (Training/models/efficientnet_lite.py in float64) on the
/// formula weights and crops of Training/reference/efficientnet_golden.py; the expected
/// outputs and the checkpoint key list are in Tests/Fixtures/efficientnet_lite0_golden.json.
final class EfficientNetParityTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws { directory = try TestMaterial.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    private func write(_ state: [String: Tensor], card: ModelCard) throws -> URL {
        let url = directory.appendingPathComponent("efficientnet.safetensors")
        try SafeTensorsWriter.encode(state, metadata: card.metadata).write(to: url)
        return url
    }

    /// Crops at the input size must match to float32 rounding. A crop that needs resizing first
    /// gets a looser bound: the resize matches PyTorch's `interpolate` in all but a handful of
    /// pixels (one level off, float rounding order; CropInput.swift), and these random weights
    /// amplify input changes far more than trained ones (8 pixels → ~5e-3 in the logit).
    private func assertMatchesGolden(_ detector: any Detector, _ golden: EfficientNetGolden, line: UInt = #line) throws {
        let model = try XCTUnwrap(detector as? EfficientNetLite0, line: line)
        let logits = model.logits(golden.crops).storage
        let pFake = try model.pFake(crops: golden.crops)
        XCTAssertEqual(pFake.count, golden.pFake.count, line: line)
        let native = golden.crops.indices.filter { golden.crops[$0].width == golden.card.inputSize }
        let resized = golden.crops.indices.filter { !native.contains($0) }
        XCTAssertEqual([native.count, resized.count], [3, 1], line: line)
        func error(_ got: [Float], _ expected: [Double], _ indices: [Int]) -> Double {
            indices.map { abs(Double(got[$0]) - expected[$0]) }.max()!
        }
        let (logitError, pError) = (error(logits, golden.logits, native), error(pFake, golden.pFake, native))
        let resizedPError = error(pFake, golden.pFake, resized)
        print("\(golden.card.architecture) parity, \(native.count) crops at 160: max |Δlogit| \(logitError), max |Δp| \(pError);"
              + " 256 → 160 resized crop: |Δp| \(resizedPError)")
        XCTAssertLessThanOrEqual(logitError, 1e-4, "\(logits) vs \(golden.logits)", line: line)
        XCTAssertLessThanOrEqual(pError, 1e-4, "\(pFake) vs \(golden.pFake)", line: line)
        XCTAssertLessThanOrEqual(resizedPError, 2e-3, "\(pFake) vs \(golden.pFake)", line: line)
    }

    func testFormulaWeightsMatchPyTorchOnTheGoldenCrops() throws {
        let golden = try EfficientNetGolden()
        // Non-degenerate: the crops must score apart, or parity would prove little.
        XCTAssertGreaterThan(golden.logits.max()! - golden.logits.min()!, 0.5)
        let detector = try DetectorRegistry.load(name: "efficientnet_lite0", weights: try write(golden.state(), card: golden.card))
        XCTAssertEqual(detector.card.inputSize, 160)
        try assertMatchesGolden(detector, golden)
        // One crop at a time gives exactly what the batch gave, whatever kernels OpenBLAS runs
        // (every matrix product is one crop's; the 256² crop is resized to 160 either way).
        let batch = try detector.pFake(crops: golden.crops)
        XCTAssertEqual(try golden.crops.map { try detector.pFake(crops: [$0])[0] }, batch)
        XCTAssertEqual(try detector.pFake(crops: Array(golden.crops.reversed())), batch.reversed())
        XCTAssertEqual(try detector.pFake(crops: []), [])
    }

    /// On a CPU with AVX-512 the late blocks and the head run in the channel-blocked layout.
    /// The same weights run channel-major throughout must give the same bits: p_fake, the
    /// head's means and every block's channel means (`features`, FakeSpotter's), every block's
    /// map (`featureMaps`, MAT's), and a crop alone as in the batch. At 160 px (the golden
    /// card's), at 256 (the first blocked block runs one crop at a time), at 32 (1×1 planes),
    /// and for Lite1's 21 blocks.
    func testTheBlockedLayoutGivesTheChannelMajorBits() throws {
        try XCTSkipUnless(ChannelBlocked.available, "no AVX-512 on this CPU (or a portable build): one layout only")
        for (fixture, depth, size) in [("efficientnet_lite0_golden", EfficientNetLite0.Depth.lite0, 160),
                                       ("efficientnet_lite0_golden", .lite0, 256), ("efficientnet_lite0_golden", .lite0, 32),
                                       ("efficientnet_lite1_golden", .lite1, 160)] {
            let golden = try EfficientNetGolden(fixture)
            let c = golden.card
            let url = try write(golden.state(), card: ModelCard(name: c.name, architecture: c.architecture, version: c.version,
                                                                inputSize: size, colourOrder: c.colourOrder,
                                                                scaling: c.scaling, provenance: c.provenance))
            func model(blocked: Bool) throws -> EfficientNetLite0 {
                let loader = try WeightLoader(url: url)
                return try EfficientNetLite0(loader: loader, card: ModelCard(metadata: loader.metadata), keyPrefix: "",
                                             depth: depth, blocked: blocked)
            }
            let (blocked, channelMajor) = (try model(blocked: true), try model(blocked: false))
            let name = "\(c.architecture) at \(size) px"
            func bits(_ t: Tensor) -> [UInt32] { t.storage.map(\.bitPattern) }
            XCTAssertEqual(try blocked.pFake(crops: golden.crops).map(\.bitPattern),
                           try channelMajor.pFake(crops: golden.crops).map(\.bitPattern), name)
            let all = Set(0..<(depth == .lite0 ? 16 : 21))
            let (a, b) = (blocked.features(golden.crops, monitoring: all), channelMajor.features(golden.crops, monitoring: all))
            XCTAssertEqual(bits(a.head), bits(b.head), "\(name): head means")
            for block in all.sorted() {
                XCTAssertEqual(bits(a.blocks[block]!), bits(b.blocks[block]!), "\(name): block \(block) means")
            }
            let alone = blocked.features([golden.crops[2]]).head
            XCTAssertEqual(bits(alone), Array(bits(a.head)[(2 * 1280)..<(3 * 1280)]), "\(name): a crop alone")
            let (mapsA, mapsB) = (blocked.featureMaps(golden.crops[0], keeping: all),
                                  channelMajor.featureMaps(golden.crops[0], keeping: all))
            XCTAssertEqual(bits(mapsA.head), bits(mapsB.head), "\(name): head map")
            for block in all.sorted() {
                XCTAssertEqual(bits(mapsA.blocks[block]!), bits(mapsB.blocks[block]!), "\(name): block \(block) map")
            }
        }
    }

    /// No crops: empty means for the monitored blocks that exist, and no kernel called.
    func testNoCropsGiveEmptyMeans() throws {
        let golden = try EfficientNetGolden()
        let loader = try WeightLoader(url: try write(golden.state(), card: golden.card))
        let empty = try EfficientNetLite0(loader: loader, card: golden.card).features([], monitoring: [3, 15, 99])
        XCTAssertEqual(empty.head.shape, [0, 1280])
        XCTAssertEqual(empty.blocks.mapValues(\.shape), [3: [0, 40], 15: [0, 320]])
    }

    /// Lite1 is Lite0 with 21 blocks instead of 16: it loads by its own architecture name, matches
    /// PyTorch as Lite0 does, and Lite0 refuses its file (block 3 is Lite0's first 5×5, Lite1's last 3×3).
    func testLite1FormulaWeightsMatchPyTorch() throws {
        let golden = try EfficientNetGolden("efficientnet_lite1_golden")
        XCTAssertEqual(golden.card.architecture, "efficientnet_lite1")
        XCTAssertEqual(golden.keys.count, 247 + 5 * 15)
        // The deeper random net scores the crops closer together (0.42 apart), still thousands of tolerances.
        XCTAssertGreaterThan(golden.logits.max()! - golden.logits.min()!, 0.3)
        let weights = try write(golden.state(), card: golden.card)
        let detector = try DetectorRegistry.load(name: "efficientnet_lite1", weights: weights)
        try assertMatchesGolden(detector, golden)
        var asLite0 = golden.card
        asLite0.architecture = "efficientnet_lite0"
        XCTAssertThrowsError(try DetectorRegistry.load(name: "efficientnet_lite0", weights: try write(golden.state(), card: asLite0))) {
            XCTAssertEqual($0 as? SafeTensorsError, .wrongShape("_blocks.3._depthwise_conv.weight", expected: [144, 1, 5, 5], found: [144, 1, 3, 3]))
        }
    }

    func testLoadsExactlyTheCheckpointKeysAndNamesAnyMismatch() throws {
        let golden = try EfficientNetGolden()
        XCTAssertEqual(golden.keys.count, 247)
        let state = golden.state()
        var missing = state
        missing["_blocks.15._bn2.running_var"] = nil
        XCTAssertThrowsError(try DetectorRegistry.load(name: "efficientnet_lite0", weights: try write(missing, card: golden.card))) {
            XCTAssertEqual($0 as? SafeTensorsError, .missingTensor("_blocks.15._bn2.running_var", file: "efficientnet.safetensors"))
        }
        var extra = state
        extra["_blocks.0._expand_conv.weight"] = Tensor(zeros: [32, 32, 1, 1])
        XCTAssertThrowsError(try DetectorRegistry.load(name: "efficientnet_lite0", weights: try write(extra, card: golden.card))) {
            XCTAssertEqual($0 as? SafeTensorsError, .unexpectedTensors(["_blocks.0._expand_conv.weight"], file: "efficientnet.safetensors"))
        }
        var imagenetHead = state
        imagenetHead["_fc.weight"] = Tensor(zeros: [1000, 1280])
        XCTAssertThrowsError(try DetectorRegistry.load(name: "efficientnet_lite0", weights: try write(imagenetHead, card: golden.card))) {
            XCTAssertEqual($0 as? SafeTensorsError, .wrongShape("_fc.weight", expected: [1, 1280], found: [1000, 1280]))
        }
    }

    /// The Python generator's own safetensors (the format training exports) loads strictly and
    /// scores as the golden file says: the Swift formula twin cannot hide a key or value drift.
    func testWeightsWrittenByThePythonGeneratorLoadStrictly() throws {
        let python = TestMaterial.packageRoot.appendingPathComponent(".venv/bin/python")
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw XCTSkip("no Training venv (make venv): Python-written EfficientNet weights not checked")
        }
        let url = directory.appendingPathComponent("generated.safetensors")
        try TestMaterial.run(python.path, ["-m", "Training.reference.efficientnet_golden", "--weights", url.path])
        let detector = try DetectorRegistry.load(weights: url)
        XCTAssertEqual(detector.card.architecture, "efficientnet_lite0")
        XCTAssertEqual(detector.card.scaling, "x/127.5-1")
        try assertMatchesGolden(detector, try EfficientNetGolden())
    }
}
