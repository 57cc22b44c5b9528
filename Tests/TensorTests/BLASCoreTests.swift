import CPUFeatures
import XCTest
@testable import Tensor

/// The OpenBLAS kernel choice: CPU flags → core name, and when a start-up relaunch is due.
final class BLASCoreTests: XCTestCase {
    private let avx512 = Set(["sse3", "avx", "avx2", "fma", "avx512f", "avx512dq", "avx512bw", "avx512vl", "avx512cd"])
    private let avx2 = Set(["sse3", "avx", "avx2", "fma"])

    func testPreferredCoreFollowsTheWidestCompleteFeatureSet() {
        XCTAssertEqual(BLASCore.preferredCore(cpuFlags: avx512), "SkylakeX")
        XCTAssertEqual(BLASCore.preferredCore(cpuFlags: avx2), "Haswell")
        // AVX-512 without BW/VL (Knights Landing style) is not enough for the SkylakeX kernels.
        XCTAssertEqual(BLASCore.preferredCore(cpuFlags: avx2.union(["avx512f", "avx512cd"])), "Haswell")
        XCTAssertNil(BLASCore.preferredCore(cpuFlags: ["sse3", "avx", "avx2"]), "AVX2 without FMA")
        XCTAssertNil(BLASCore.preferredCore(cpuFlags: []))
    }

    func testRelaunchOnlyWhenUnsetAndOpenBLASPickedNarrowerKernels() {
        XCTAssertEqual(BLASCore.coreToRelaunchWith(environment: [:], cpuFlags: avx512, activeCore: "Prescott"), "SkylakeX")
        XCTAssertEqual(BLASCore.coreToRelaunchWith(environment: ["HOME": "/root"], cpuFlags: avx2, activeCore: "Sandybridge"),
                       "Haswell")
        XCTAssertEqual(BLASCore.coreToRelaunchWith(environment: [:], cpuFlags: avx512, activeCore: "Haswell"), "SkylakeX")
        XCTAssertEqual(BLASCore.coreToRelaunchWith(environment: [:], cpuFlags: avx512, activeCore: "Zen"), "SkylakeX")
        // A user's value is respected, whatever it is; it is also what stops a second relaunch.
        for value in ["Prescott", "SkylakeX", ""] {
            XCTAssertNil(BLASCore.coreToRelaunchWith(environment: ["OPENBLAS_CORETYPE": value], cpuFlags: avx512,
                                                     activeCore: "Prescott"))
        }
        // OpenBLAS already runs kernels as wide (a newer release that knows the CPU): keep them.
        for active in ["SkylakeX", "cooperlake", "SapphireRapids"] {
            XCTAssertNil(BLASCore.coreToRelaunchWith(environment: [:], cpuFlags: avx512, activeCore: active), active)
        }
        XCTAssertNil(BLASCore.coreToRelaunchWith(environment: [:], cpuFlags: avx2, activeCore: "Zen"))
        XCTAssertNil(BLASCore.coreToRelaunchWith(environment: [:], cpuFlags: ["sse3"], activeCore: "Prescott"))
    }

    func testFlagsComeFromTheFirstProcessorsFlagsLine() {
        let cpuinfo = """
            processor\t: 0
            model name\t: Some CPU @ 2.00GHz
            flags\t\t: fpu sse3 avx2 fma avx512f
            bugs\t\t: spectre_v1
            processor\t: 1
            flags\t\t: fpu sse3
            """
        XCTAssertEqual(CPUFeatures.flags(cpuinfo: cpuinfo), ["fpu", "sse3", "avx2", "fma", "avx512f"])
        XCTAssertEqual(CPUFeatures.flags(cpuinfo: "processor\t: 0\nFeatures\t: fp asimd\n"), [])
    }

    func testReleaseBuildsSayWhenTheCPULacksAVX2OrFMA() {
        let message = CPUFeatures.unsupportedMessage(flags: ["fpu", "sse3", "avx"], program: "deepfake-scan")
        XCTAssertEqual(message?.hasPrefix("error: this deepfake-scan build needs a CPU with AVX2 and FMA, and this one lacks AVX2 and FMA"), true)
        XCTAssertEqual(message?.hasSuffix("a `make build PORTABLE=1` build runs here, but its face detector needs AVX "
                                          + "and FMA too, so it cannot scan on this CPU"), true)
        XCTAssertEqual(CPUFeatures.unsupportedMessage(flags: ["avx2", "avx"], program: "x")?.contains("lacks FMA;"), true)
        // AVX and FMA without AVX2 (AMD Piledriver): the portable build does everything.
        XCTAssertEqual(CPUFeatures.unsupportedMessage(flags: ["avx", "fma"], program: "x")?
            .hasSuffix("lacks AVX2; rebuild it for any x86-64 CPU with `make build PORTABLE=1` (slower engine)"), true)
        XCTAssertNil(CPUFeatures.unsupportedMessage(flags: ["avx2", "fma"], program: "x"))
        XCTAssertNil(CPUFeatures.unsupportedMessage(flags: [], program: "x"), "no x86 flags line: nothing to say")
    }

    func testTierOrdersKernelFamilies() {
        XCTAssertLessThan(BLASCore.Tier(coreName: "Prescott"), BLASCore.Tier(coreName: "haswell"))
        XCTAssertLessThan(BLASCore.Tier(coreName: "Zen"), BLASCore.Tier(coreName: "SKYLAKEX"))
        XCTAssertEqual(BLASCore.Tier(coreName: "Unknown"), .older)
    }

    /// The loaded library answers with a name (whichever this machine and environment give).
    func testActiveCoreIsANonEmptyName() {
        XCTAssertFalse(BLASCore.activeCore.isEmpty)
    }
}
