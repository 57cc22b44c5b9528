import Aggregate
import Foundation
import Reports

/// One model of a run with several models: its card name and its own threshold.
public struct ModelMember: Sendable, Equatable, Hashable {
    public var name: String
    public var threshold: Double

    public init(name: String, threshold: Double) {
        self.name = name
        self.threshold = threshold
    }
}

/// How the contract's `p_fake`/`verdict` of a run with several models are made from the
/// models' own (`scan --ensemble`); without one they are the first model's.
public struct EnsembleRule: Sendable, Equatable, Hashable {
    public enum Method: String, Sendable, CaseIterable {
        /// The mean of the models' video p_fake.
        case mean
    }

    public var method: Method
    public var threshold: Double

    public init(method: Method = .mean, threshold: Double) {
        self.method = method
        self.threshold = threshold
    }

    /// The threshold when none is given: the mean of the members' own. Each member's
    /// threshold is where its p_fake means "fake"; their mean is where the mean p_fake does
    /// when the members agree, and 0.5 when they are all uncalibrated.
    public static func defaultThreshold(of members: [ModelMember]) -> Double {
        members.map(\.threshold).reduce(0, +) / Double(max(1, members.count))
    }
}

extension RunConfiguration {
    /// The value of the CSV's `model` column: the members joined by "+" under an ensemble
    /// (whose p_fake the row holds), else the first model's name.
    public static func modelColumn(members: [ModelMember], ensemble: EnsembleRule?) -> String {
        ensemble == nil ? members.first?.name ?? "" : members.map(\.name).joined(separator: "+")
    }

    /// The model names whose columns the CSV gets (empty with one model: the contract only).
    public var columnModels: [String] { models.count > 1 ? models.map(\.name) : [] }
}

/// Turns a video's per-model crop scores into the per-model verdicts and the row's main one.
enum ModelSetVerdicts {
    struct Outcome {
        var main: VideoVerdict
        var perModel: [ModelScore]
    }

    /// `faces`' `modelScores` hold one score per member, in member order.
    static func verdicts(_ faces: [ScoredFace], configuration: RunConfiguration) throws -> Outcome {
        let members = configuration.models
        var perModel: [ModelScore] = []
        var verdicts: [VideoVerdict] = []
        for (index, member) in members.enumerated() {
            let frames = try faces.map { face -> FrameScore in
                guard face.modelScores.count == members.count else {
                    throw PipelineError.scoreCountMismatch(expected: members.count, got: face.modelScores.count)
                }
                var score = face.score
                score.pFake = face.modelScores[index]
                return score
            }
            let verdict = try Aggregation.video(frames, aggregator: configuration.aggregator, threshold: member.threshold)
            verdicts.append(verdict)
            perModel.append(ModelScore(model: member.name, pFake: verdict.pFake, verdict: verdict.verdict))
        }
        guard var main = verdicts.first else { throw PipelineError.scoreCountMismatch(expected: 1, got: 0) }
        if let ensemble = configuration.ensemble {
            let scores = verdicts.compactMap(\.pFake)
            let pFake = scores.count == verdicts.count ? scores.reduce(0, +) / Double(scores.count) : nil
            main = VideoVerdict(pFake: pFake, verdict: Aggregation.verdict(pFake: pFake, threshold: ensemble.threshold),
                                threshold: ensemble.threshold, tracks: main.tracks, worstTrackID: nil)
        }
        return Outcome(main: main, perModel: perModel)
    }

    /// The crop's p_fake in the face rows: the mean of the models' under an ensemble, else the first's.
    static func facePFake(_ face: ScoredFace, configuration: RunConfiguration) -> Double {
        guard configuration.ensemble != nil, !face.modelScores.isEmpty else { return face.score.pFake }
        return face.modelScores.reduce(0, +) / Double(face.modelScores.count)
    }
}
