import Foundation

/// The x86 feature flags of this machine's CPU, as the kernel lists them in `/proc/cpuinfo`
/// (only features the OS has enabled appear there).
///
/// A module of its own, built without the engine's `-target-cpu haswell`: the start-up check
/// that the CPU has AVX2 and FMA must not itself run AVX2 code.
public enum CPUFeatures {
    /// The flags of the first processor in `/proc/cpuinfo` text (x86 "flags" line).
    public static func flags(cpuinfo: String) -> Set<String> {
        for line in cpuinfo.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == "flags" else { continue }
            return Set(parts[1].split(separator: " ").map(String.init))
        }
        return []
    }

    /// This machine's flags; empty where `/proc/cpuinfo` does not exist (not Linux) or has no
    /// x86 flags line.
    public static func machine() -> Set<String> {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return [] }
        return flags(cpuinfo: text)
    }

    /// What release builds of the engine are compiled for (`-target-cpu haswell`).
    public static let engineBuildNeeds = ["avx2", "fma"]

    /// What the face detector needs whatever the build: the yuface wheel's libfacedetection is
    /// compiled for AVX and FMA (its static initialiser already runs AVX code on loading).
    public static let faceDetectorNeeds = ["avx", "fma"]

    /// The flags of `needs` that `flags` lacks; none when the flags are unknown (not x86 Linux).
    public static func missing(_ needs: [String], from flags: Set<String>) -> [String] {
        flags.isEmpty ? [] : needs.filter { !flags.contains($0) }
    }

    /// One line for a CPU that lacks what the build needs, or nil when it has it (or when the
    /// flags are unknown: not x86 Linux, where the build flag is not used).
    public static func unsupportedMessage(flags: Set<String>, program: String) -> String? {
        let missing = missing(engineBuildNeeds, from: flags)
        guard !missing.isEmpty else { return nil }
        let lacks = "error: this \(program) build needs a CPU with AVX2 and FMA, and this one lacks "
            + missing.map { $0.uppercased() }.joined(separator: " and ")
        guard self.missing(faceDetectorNeeds, from: flags).isEmpty else {
            return lacks + "; a `make build PORTABLE=1` build runs here, but its face detector needs AVX and FMA too, "
                + "so it cannot scan on this CPU"
        }
        return lacks + "; rebuild it for any x86-64 CPU with `make build PORTABLE=1` (slower engine)"
    }
}
