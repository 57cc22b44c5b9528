/// How the per-frame scores of one face track become one track score.
public enum Aggregator: String, Sendable, CaseIterable, Codable {
    /// Arithmetic mean (the default, as in the seeds).
    case mean
    /// Median; for an even count the mean of the two middle values.
    case median
    /// The single most suspicious frame.
    case max
    /// The DFDC winner's (selimsef) rule; see `confident(_:)`.
    case confident
    /// Fraction of frames whose score reaches the threshold.
    case vote

    public static let `default`: Aggregator = .mean

    /// Parses a name as given on the command line (case and surrounding blanks ignored).
    public init(parsing text: String) throws {
        let name = text.trimmingWhitespace().lowercased()
        guard let value = Aggregator(rawValue: name) else { throw AggregateError.unknownAggregator(text) }
        self = value
    }

    /// The track score of `scores` (all in [0, 1]); nil when there are none.
    public func score(_ scores: [Double], threshold: Double) -> Double? {
        guard !scores.isEmpty else { return nil }
        switch self {
        case .mean: return Self.mean(scores)
        case .median: return Self.median(scores)
        case .max: return scores.max()
        case .confident: return Self.confident(scores)
        case .vote: return Double(scores.count(where: { $0 >= threshold })) / Double(scores.count)
        }
    }

    // Thresholds of the DFDC #1 solution (selimsef/dfdc_deepfake_challenge, README
    // "Averaging predictions"): confidently fake frames are those above 0.8, confidently
    // real ones below 0.2.
    static let confidentFake = 0.8
    static let confidentReal = 0.2
    static let minimumConfidentFakes = 11

    /// If more than 11 frames are above 0.8 and they are more than `n // 2.5` (≈ 40 %) of the
    /// frames, their mean; else if more than 90 % of the frames are below 0.2, the mean of
    /// those; else the mean of all. A few strongly fake frames thus win over many doubtful
    /// ones, while a clearly real video is not pulled up by a handful of noisy frames.
    static func confident(_ scores: [Double]) -> Double {
        let n = Double(scores.count)
        let fakes = scores.filter { $0 > confidentFake }
        // Python's `sz // 2.5` is floor division on a float.
        if fakes.count > minimumConfidentFakes, Double(fakes.count) > (n / 2.5).rounded(.down) {
            return mean(fakes)
        }
        let reals = scores.filter { $0 < confidentReal }
        if Double(reals.count) > 0.9 * n {
            return mean(reals)
        }
        return mean(scores)
    }

    static func mean(_ scores: [Double]) -> Double {
        scores.reduce(0, +) / Double(scores.count)
    }

    static func median(_ scores: [Double]) -> Double {
        let sorted = scores.sorted()
        let middle = sorted.count / 2
        return sorted.count.isMultiple(of: 2) ? (sorted[middle - 1] + sorted[middle]) / 2 : sorted[middle]
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
