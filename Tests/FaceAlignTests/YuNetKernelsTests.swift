import CYuNetKernels
@testable import FaceAlign
import Foundation
import XCTest

/// The interposed YuNet layers (CYuNetKernels) against the library's own definitions: the same
/// bits for every output, padding lanes included, on random blobs of the shapes YuNet uses and
/// of awkward ones; and the executable really exports them, so the library binds to them.
final class YuNetKernelsTests: XCTestCase {
    private var library: UnsafeMutableRawPointer!

    override func setUpWithError() throws {
        try TestImages.requireYuFace()
        let loaded = try YuFaceLibrary.shared.get()
        library = try XCTUnwrap(dlopen(loaded.path, RTLD_NOW | RTLD_NOLOAD), "the library is loaded")
    }

    func testTheExecutableExportsBothLayersSoTheLibraryBindsToThem() throws {
        let pointwise = try XCTUnwrap(dlsym(UnsafeMutableRawPointer(bitPattern: 0), YuNetKernels.pointwiseSymbol))
        let depthwise = try XCTUnwrap(dlsym(UnsafeMutableRawPointer(bitPattern: 0), YuNetKernels.depthwiseSymbol))
        XCTAssertEqual(pointwise, unsafeBitCast(yunet_interposed_pointwise_address(), to: UnsafeMutableRawPointer.self))
        XCTAssertEqual(depthwise, unsafeBitCast(yunet_interposed_depthwise_address(), to: UnsafeMutableRawPointer.self))
        for (symbol, interposed) in [(YuNetKernels.pointwiseSymbol, pointwise), (YuNetKernels.depthwiseSymbol, depthwise)] {
            let libraryOwn = try XCTUnwrap(YuNetKernels.layerFunction(library, symbol))
            XCTAssertNotEqual(unsafeBitCast(libraryOwn, to: UnsafeMutableRawPointer.self), interposed,
                              "dlsym on the handle finds the library's own kernel, for the comparisons below")
        }
    }

    func testWholeDetectionsAreTheSameWithEitherKernels() throws {
        let loaded = try YuFaceLibrary.shared.get()
        defer { _ = YuNetKernels.select(library: library, path: loaded.path) }  // back to what the process uses
        let locator = try YuNetLocator()
        let frame = try TestImages.astronaut(on: 1280, 720, faceSide: 300, x: 700, y: 150)
        var results: [[DetectedFace]] = []
        for setting in ["1", "0"] {
            _ = YuNetKernels.select(library: library, path: loaded.path, environment: ["DEEPFAKE_SCAN_YUNET_KERNELS": setting])
            let whole = try locator.detect(in: frame)
            let near = try locator.detect(in: frame, near: whole.map(\.box))
            results.append(whole + near)
        }
        XCTAssertFalse(results[0].isEmpty)
        XCTAssertEqual(results[0], results[1], "boxes, landmarks and scores to the last bit")
    }

    func testOnlyTheCheckedLibraryBuildGetsTheProjectKernels() throws {
        let loaded = try YuFaceLibrary.shared.get()
        let switchedOff = ProcessInfo.processInfo.environment["DEEPFAKE_SCAN_YUNET_KERNELS"] == "0"
        XCTAssertEqual(loaded.usesProjectKernels, !switchedOff,
                       "make setup-yuface installs the build the kernels were checked against")
        XCTAssertFalse(YuNetKernels.isCheckedBuild(path: loaded.path + ".missing"))
        let other = FileManager.default.temporaryDirectory.appendingPathComponent("yunet-other-\(getpid()).so")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: loaded.path))
        bytes[bytes.count - 1] ^= 1
        try bytes.write(to: other)
        defer { try? FileManager.default.removeItem(at: other) }
        XCTAssertFalse(YuNetKernels.isCheckedBuild(path: other.path))
        defer { _ = YuNetKernels.select(library: library, path: loaded.path) }  // back to what the process uses
        XCTAssertFalse(YuNetKernels.select(library: library, path: loaded.path, environment: ["DEEPFAKE_SCAN_YUNET_KERNELS": "0"]))
        XCTAssertFalse(YuNetKernels.select(library: library, path: other.path, environment: [:]))
        XCTAssertTrue(YuNetKernels.select(library: library, path: loaded.path, environment: [:]))
    }

    func testPointwiseGivesTheLibrarysBitsOnEveryShape() throws {
        let original = try XCTUnwrap(YuNetKernels.layerFunction(library, YuNetKernels.pointwiseSymbol))
        var random = SplitMix(seed: 7)
        // (rows, cols, in, out): YuNet's own channel counts, then odd pixel and channel counts.
        for (rows, cols, inputs, outputs) in [(10, 18, 16, 64), (5, 9, 64, 64), (20, 36, 32, 16), (3, 3, 64, 1),
                                              (1, 1, 8, 4), (1, 2, 3, 5), (7, 5, 13, 10), (2, 4, 64, 3), (9, 1, 40, 7)] {
            let (ours, theirs) = run(yunet_pointwise_blocked, against: original, input: (rows, cols, inputs),
                                     output: (rows, cols, outputs), weightColumns: outputs, depthwise: false, random: &random)
            XCTAssertEqual(ours, theirs, "\(rows)×\(cols), \(inputs) → \(outputs)")
        }
        // An output smaller than its input: the library reads input pixel (row, col) by the
        // input's own width, so flat pixel offsets differ; the kernel must follow it.
        let (ours, theirs) = run(yunet_pointwise_blocked, against: original, input: (5, 6, 16), output: (3, 4, 8),
                                 weightColumns: 8, depthwise: false, random: &random)
        XCTAssertEqual(ours, theirs, "5×6 input, 3×4 output")
    }

    func testDepthwiseGivesTheLibrarysBitsOnEveryShape() throws {
        let original = try XCTUnwrap(YuNetKernels.layerFunction(library, YuNetKernels.depthwiseSymbol))
        var random = SplitMix(seed: 11)
        for (rows, cols, channels) in [(40, 72, 16), (20, 36, 32), (10, 18, 64), (5, 9, 64), (1, 1, 16), (2, 2, 8),
                                       (3, 5, 24), (6, 1, 16), (1, 7, 16), (4, 6, 5), (3, 9, 64)] {
            let (ours, theirs) = run(yunet_depthwise_blocked, against: original, input: (rows, cols, channels),
                                     output: (rows, cols, channels), weightColumns: 9, depthwise: true, random: &random)
            XCTAssertEqual(ours, theirs, "\(rows)×\(cols)×\(channels)")
        }
    }

    /// One layer on random blobs, by `kernel` and by the library's `original`, from the same
    /// starting output: both outputs' bits, padding lanes included. `weightColumns` is the
    /// filter count of a 1×1 layer or the 9 taps of a depthwise one.
    private func run(_ kernel: YuNetLayerFunction, against original: YuNetLayerFunction, input: (Int, Int, Int),
                     output: (Int, Int, Int), weightColumns: Int, depthwise: Bool,
                     random: inout SplitMix) -> ([UInt32], [UInt32]) {
        let source = Blob(rows: input.0, cols: input.1, channels: input.2, random: &random)
        let weights = Blob(rows: 1, cols: weightColumns, channels: input.2, random: &random)
        let biases = Blob(rows: 1, cols: 1, channels: output.2, random: &random)
        let theirs = Blob(rows: output.0, cols: output.1, channels: output.2, random: &random), ours = theirs.copy()
        var filters = YuNetFilters(channels: Int32(input.2), numFilters: Int32(output.2), isDepthwise: depthwise,
                                   isPointwise: !depthwise, withReLU: false, weights: weights.view, biases: biases.view)
        var sourceView = source.view, theirView = theirs.view, ourView = ours.view
        XCTAssertTrue(original(&sourceView, &filters, &theirView))
        XCTAssertTrue(kernel(&sourceView, &filters, &ourView))
        return (ours.bits, theirs.bits)
    }
}

/// A CDataBlob's memory: 32-byte aligned (the library uses aligned loads), each pixel padded to
/// whole 8-float vectors, padding lanes random too, so both kernels must read them alike.
private final class Blob {
    let rows: Int, cols: Int, channels: Int, stride: Int
    let data: UnsafeMutablePointer<Float>

    init(rows: Int, cols: Int, channels: Int, random: inout SplitMix) {
        self.rows = rows
        self.cols = cols
        self.channels = channels
        stride = (channels + 7) / 8 * 8
        data = UnsafeMutableRawPointer.allocate(byteCount: max(1, rows * cols * stride) * 4, alignment: 32)
            .bindMemory(to: Float.self, capacity: rows * cols * stride)
        for index in 0..<(rows * cols * stride) { data[index] = random.nextSigned() }
    }

    deinit { UnsafeMutableRawPointer(data).deallocate() }

    var view: YuNetBlob {
        YuNetBlob(rows: Int32(rows), cols: Int32(cols), channels: Int32(channels), channelStep: Int32(stride * 4), data: data)
    }

    var bits: [UInt32] { (0..<(rows * cols * stride)).map { data[$0].bitPattern } }

    func copy() -> Blob {
        var unused = SplitMix(seed: 0)
        let twin = Blob(rows: rows, cols: cols, channels: channels, random: &unused)
        twin.data.update(from: data, count: rows * cols * stride)
        return twin
    }
}

private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [−1, 1): sums of such products round differently in another order.
    mutating func nextSigned() -> Float { Float(next() >> 40) / Float(1 << 23) - 1 }
}
