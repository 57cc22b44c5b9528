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
    /// The columns a model with manipulation classes adds after the contract's (DESIGN.md).
    public static let manipulationHeader = ["manipulation", "manipulation_p"]

    /// The CSV header of a run with these models: the contract's columns, `manipulation` and
    /// `manipulation_p` when the model has manipulation classes, then `p_fake.<m>` and
    /// `verdict.<m>` of each model when there are two or more (one model: the contract only).
    public static func csvHeader(models: [String], manipulation: Bool = false) -> [String] {
        let main = csvHeader + (manipulation ? manipulationHeader : [])
        guard models.count > 1 else { return main }
        return main + models.flatMap { ["p_fake.\($0)", "verdict.\($0)"] }
    }

    /// The cells of `csvHeader(models:manipulation:)`; a model the row has no score of (an
    /// error row) gets an empty p_fake and verdict `unknown`, a row without a manipulation class
    /// empty manipulation cells.
    public func csvFields(models: [String], manipulation: Bool = false) -> [String] {
        let main = csvFields + (manipulation ? [self.manipulation ?? "", manipulationP.map { NumberText.fixed($0, digits: 6) } ?? ""] : [])
        guard models.count > 1 else { return main }
        return main + models.flatMap { name -> [String] in
            let score = self.models.first { $0.model == name }
            return [score?.pFake.map { NumberText.fixed($0, digits: 6) } ?? "", (score?.verdict ?? .unknown).rawValue]
        }
    }

    /// Whether a header `csvHeader(models:manipulation:)` wrote has the manipulation columns.
    public static func hasManipulation(inCSVHeader header: [String]) -> Bool {
        header.count >= csvHeader.count + 2 && Array(header[csvHeader.count ..< csvHeader.count + 2]) == manipulationHeader
    }

    /// The model names of a header `csvHeader(models:manipulation:)` wrote; nil when it is not one.
    public static func models(inCSVHeader header: [String]) -> [String]? {
        guard header.count >= csvHeader.count, Array(header.prefix(csvHeader.count)) == csvHeader else { return nil }
        let extra = Array(header.dropFirst(csvHeader.count + (hasManipulation(inCSVHeader: header) ? 2 : 0)))
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

    /// Parses a line of `csvFields(models:manipulation:)`.
    public init(csvFields fields: [String], models: [String], manipulation: Bool = false) throws {
        var fields = fields
        if manipulation {
            let at = Self.csvHeader.count
            guard fields.count >= at + 2 else { throw ReportError.badRow("expected manipulation cells after the contract's") }
            let (name, pText) = (fields[at], fields[at + 1])
            fields.removeSubrange(at ..< at + 2)
            guard pText.isEmpty == name.isEmpty, pText.isEmpty || Double(pText).map({ (0...1).contains($0) }) == true else {
                throw ReportError.badRow("manipulation '\(name)' with manipulation_p '\(pText)'")
            }
            try self.init(csvFields: fields, models: models)
            self.manipulation = name.isEmpty ? nil : name
            self.manipulationP = Double(pText)
            return
        }
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
