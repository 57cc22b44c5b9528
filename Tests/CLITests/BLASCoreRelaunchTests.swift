import CPUFeatures
import Foundation
import Tensor
import Testing
import TestSupport

/// The built binary relaunches itself with OPENBLAS_CORETYPE when OpenBLAS picked narrower
/// kernels than the CPU supports, and respects a value the user set.
@Suite struct BLASCoreRelaunchTests {
    static let preferred = BLASCore.preferredCore(cpuFlags: CPUFeatures.machine())

    /// Runs the binary with `OPENBLAS_CORETYPE` as given (nil: removed); stdout, stderr, status.
    static func run(_ arguments: [String], coreType: String?) throws -> (status: Int32, stdout: String, stderr: String) {
        let binary = try #require(ExitCodeTests.binary, "build the deepfake-scan product first")
        let finished = try ChildProcess.run(binary.path, arguments, environment: [BLASCore.environmentVariable: coreType])
        return (finished.status, finished.stdoutText, finished.stderrText)
    }

    /// The core named on `models`' "blas core:" line.
    static func reportedCore(_ stdout: String) -> String? {
        stdout.split(separator: "\n").first { $0.hasPrefix("blas core: ") }?
            .dropFirst("blas core: ".count).split(separator: " ").first.map(String.init)
    }

    static let noWeights = ["models", "--weights", "/nonexistent-\(UUID().uuidString)"]

    @Test(.enabled(if: preferred != nil, "this CPU has no AVX2+FMA, so OpenBLAS' own choice stands"))
    func unsetVariableGetsKernelsAsWideAsTheCPUSupports() throws {
        let result = try Self.run(Self.noWeights, coreType: nil)
        #expect(result.status == 0, "\(result.stderr)")
        let core = try #require(Self.reportedCore(result.stdout), "\(result.stdout)")
        #expect(core.lowercased() != "prescott")
        #expect(BLASCore.Tier(coreName: core) >= BLASCore.Tier(coreName: Self.preferred ?? ""), "\(core)")
        #expect(result.stdout.components(separatedBy: "architectures:").count == 2, "printed once: \(result.stdout)")
    }

    @Test func userValueIsRespected() throws {
        let result = try Self.run(Self.noWeights, coreType: "Prescott")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Self.reportedCore(result.stdout) == "Prescott", "\(result.stdout)")
    }

    @Test func exitCodeAndMessagesSurviveTheRelaunch() throws {
        let result = try Self.run(["--no-such-option"], coreType: nil)
        #expect(result.status == 2)
        #expect(result.stderr.components(separatedBy: "--no-such-option").count == 2, "reported once: \(result.stderr)")
    }
}
