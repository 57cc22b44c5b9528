import Aggregate

/// One model's verdict of a video in a run with several models (`scan --model A --model B`):
/// the CSV's `p_fake.<model>` and `verdict.<model>` columns.
public struct ModelScore: Sendable, Equatable, Hashable, Codable {
    /// The model's card name, as in the column names.
    public var model: String
    /// The model's video p_fake (its worst track under the run's aggregator); nil without a face.
    public var pFake: Double?
    /// Against the model's own threshold.
    public var verdict: Verdict

    public init(model: String, pFake: Double?, verdict: Verdict) {
        self.model = model
        self.pFake = pFake
        self.verdict = verdict
    }

    enum CodingKeys: String, CodingKey { case model, pFake = "p_fake", verdict }
}

extension VideoRow {
    /// The CSV header of a run with these models: the contract's columns, then `p_fake.<m>`
    /// and `verdict.<m>` of each model when there are two or more (one model: the contract only).
    public static func csvHeader(models: [String]) -> [String] {
        guard models.count > 1 else { return csvHeader }
        return csvHeader + models.flatMap { ["p_fake.\($0)", "verdict.\($0)"] }
    }

    /// The cells of `csvHeader(models:)`; a model the row has no score of (an error row) gets
    /// an empty p_fake and verdict `unknown`.
    public func csvFields(models: [String]) -> [String] {
        guard models.count > 1 else { return csvFields }
        return csvFields + models.flatMap { name -> [String] in
            let score = self.models.first { $0.model == name }
            return [score?.pFake.map { NumberText.fixed($0, digits: 6) } ?? "", (score?.verdict ?? .unknown).rawValue]
        }
    }

    /// The model names of a header `csvHeader(models:)` wrote; nil when it is not one.
    public static func models(inCSVHeader header: [String]) -> [String]? {
        guard header.count >= csvHeader.count, Array(header.prefix(csvHeader.count)) == csvHeader else { return nil }
        let extra = Array(header.dropFirst(csvHeader.count))
        guard extra.count % 2 == 0 else { return nil }
        var names: [String] = []
        for index in stride(from: 0, to: extra.count, by: 2) {
            guard extra[index].hasPrefix("p_fake."), extra[index + 1] == "verdict." + extra[index].dropFirst(7) else {
                return nil
            }
            names.append(String(extra[index].dropFirst(7)))
        }
        return names.count == 1 ? nil : names
    }

    /// Parses a line of `csvFields(models:)`.
    public init(csvFields fields: [String], models: [String]) throws {
        guard models.count > 1 else {
            try self.init(csvFields: fields)
            return
        }
        let contract = Self.csvHeader.count
        guard fields.count == contract + 2 * models.count else {
            throw ReportError.badRow("expected \(contract + 2 * models.count) cells, got \(fields.count)")
        }
        try self.init(csvFields: Array(fields.prefix(contract)))
        self.models = try models.enumerated().map { index, name in
            let pText = fields[contract + 2 * index], verdictText = fields[contract + 2 * index + 1]
            guard let verdict = Verdict(rawValue: verdictText) else { throw ReportError.badRow("verdict.\(name) '\(verdictText)'") }
            if pText.isEmpty { return ModelScore(model: name, pFake: nil, verdict: verdict) }
            guard let p = Double(pText) else { throw ReportError.badRow("p_fake.\(name) '\(pText)' is not a number") }
            return ModelScore(model: name, pFake: p, verdict: verdict)
        }
    }
}
