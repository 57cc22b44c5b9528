import Foundation

/// The report as a table for people. Numbers to 4 decimals; "—" for an undefined metric.
extension EvaluationReport {
    public var text: String {
        var lines: [String] = []
        let source: String
        switch thresholdSource {
        case .given: source = "given"
        case .scan: source = "from the scan"
        case .standard: source = "default"
        }
        // A mask evaluation scores still images (aligned crops), one row each.
        let (title, unit) = masks == nil ? ("Video level", "videos") : ("Image level", "images")
        lines += Self.summaryLines(title: title, unit: unit, video, thresholdNote: source)
        if let paired {
            lines.append("  " + "paired AUC".padding(toLength: 20, withPad: " ", startingAt: 0) + Self.number(paired.auc)
                + "  (\(paired.pairs) fake/real pairs in \(paired.groups) \(paired.column)s)")
        }
        if let comparison { lines += Self.comparisonLines(comparison) }
        if let reliability { lines += Self.reliabilityLines(reliability) }
        if let masks {
            lines.append("")
            lines += Self.maskLines(masks)
        }
        if let frame {
            lines.append("")
            lines += Self.summaryLines(title: "Frame level", unit: "face crops", frame, thresholdNote: source)
        }
        for column in categoryColumnsInOrder {
            lines.append("")
            lines.append("By \(column) (a category's fakes against all reals)")
            let own = categories.filter { $0.column == column }
            let withIntervals = own.contains { $0.aucInterval != nil }
            lines.append(Self.row(["value", "videos", "fakes", "reals", "AUC", "AP", "accuracy", "mean p"]
                + (withIntervals ? ["AUC 95 % interval"] : [])))
            for entry in own {
                var cells = [entry.value.isEmpty ? "(none)" : entry.value, String(entry.videos), String(entry.fakes),
                             String(entry.reals)]
                cells += [entry.auc, entry.averagePrecision, entry.accuracy, entry.meanPFake].map(Self.number)
                if withIntervals { cells.append(entry.aucInterval.map(Self.interval) ?? "—") }
                lines.append(Self.row(cells) + (entry.note.map { "  " + $0 } ?? ""))
            }
        }
        if let manipulation {
            lines.append("")
            lines += Self.manipulationLines(manipulation)
        }
        lines.append("")
        lines += matchingLines
        return lines.joined(separator: "\n") + "\n"
    }

    var categoryColumnsInOrder: [String] {
        var seen: [String] = []
        for entry in categories where !seen.contains(entry.column) { seen.append(entry.column) }
        return seen
    }

    var matchingLines: [String] {
        var lines = ["Matched \(matching.matched) of \(matching.labelled) labelled videos to \(matching.scored) scores."]
        func list(_ title: String, _ paths: [String]) {
            guard !paths.isEmpty else { return }
            let shown = paths.prefix(5).joined(separator: ", ")
            lines.append("\(title) (\(paths.count)): \(shown)\(paths.count > 5 ? ", …" : "")")
        }
        list("Labels without a score", matching.labelsWithoutScore)
        list("  of them ambiguous", matching.ambiguousLabels)
        list("Scores without a label", matching.scoresWithoutLabel)
        list("No score, counted as 0.5", matching.unscoredCountedHalf)
        list("No score, excluded", matching.unscoredExcluded)
        if let rows = matching.faceRows, let unlabelled = matching.faceRowsWithoutLabel, unlabelled > 0 {
            lines.append("Face rows without a labelled video: \(unlabelled) of \(rows)")
        }
        return lines
    }

    static func summaryLines(title: String, unit: String, _ s: MetricSummary, thresholdNote: String) -> [String] {
        var lines = ["\(title): \(s.samples) \(unit) (\(s.fakes) fake, \(s.reals) real)"]
        func line(_ name: String, _ value: String) { lines.append("  " + name.padding(toLength: 20, withPad: " ", startingAt: 0) + value) }
        line("AUC", number(s.auc) + (s.aucInterval.map { " " + interval($0)
            + " (95 % bootstrap, \($0.resamples) resamples, seed \($0.seed))" } ?? ""))
        line("average precision", number(s.averagePrecision))
        line("log loss", number(s.logLoss))
        line("EER", number(s.eer) + (s.eerThreshold.map { " at threshold " + number($0) } ?? ""))
        line("threshold", number(s.threshold) + " (\(thresholdNote))")
        line("accuracy", number(s.accuracy) + "  (fakes caught " + number(s.truePositiveRate)
            + ", reals passed " + number(s.trueNegativeRate) + ")")
        let c = s.confusion
        line("reals flagged fake", "\(c.falsePositives) of \(c.falsePositives + c.trueNegatives)"
            + (s.falsePositiveRate.map { String(format: " (%.1f %%)", $0 * 100) } ?? "")
            + " at threshold " + number(s.threshold))
        line("confusion", "called fake  called real")
        line("  fake", pad(c.truePositives) + "  " + pad(c.falseNegatives))
        line("  real", pad(c.falsePositives) + "  " + pad(c.trueNegatives))
        lines += s.notes.map { "  note: \($0)" }
        return lines
    }

    /// The mask metrics: fakes (accuracy, IoU), reals (false-positive area), all images.
    static func maskLines(_ m: MaskMetrics) -> [String] {
        var lines = ["Masks: \(m.fakes) fakes, \(m.reals) reals (a pixel is flagged at mask probability ≥ "
            + String(format: "%g", m.flagThreshold) + ")"]
        func line(_ name: String, _ value: String) { lines.append("  " + name.padding(toLength: 24, withPad: " ", startingAt: 0) + value) }
        func percent(_ value: Double?) -> String { value.map { String(format: "%.1f %%", $0 * 100) } ?? "—" }
        line("fakes pixel accuracy", number(m.pixelAccuracy))
        line("fakes IoU (pooled)", number(m.iouPooled))
        line("fakes IoU (mean/image)", number(m.iouMeanPerImage)
            + (m.fakesWithEmptyMasks > 0 ? "  (left out: \(m.fakesWithEmptyMasks) fake(s) with nothing manipulated and nothing flagged)" : ""))
        line("fakes area", "manipulated " + percent(m.truthFraction) + ", flagged " + percent(m.flaggedFractionFakes))
        line("reals flagged area", percent(m.flaggedFractionReals) + " of their pixels ("
            + "\(m.realsWithFlaggedPixels) of \(m.reals) reals with any pixel flagged)")
        line("all pixel accuracy", number(m.pixelAccuracyAll))
        return lines
    }

    static func comparisonLines(_ comparison: AUCComparison) -> [String] {
        let sign = comparison.difference >= 0 ? "+" : ""
        var line = "  " + "AUC difference".padding(toLength: 20, withPad: " ", startingAt: 0) + sign + number(comparison.difference)
        if let interval = comparison.interval {
            line += "  " + Self.interval(interval) + " (paired bootstrap, \(interval.resamples) resamples, seed \(interval.seed))"
        }
        return [line, "    this model \(number(comparison.auc)) against \(number(comparison.otherAUC)) for \(comparison.against), "
                + "on the \(comparison.videos) videos both score"]
    }

    static func interval(_ interval: BootstrapInterval) -> String {
        "[" + number(interval.lower) + ", " + number(interval.upper) + "]"
    }

    /// The reliability diagram as a table, and its expected calibration error.
    static func reliabilityLines(_ diagram: ReliabilityDiagram) -> [String] {
        var lines = ["  reliability (video p_fake in \(diagram.bins.count) bins)  ECE "
            + number(diagram.expectedCalibrationError)]
        lines.append("  " + row(["  p_fake bin", "videos", "mean p", "fake rate"]))
        for bin in diagram.bins {
            let range = String(format: "  %.1f–%.1f", bin.lower, bin.upper)
            lines.append("  " + row([range, String(bin.count), number(bin.meanPFake), number(bin.observedFakeRate)]))
        }
        return lines
    }

    static func number(_ value: Double?) -> String {
        guard let value else { return "—" }
        return String(format: "%.4f", value)
    }

    static func pad(_ count: Int) -> String {
        let text = String(count)
        return String(repeating: " ", count: max(0, 11 - text.count)) + text
    }

    static func row(_ cells: [String]) -> String {
        let first = cells[0].padding(toLength: max(18, cells[0].count), withPad: " ", startingAt: 0)
        return "  " + first + cells.dropFirst().map { String(repeating: " ", count: max(0, 8 - $0.count)) + $0 }
            .joined(separator: " ")
    }
}
