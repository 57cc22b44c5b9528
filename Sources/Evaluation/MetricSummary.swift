/// Every metric of one sample set (videos, or face crops) at one threshold. Metrics that the
/// samples cannot define (AUC with one class only) are nil, and `notes` says why.
public struct MetricSummary: Sendable, Equatable, Codable {
    public var samples: Int
    public var fakes: Int
    public var reals: Int
    public var auc: Double?
    public var averagePrecision: Double?
    public var logLoss: Double?
    public var eer: Double?
    public var eerThreshold: Double?
    public var threshold: Double
    public var accuracy: Double?
    public var truePositiveRate: Double?
    public var trueNegativeRate: Double?
    /// Share of reals called fake at the threshold (confusion.falsePositives over reals); nil without reals.
    public var falsePositiveRate: Double?
    /// The AUC's bootstrap interval, when `eval --bootstrap N` asked for one.
    public var aucInterval: BootstrapInterval?
    public var confusion: ConfusionMatrix
    public var notes: [String]

    public init(_ samples: [LabelledScore], threshold: Double) {
        self.samples = samples.count
        fakes = samples.fakeCount
        reals = samples.count - fakes
        self.threshold = threshold
        confusion = ConfusionMatrix(samples, threshold: threshold)
        accuracy = confusion.accuracy
        truePositiveRate = confusion.truePositiveRate
        trueNegativeRate = confusion.trueNegativeRate
        falsePositiveRate = confusion.falsePositiveRate
        var notes: [String] = []
        func attempt<T>(_ name: String, _ body: () throws -> T) -> T? {
            do { return try body() } catch {
                notes.append("\(name) undefined: \(error)")
                return nil
            }
        }
        auc = attempt("AUC") { try BinaryMetrics.rocAUC(samples) }
        averagePrecision = attempt("AP") { try BinaryMetrics.averagePrecision(samples) }
        logLoss = attempt("log loss") { try BinaryMetrics.logLoss(samples) }
        let eer = attempt("EER") { try ROCCurve(samples).equalErrorRate }
        self.eer = eer?.rate
        eerThreshold = eer?.threshold
        self.notes = notes
    }
}
