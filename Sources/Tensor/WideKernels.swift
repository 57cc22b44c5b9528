import CPUFeatures
import Foundation

/// Whether the engine runs its 16-float kernels (module TensorAVX512, compiled for AVX-512)
/// instead of the 8-float ones. They compute every output in the same order, bit for bit the
/// same; they are faster only on CPUs that execute 512-bit FMAs at full width.
public enum WideKernels {
    /// The AVX-512 subsets the module's target CPU (skylake-avx512) lets the compiler use.
    static let needs = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]

    /// Built for them (not a portable build), listed in /proc/cpuinfo (so the OS saves the
    /// 512-bit registers too), and not switched off with `DEEPFAKE_SCAN_AVX512=0`.
    public static let available: Bool = {
        #if ENGINE_AVX512
        let flags = CPUFeatures.machine()
        return needs.allSatisfy(flags.contains) && ProcessInfo.processInfo.environment["DEEPFAKE_SCAN_AVX512"] != "0"
        #else
        return false
        #endif
    }()
}
