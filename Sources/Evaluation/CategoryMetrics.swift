/// The metrics of one category (one value of a labels column such as `method`).
///
/// A category's AUC and AP compare *its fakes against all reals* of the evaluation, the usual
/// per-manipulation breakdown (FF++ methods share one set of originals). A category holding
/// only reals has no AUC of its own; its accuracy is then the share of its reals passed.
public struct CategoryMetrics: Sendable, Equatable, Codable {
    public var column: String
    public var value: String
    public var videos: Int
    public var fakes: Int
    public var reals: Int
    public var auc: Double?
    /// The AUC's bootstrap interval (`eval --bootstrap N`), resampling the category's fakes and all reals.
    public var aucInterval: BootstrapInterval?
    public var averagePrecision: Double?
    /// Share of the category's own videos called right at the threshold.
    public var accuracy: Double?
    public var meanPFake: Double?
    public var note: String?

    /// One entry per distinct value of `column`, sorted by value; samples without a value
    /// fall under "" (shown as "(none)"). `bootstrapResamples` > 0 adds each AUC's interval.
    public static func breakdown(
        column: String, samples: [(score: LabelledScore, category: String)], threshold: Double,
        bootstrapResamples: Int = 0, seed: UInt64 = 0
    ) -> [CategoryMetrics] {
        let allReals = samples.map(\.score).filter { !$0.isFake }
        let grouped = Dictionary(grouping: samples, by: \.category)
        return grouped.keys.sorted().map { value in
            let own = grouped[value]!.map(\.score)
            let fakes = own.filter(\.isFake)
            var entry = CategoryMetrics(
                column: column, value: value, videos: own.count, fakes: fakes.count,
                reals: own.count - fakes.count,
                accuracy: ConfusionMatrix(own, threshold: threshold).accuracy,
                meanPFake: own.map(\.score).reduce(0, +) / Double(own.count))
            if fakes.isEmpty {
                entry.note = "reals only: accuracy = share of reals passed"
            } else if allReals.isEmpty {
                entry.note = "no reals to rank against"
            } else {
                entry.auc = try? BinaryMetrics.rocAUC(fakes + allReals)
                entry.averagePrecision = try? BinaryMetrics.averagePrecision(fakes + allReals)
                if bootstrapResamples > 0 {
                    entry.aucInterval = try? Bootstrap.aucInterval(fakes + allReals, resamples: bootstrapResamples, seed: seed)
                }
            }
            return entry
        }
    }

    init(
        column: String, value: String, videos: Int, fakes: Int, reals: Int, accuracy: Double?, meanPFake: Double?
    ) {
        self.column = column
        self.value = value
        self.videos = videos
        self.fakes = fakes
        self.reals = reals
        self.accuracy = accuracy
        self.meanPFake = meanPFake
    }
}
