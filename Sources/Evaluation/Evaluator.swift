import Reports

/// How an evaluation treats its inputs.
public struct EvaluationOptions: Sendable, Equatable {
    /// nil: the scores' own threshold (one value for all), else 0.5.
    public var threshold: Double?
    public var noFace: NoFacePolicy
    /// Labels columns to break the metrics down by; nil: `method` when the labels have it.
    public var categoryColumns: [String]?
    /// Resamples for the AUC's bootstrap interval (video level and per category); 0: none.
    public var bootstrapResamples: Int
    public var bootstrapSeed: UInt64

    public init(
        threshold: Double? = nil, noFace: NoFacePolicy = .half, categoryColumns: [String]? = nil,
        bootstrapResamples: Int = 0, bootstrapSeed: UInt64 = 0
    ) {
        self.threshold = threshold
        self.noFace = noFace
        self.categoryColumns = categoryColumns
        self.bootstrapResamples = bootstrapResamples
        self.bootstrapSeed = bootstrapSeed
    }
}

/// Scores against labels. The scores may come from any source (a scan CSV, a scan run in this
/// process, another tool); the evaluator only matches paths and computes metrics.
public struct Evaluator: Sendable {
    public var labels: LabelTable
    public var options: EvaluationOptions

    public init(labels: LabelTable, options: EvaluationOptions = EvaluationOptions()) {
        self.labels = labels
        self.options = options
    }

    /// `faces`: the per-crop rows of the scan's JSONL, for frame-level metrics (each crop
    /// carries its video's label). `against`: another model's scores of the same videos, for
    /// the paired AUC difference (`report.comparison`).
    public func evaluate(videos: [VideoScore], faces: [FaceRow]? = nil, against: ComparedScores? = nil) throws -> EvaluationReport {
        let columns = try categoryColumns()
        let (threshold, source) = try resolvedThreshold(videos)
        let labelPaths = labels.videos.map(\.path)
        let match = PathMatcher.match(labels: labelPaths, scores: videos.map(\.path))
        if match.pairs.isEmpty {
            guard let label = labelPaths.first, let score = videos.first?.path else {
                throw EvaluationError.nothingToEvaluate(labels: labelPaths.count, scores: videos.count)
            }
            throw EvaluationError.nothingMatched(labelExample: label, scoreExample: score)
        }

        var samples: [(score: LabelledScore, label: LabelledVideo)] = []
        // Scored videos of a model with classes: label, method and what the scan called them.
        var calls: [(isFake: Bool, method: String, called: String)] = []
        let methodColumn = labels.categoryColumns.first { $0.lowercased() == "method" }
        var countedHalf: [String] = []
        var excluded: [String] = []
        for pair in match.pairs {
            let label = labels.videos[pair.label]
            let score: Double
            if let pFake = videos[pair.score].pFake {
                score = pFake
            } else if options.noFace == .half {
                score = 0.5
                countedHalf.append(label.path)
            } else {
                excluded.append(label.path)
                continue
            }
            samples.append((LabelledScore(score: score, isFake: label.isFake), label))
            if let methodColumn, let pFake = videos[pair.score].pFake, let guess = videos[pair.score].manipulation {
                calls.append((label.isFake, label.categories[methodColumn] ?? "",
                              pFake >= threshold ? guess : ManipulationFamily.real))
            }
        }

        var matching = MatchingSummary(
            labelled: labels.videos.count, scored: videos.count, matched: match.pairs.count,
            labelsWithoutScore: match.unmatchedLabels.map { labelPaths[$0] },
            scoresWithoutLabel: match.unmatchedScores.map { videos[$0].path },
            ambiguousLabels: match.ambiguousLabels.map { labelPaths[$0] },
            unscoredCountedHalf: countedHalf, unscoredExcluded: excluded)
        var frame: MetricSummary?
        if let faces {
            let crops = frameSamples(faces)
            frame = MetricSummary(crops.samples, threshold: threshold)
            matching.faceRows = faces.count
            matching.faceRowsWithoutLabel = crops.unlabelled
        }
        let categories = columns.flatMap { column in
            CategoryMetrics.breakdown(
                column: column, samples: samples.map { ($0.score, $0.label.categories[column] ?? "") },
                threshold: threshold, bootstrapResamples: options.bootstrapResamples, seed: options.bootstrapSeed)
        }
        let scores = samples.map(\.score)
        var video = MetricSummary(scores, threshold: threshold)
        if options.bootstrapResamples > 0 {
            video.aucInterval = try? Bootstrap.aucInterval(
                scores, resamples: options.bootstrapResamples, seed: options.bootstrapSeed)
        }
        let paired = groupColumn.flatMap { column in
            PairedAUC.compute(column: column, samples.map { ($0.score, $0.label.categories[column] ?? "") })
        }
        var report = EvaluationReport(
            threshold: threshold, thresholdSource: source, noFace: options.noFace,
            video: video, frame: frame, categories: categories, matching: matching,
            paired: paired, reliability: ReliabilityDiagram(scores))
        if let methodColumn, !calls.isEmpty { report.manipulation = ManipulationConfusion(column: methodColumn, calls) }
        if let against { report.comparison = try compare(videos, against) }
        return report
    }

    /// Both score sets on the labelled videos they share, each under the no-face policy.
    func compare(_ videos: [VideoScore], _ other: ComparedScores) throws -> AUCComparison {
        let mine = samplesByLabel(videos)
        let theirs = samplesByLabel(other.videos)
        let pairs = labels.videos.indices.compactMap { index in
            mine[index].flatMap { this in theirs[index].map { (this: this, other: $0) } }
        }
        do {
            return try AUCComparison.compute(against: other.name, pairs: pairs,
                                             resamples: options.bootstrapResamples, seed: options.bootstrapSeed)
        } catch let error as MetricError {
            throw EvaluationError.nothingToCompare(against: other.name, reason: "videos scored by both: \(pairs.count) (\(error))")
        }
    }

    /// Each matched labelled video's sample by label index, under the no-face policy.
    func samplesByLabel(_ videos: [VideoScore]) -> [Int: LabelledScore] {
        let match = PathMatcher.match(labels: labels.videos.map(\.path), scores: videos.map(\.path))
        var samples: [Int: LabelledScore] = [:]
        for pair in match.pairs {
            guard let score = videos[pair.score].pFake ?? (options.noFace == .half ? 0.5 : nil) else { continue }
            samples[pair.label] = LabelledScore(score: score, isFake: labels.videos[pair.label].isFake)
        }
        return samples
    }

    /// The labels column that ties each fake to its real source (`group`, any case), if any.
    var groupColumn: String? {
        labels.categoryColumns.first { $0.lowercased() == "group" }
    }

    /// One sample per face crop, labelled with its video's label.
    func frameSamples(_ faces: [FaceRow]) -> (samples: [LabelledScore], unlabelled: Int) {
        var videoPaths: [String] = []
        var videoIndex: [String: Int] = [:]
        for face in faces where videoIndex[face.video] == nil {
            videoIndex[face.video] = videoPaths.count
            videoPaths.append(face.video)
        }
        let match = PathMatcher.match(labels: labels.videos.map(\.path), scores: videoPaths)
        var isFakeByVideo: [Bool?] = Array(repeating: nil, count: videoPaths.count)
        for pair in match.pairs { isFakeByVideo[pair.score] = labels.videos[pair.label].isFake }
        var samples: [LabelledScore] = []
        var unlabelled = 0
        for face in faces {
            guard let isFake = isFakeByVideo[videoIndex[face.video]!] else { unlabelled += 1; continue }
            samples.append(LabelledScore(score: face.pFake, isFake: isFake))
        }
        return (samples, unlabelled)
    }

    func categoryColumns() throws -> [String] {
        guard let asked = options.categoryColumns else {
            return labels.categoryColumns.filter { $0.lowercased() == "method" }
        }
        return try asked.map { column in
            guard let known = labels.categoryColumns.first(where: { $0.lowercased() == column.lowercased() }) else {
                throw EvaluationError.unknownCategoryColumn(column, known: labels.categoryColumns)
            }
            return known
        }
    }

    func resolvedThreshold(_ videos: [VideoScore]) throws -> (Double, ThresholdSource) {
        if let given = options.threshold { return (given, .given) }
        let used = Set(videos.compactMap(\.threshold)).sorted()
        if used.count > 1 { throw EvaluationError.mixedThresholds(used) }
        if let only = used.first { return (only, .scan) }
        return (0.5, .standard)
    }
}
