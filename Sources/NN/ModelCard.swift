import Foundation

/// What a weight file says about itself (its safetensors `__metadata__`): which architecture,
/// how to preprocess, what the score means, where the weights came from. Training and
/// inference read the same card, so preprocessing never lives in code paths.
public struct ModelCard: Sendable, Codable, Equatable {
    public var name: String
    public var architecture: String
    public var version: String
    public var inputSize: Int
    public var colourOrder: String
    /// e.g. "x/255" (MesoNet).
    public var scaling: String
    public var scoreSemantics: String
    /// Calibrated decision threshold, when the card has one (callers default to 0.5).
    public var threshold: Double?
    public var provenance: String
    public var sourceFile: String?
    public var sourceSHA256: String?
    public var metrics: [String: Double]
    /// Test-time augmentation the weights were measured with: nil (none) or "hflip" (p_fake is
    /// the mean over the crop and its mirror image).
    public var testTimeAugmentation: String?
    /// nil for one model. For an ensemble, its N ≥ 2 members: weight files of this architecture
    /// and input beside this one (which holds no tensors), each pinned by SHA-256; the engine
    /// averages their p_fake. Members stay separate files so a bundled single model is not
    /// stored twice, and so no one file outgrows the repository's limit.
    public var ensembleMembers: [EnsembleMember]?

    public static let pFakeSemantics = "p_fake, 1 = fake"
    /// Far above any face crop a detector takes (they use 160–299 px).
    public static let maximumInputSize = 4096

    public init(name: String, architecture: String, version: String, inputSize: Int, colourOrder: String,
                scaling: String, scoreSemantics: String = ModelCard.pFakeSemantics, threshold: Double? = nil,
                provenance: String, sourceFile: String? = nil, sourceSHA256: String? = nil, metrics: [String: Double] = [:],
                testTimeAugmentation: String? = nil, ensembleMembers: [EnsembleMember]? = nil) {
        self.name = name; self.architecture = architecture; self.version = version
        self.inputSize = inputSize; self.colourOrder = colourOrder; self.scaling = scaling
        self.scoreSemantics = scoreSemantics; self.threshold = threshold; self.provenance = provenance
        self.sourceFile = sourceFile; self.sourceSHA256 = sourceSHA256; self.metrics = metrics
        self.testTimeAugmentation = testTimeAugmentation
        self.ensembleMembers = ensembleMembers
    }

    /// Parses the safetensors metadata map (all values are strings; metrics is a JSON object).
    public init(metadata: [String: String]) throws {
        func required(_ key: String) throws -> String {
            guard let value = metadata[key], !value.isEmpty else { throw ModelCardError.missingField(key) }
            return value
        }
        let sizeText = try required("input_size")
        // Bounded: the crop tensor is batch × 3 × size² floats, and a hostile card must not overflow it.
        guard let size = Int(sizeText), (1...Self.maximumInputSize).contains(size) else {
            throw ModelCardError.invalidField("input_size", sizeText)
        }
        var threshold: Double?
        if let text = metadata["threshold"] {
            guard let value = Double(text), (0...1).contains(value) else { throw ModelCardError.invalidField("threshold", text) }
            threshold = value
        }
        var metrics: [String: Double] = [:]
        if let text = metadata["metrics"] {
            guard let decoded = try? JSONDecoder().decode([String: Double].self, from: Data(text.utf8)) else {
                throw ModelCardError.invalidField("metrics", text)
            }
            metrics = decoded
        }
        var members: [EnsembleMember]?
        if let text = metadata["ensemble_members"] {
            guard let decoded = try? JSONDecoder().decode([EnsembleMember].self, from: Data(text.utf8)),
                  decoded.count >= 2, decoded.allSatisfy(\.isWellFormed),
                  Set(decoded.map(\.file)).count == decoded.count  // each member once
            else { throw ModelCardError.invalidField("ensemble_members", text) }
            members = decoded
        }
        let architecture = try required("architecture")
        self.init(name: metadata["name"] ?? architecture, architecture: architecture,
                  version: try required("version"), inputSize: size, colourOrder: try required("colour_order"),
                  scaling: try required("scaling"), scoreSemantics: try required("score_semantics"),
                  threshold: threshold, provenance: try required("provenance"), sourceFile: metadata["source_file"],
                  sourceSHA256: metadata["source_sha256"], metrics: metrics,
                  testTimeAugmentation: metadata["test_time_augmentation"], ensembleMembers: members)
    }

    /// The card as safetensors metadata (the inverse of `init(metadata:)`).
    public var metadata: [String: String] {
        var map = ["name": name, "architecture": architecture, "version": version, "input_size": String(inputSize),
                   "colour_order": colourOrder, "scaling": scaling, "score_semantics": scoreSemantics,
                   "provenance": provenance]
        if let threshold { map["threshold"] = String(threshold) }
        if let sourceFile { map["source_file"] = sourceFile }
        if let sourceSHA256 { map["source_sha256"] = sourceSHA256 }
        if let testTimeAugmentation { map["test_time_augmentation"] = testTimeAugmentation }
        if let ensembleMembers, let data = try? JSONEncoder().encode(ensembleMembers) {
            map["ensemble_members"] = String(decoding: data, as: UTF8.self)
        }
        if !metrics.isEmpty, let data = try? JSONEncoder().encode(metrics) { map["metrics"] = String(decoding: data, as: UTF8.self) }
        return map
    }
}

/// One member of an ensemble card: a weight file in the ensemble file's folder and the SHA-256
/// of its bytes when the ensemble was measured.
public struct EnsembleMember: Sendable, Codable, Equatable {
    public var file: String
    public var sha256: String

    public init(file: String, sha256: String) { self.file = file; self.sha256 = sha256 }

    /// A plain file name (no folder, so a card cannot reach outside its own folder) and a hex digest.
    var isWellFormed: Bool {
        !file.isEmpty && !file.contains("/") && file != "." && file != ".."
            && sha256.count == 64 && sha256.allSatisfy { "0123456789abcdef".contains($0) }
    }
}

public enum ModelCardError: Error, Equatable, CustomStringConvertible {
    case missingField(String)
    case invalidField(String, String)

    public var description: String {
        switch self {
        case let .missingField(key): return "model card lacks \(key)"
        case let .invalidField(key, value): return "model card field \(key) has an invalid value: \(oneLineQuoted(value))"
        }
    }
}
