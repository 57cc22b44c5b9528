/// One scored sample with its ground truth: the unit every metric works on.
/// `score` is p_fake (1 = fake), the project's score convention.
public struct LabelledScore: Sendable, Equatable, Hashable, Codable {
    public var score: Double
    public var isFake: Bool

    public init(score: Double, isFake: Bool) {
        self.score = score
        self.isFake = isFake
    }

    public static func fake(_ score: Double) -> LabelledScore { LabelledScore(score: score, isFake: true) }
    public static func real(_ score: Double) -> LabelledScore { LabelledScore(score: score, isFake: false) }
}

/// Why a metric is undefined for the samples given.
///
/// Ranking metrics (AUC, EER, the ROC curve) need at least one fake and one real; average
/// precision needs at least one fake. sklearn answers such input with NaN and a warning; here the
/// metric functions throw, and `MetricSummary` turns the error into an absent value plus a note.
public enum MetricError: Error, Equatable, CustomStringConvertible {
    case noSamples
    case needsBothClasses(fakes: Int, reals: Int)
    case noFakes
    case scoreNotANumber

    public var description: String {
        switch self {
        case .noSamples: return "no samples"
        case let .needsBothClasses(fakes, reals):
            return "needs fakes and reals (got \(fakes) fake, \(reals) real)"
        case .noFakes: return "needs at least one fake"
        case .scoreNotANumber: return "a score is NaN"
        }
    }
}

extension Array where Element == LabelledScore {
    var fakeCount: Int { reduce(0) { $0 + ($1.isFake ? 1 : 0) } }

    /// Throws unless there is at least one fake and one real and no score is NaN.
    func requireBothClasses() throws -> (fakes: Int, reals: Int) {
        if isEmpty { throw MetricError.noSamples }
        if contains(where: { $0.score.isNaN }) { throw MetricError.scoreNotANumber }
        let fakes = fakeCount
        let reals = count - fakes
        guard fakes > 0, reals > 0 else { throw MetricError.needsBothClasses(fakes: fakes, reals: reals) }
        return (fakes, reals)
    }

    /// Samples grouped by equal score, highest score first: the thresholds of a ROC or PR curve.
    /// Each group gives how many fakes and reals share that score.
    func groupsByDescendingScore() -> [(score: Double, fakes: Int, reals: Int)] {
        let ordered = sorted { $0.score > $1.score }
        var groups: [(score: Double, fakes: Int, reals: Int)] = []
        for sample in ordered {
            if let last = groups.last, last.score == sample.score {
                groups[groups.count - 1].fakes += sample.isFake ? 1 : 0
                groups[groups.count - 1].reals += sample.isFake ? 0 : 1
            } else {
                groups.append((sample.score, sample.isFake ? 1 : 0, sample.isFake ? 0 : 1))
            }
        }
        return groups
    }
}
