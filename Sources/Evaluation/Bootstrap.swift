import Imaging

/// A 95 % percentile bootstrap interval of an AUC (`eval --bootstrap N`).
public struct BootstrapInterval: Sendable, Equatable, Codable {
    public var lower: Double
    public var upper: Double
    /// How many resamples the interval comes from.
    public var resamples: Int
    public var seed: UInt64

    public init(lower: Double, upper: Double, resamples: Int, seed: UInt64) {
        self.lower = lower
        self.upper = upper
        self.resamples = resamples
        self.seed = seed
    }
}

/// Percentile bootstrap of the ROC AUC, stratified by class: each resample draws as many fakes
/// (with replacement) from the fakes and as many reals from the reals as the samples hold, so
/// every resample has both classes and the AUC is always defined. Deterministic for a seed:
/// the draws come from Imaging's SplitMix64, never the system's randomness.
public enum Bootstrap {
    public static func aucInterval(_ samples: [LabelledScore], resamples: Int, seed: UInt64) throws -> BootstrapInterval {
        _ = try samples.requireBothClasses()
        precondition(resamples > 0, "a bootstrap needs at least one resample")
        let fakes = samples.filter(\.isFake)
        let reals = samples.filter { !$0.isFake }
        var generator = SplitMix64(seed: seed)
        var aucs: [Double] = []
        aucs.reserveCapacity(resamples)
        for _ in 0..<resamples {
            var resample: [LabelledScore] = []
            resample.reserveCapacity(samples.count)
            for _ in fakes.indices { resample.append(fakes[generator.index(below: fakes.count)]) }
            for _ in reals.indices { resample.append(reals[generator.index(below: reals.count)]) }
            aucs.append(try BinaryMetrics.rocAUC(resample))
        }
        aucs.sort()
        return BootstrapInterval(
            lower: quantile(sorted: aucs, 0.025), upper: quantile(sorted: aucs, 0.975), resamples: resamples, seed: seed)
    }

    /// The q-quantile of sorted values, linear between the two nearest ranks (numpy's default:
    /// position q·(n − 1)).
    static func quantile(sorted values: [Double], _ q: Double) -> Double {
        let position = q * Double(values.count - 1)
        let below = Int(position.rounded(.down))
        let above = min(below + 1, values.count - 1)
        let fraction = position - Double(below)
        return values[below] + fraction * (values[above] - values[below])
    }
}

extension SplitMix64 {
    /// A uniform index in 0..<count: the high word of next() × count (Lemire's multiply, without
    /// the rejection step; the bias is below count / 2⁶⁴). Written out rather than
    /// `Int.random(in:using:)`, whose algorithm the standard library may change.
    mutating func index(below count: Int) -> Int {
        Int(next().multipliedFullWidth(by: UInt64(count)).high)
    }
}
