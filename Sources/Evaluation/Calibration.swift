/// One bin of a reliability diagram: the videos whose p_fake lies in [lower, upper) (the last
/// bin includes 1).
public struct ReliabilityBin: Sendable, Equatable, Codable {
    public var lower: Double
    public var upper: Double
    public var count: Int
    /// nil for an empty bin.
    public var meanPFake: Double?
    /// Share of the bin's videos that are fake; nil for an empty bin.
    public var observedFakeRate: Double?
}

/// Calibrated probability against observed rate: 10 equal-width bins of p_fake, and the expected
/// calibration error, the count-weighted mean of |mean p_fake − observed fake rate| over the bins.
public struct ReliabilityDiagram: Sendable, Equatable, Codable {
    public var bins: [ReliabilityBin]
    /// nil without samples (NaN scores are left out).
    public var expectedCalibrationError: Double?

    public init(_ samples: [LabelledScore], binCount: Int = 10) {
        var counts = Array(repeating: 0, count: binCount)
        var scoreSums = Array(repeating: 0.0, count: binCount)
        var fakeCounts = Array(repeating: 0, count: binCount)
        var total = 0
        for sample in samples where !sample.score.isNaN {
            total += 1
            // p = 1 falls in the last bin; scores are p_fake in 0…1.
            let bin = min(max(Int(sample.score * Double(binCount)), 0), binCount - 1)
            counts[bin] += 1
            scoreSums[bin] += sample.score
            fakeCounts[bin] += sample.isFake ? 1 : 0
        }
        var weightedGap = 0.0
        bins = (0..<binCount).map { index in
            var bin = ReliabilityBin(
                lower: Double(index) / Double(binCount), upper: Double(index + 1) / Double(binCount), count: counts[index])
            if counts[index] > 0 {
                let mean = scoreSums[index] / Double(counts[index])
                let observed = Double(fakeCounts[index]) / Double(counts[index])
                bin.meanPFake = mean
                bin.observedFakeRate = observed
                weightedGap += Double(counts[index]) * abs(mean - observed)
            }
            return bin
        }
        expectedCalibrationError = total == 0 ? nil : weightedGap / Double(total)
    }
}
