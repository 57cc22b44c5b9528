import CBLAS
import CPUFeatures
import Foundation

/// Which OpenBLAS kernel family ("core type") runs sgemm, and choosing a better one.
///
/// Why: Debian's OpenBLAS 0.3.21 (DYNAMIC_ARCH) does not know recent Intel CPUs (e.g. Sapphire
/// Rapids) and falls back to its "Prescott" kernels (SSE3, no AVX), which run the engine's
/// 1×1 convolutions about half as fast as the SkylakeX kernels the CPU supports. OpenBLAS reads
/// `OPENBLAS_CORETYPE` once, in its load-time constructor, so a program can only choose the
/// kernels by starting itself again with the variable set (`relaunchWithPreferredCoreIfNeeded`).
public enum BLASCore {
    public static let environmentVariable = "OPENBLAS_CORETYPE"

    /// The widest vector kernels a core name stands for, ordered so that a later tier is faster.
    public enum Tier: Int, Comparable, Sendable {
        case older, avx2, avx512

        /// Tier of an OpenBLAS core name (case-insensitive); names not listed count as older.
        public init(coreName: String) {
            switch coreName.lowercased() {
            case "skylakex", "cooperlake", "sapphirerapids": self = .avx512
            case "haswell", "zen": self = .avx2
            default: self = .older
            }
        }

        public static func < (lhs: Tier, rhs: Tier) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// The core to ask for on a CPU with these `/proc/cpuinfo` flags, or nil when OpenBLAS'
    /// baseline is all it supports. The kernel lists only features the OS has enabled, so a
    /// flag here is safe to use.
    public static func preferredCore(cpuFlags: Set<String>) -> String? {
        if cpuFlags.isSuperset(of: ["avx512f", "avx512dq", "avx512bw", "avx512vl"]) { return "SkylakeX" }
        if cpuFlags.isSuperset(of: ["avx2", "fma"]) { return "Haswell" }
        return nil
    }

    /// The value to set for `OPENBLAS_CORETYPE` before starting again, or nil to run on as is:
    /// when the user set the variable (always respected; it is also what stops a second
    /// relaunch), when the CPU has nothing better, or when OpenBLAS already picked kernels at
    /// least as wide (a newer OpenBLAS that knows the CPU keeps its own choice).
    public static func coreToRelaunchWith(environment: [String: String], cpuFlags: Set<String>,
                                          activeCore: String) -> String? {
        guard environment[environmentVariable] == nil,
              let preferred = preferredCore(cpuFlags: cpuFlags),
              Tier(coreName: activeCore) < Tier(coreName: preferred)
        else { return nil }
        return preferred
    }

    /// The kernels the loaded OpenBLAS runs (e.g. "SkylakeX", "Haswell", "Prescott").
    public static var activeCore: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// Replaces this process with the same executable and arguments plus `OPENBLAS_CORETYPE`
    /// when `coreToRelaunchWith` says so. Same process id, open files, signal mask and exit
    /// status path for the caller; call it first thing in `main`, before any output or threads
    /// of one's own. Returns when no relaunch is needed or the exec failed (then the program
    /// simply runs with the kernels it has).
    public static func relaunchWithPreferredCoreIfNeeded() {
        #if os(Linux)
        let environment = ProcessInfo.processInfo.environment
        guard let core = coreToRelaunchWith(environment: environment, cpuFlags: CPUFeatures.machine(),
                                            activeCore: activeCore)
        else { return }
        // setenv + execv on the original argv rather than rebuilt lists: arguments and
        // environment pass on byte for byte, whatever Foundation's String views would change.
        setenv(environmentVariable, core, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // Only reached when exec failed: undo, and carry on with the current kernels.
        unsetenv(environmentVariable)
        #endif
    }
}
