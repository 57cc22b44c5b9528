import CYuNetKernels
import Crypto
import Foundation

/// YuNet's 1×1 and 3×3 depthwise convolutions from CYuNetKernels in place of libfacedetection's
/// own. The library calls both through its PLT, and every executable that links FaceAlign exports
/// ours (Package.swift), so the dynamic linker binds the library to them; they reproduce its
/// arithmetic bit for bit, only faster. They are used only with the library build they were
/// checked against: any other file (a `DEEPFAKE_SCAN_YUFACE` of another version) runs its own
/// kernels, as does `DEEPFAKE_SCAN_YUNET_KERNELS=0` (for side-by-side benchmarks).
enum YuNetKernels {
    /// `bool convolution_1x1pointwise(const CDataBlob<float>&, const Filters<float>&, CDataBlob<float>&)`
    static let pointwiseSymbol = "_Z24convolution_1x1pointwiseRK9CDataBlobIfERK7FiltersIfERS0_"
    /// `bool convolution_3x3depthwise(const CDataBlob<float>&, const Filters<float>&, CDataBlob<float>&)`
    static let depthwiseSymbol = "_Z24convolution_3x3depthwiseRK9CDataBlobIfERK7FiltersIfERS0_"
    /// SHA-256 of libfacedetection.so in the yuface 2023.5.1 wheel the Makefile installs: the
    /// struct layouts and arithmetic the kernels reproduce (YuNetKernelsTests compares them).
    static let checkedLibrarySHA256 = "7fc3c140b563f449ce7cb5bd102ece650681e5bfeffc87efe79272be1932c4f4"

    /// Points the interposed symbols at the library's own kernels or at ours, before the first
    /// detection; true when ours run.
    static func select(library: UnsafeMutableRawPointer, path: String,
                       environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        let ours = environment["DEEPFAKE_SCAN_YUNET_KERNELS"] != "0" && isCheckedBuild(path: path)
        yunet_set_library_pointwise(layerFunction(library, pointwiseSymbol), !ours)
        yunet_set_library_depthwise(layerFunction(library, depthwiseSymbol), !ours)
        return ours
    }

    static func isCheckedBuild(path: String) -> Bool {
        guard let bytes = FileManager.default.contents(atPath: path) else { return false }
        return SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() == checkedLibrarySHA256
    }

    /// The library's own definition of a layer (dlsym on its handle skips the interposed one).
    static func layerFunction(_ library: UnsafeMutableRawPointer, _ symbol: String) -> YuNetLayerFunction? {
        dlsym(library, symbol).map { unsafeBitCast($0, to: YuNetLayerFunction.self) }
    }
}
