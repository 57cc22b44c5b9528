import Foundation

/// The same labelled videos evaluated on clean frames and on degraded ones (`eval --perturb`,
/// FakeSpotter's robustness protocol): both reports and how much the AUC fell.
public struct RobustnessReport: Sendable, Equatable, Codable {
    /// The degradations as `--perturb` wrote them, e.g. `jpeg:40,blur:1.5`.
    public var perturbation: String
    public var clean: EvaluationReport
    public var perturbed: EvaluationReport
    /// Clean AUC minus perturbed AUC (positive: the detector got worse); nil when undefined.
    public var videoAucDrop: Double?
    public var frameAucDrop: Double?

    public init(perturbation: String, clean: EvaluationReport, perturbed: EvaluationReport) {
        self.perturbation = perturbation
        self.clean = clean
        self.perturbed = perturbed
        videoAucDrop = Self.drop(clean.video.auc, perturbed.video.auc)
        frameAucDrop = Self.drop(clean.frame?.auc, perturbed.frame?.auc)
    }

    static func drop(_ clean: Double?, _ perturbed: Double?) -> Double? {
        guard let clean, let perturbed else { return nil }
        return clean - perturbed
    }

    /// Both reports, then a short comparison.
    public var text: String {
        var lines = ["== Clean frames", clean.text, "== Perturbed frames (\(perturbation))", perturbed.text,
                     "== Robustness to \(perturbation)"]
        func line(_ level: String, _ clean: Double?, _ perturbed: Double?, _ drop: Double?) {
            lines.append("  \(level) AUC  clean \(EvaluationReport.number(clean))  perturbed "
                + "\(EvaluationReport.number(perturbed))  drop \(EvaluationReport.number(drop))")
        }
        line("video", clean.video.auc, perturbed.video.auc, videoAucDrop)
        if clean.frame != nil || perturbed.frame != nil {
            line("frame", clean.frame?.auc, perturbed.frame?.auc, frameAucDrop)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Pretty JSON with snake_case keys, sorted, like `EvaluationReport.json()`.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }
}
