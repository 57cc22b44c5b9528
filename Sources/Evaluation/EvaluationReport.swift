import Foundation

/// What to do with a video that has no score (status no_face or error).
public enum NoFacePolicy: String, Sendable, Equatable, Codable, CaseIterable {
    /// Count it with p_fake 0.5: a detector that finds no face has not cleared the video.
    case half
    /// Leave it out of every metric and list it in the report.
    case exclude
}

/// Where the threshold for accuracy and the confusion matrix came from.
public enum ThresholdSource: String, Sendable, Equatable, Codable {
    /// Given explicitly (`--threshold`).
    case given
    /// The scan's own threshold column.
    case scan
    /// Neither: 0.5.
    case standard
}

/// How the labels and the scores lined up; paths as the labels (or scores) wrote them.
public struct MatchingSummary: Sendable, Equatable, Codable {
    public var labelled: Int
    public var scored: Int
    public var matched: Int
    public var labelsWithoutScore: [String]
    public var scoresWithoutLabel: [String]
    /// Labels with several equally good score paths (also in `labelsWithoutScore`).
    public var ambiguousLabels: [String]
    /// Matched videos without a score that were counted as p_fake 0.5.
    public var unscoredCountedHalf: [String]
    /// Matched videos without a score that were left out.
    public var unscoredExcluded: [String]
    /// Face rows read for frame-level metrics, and those whose video has no label.
    public var faceRows: Int?
    public var faceRowsWithoutLabel: Int?
}

/// The result of one evaluation: video-level metrics, optional frame-level (face crop) metrics,
/// the per-category breakdown and how labels and scores were matched.
public struct EvaluationReport: Sendable, Equatable, Codable {
    public var threshold: Double
    public var thresholdSource: ThresholdSource
    public var noFace: NoFacePolicy
    public var video: MetricSummary
    public var frame: MetricSummary?
    public var categories: [CategoryMetrics]
    public var matching: MatchingSummary
    /// Each fake against the reals of its own group, when the labels have a `group` column.
    public var paired: PairedAUC?
    /// Video-level calibration: p_fake in 10 bins against the observed fake rate.
    public var reliability: ReliabilityDiagram?
    /// Manipulation masks against known ones (`eval --mask-truth`); its rows are then images.
    public var masks: MaskMetrics?
    /// A model with manipulation classes against the labels' method column (scores with a
    /// `manipulation` column and labels with a method column only).
    public var manipulation: ManipulationConfusion?
    /// This model's video AUC against another's on the same videos (`eval --compare`).
    public var comparison: AUCComparison?

    /// Pretty JSON with snake_case keys, sorted; an undefined metric is absent.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }
}
