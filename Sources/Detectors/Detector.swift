import Imaging
import NN

/// A face-manipulation classifier over aligned face crops.
///
/// Crops are 256×256 aligned RGB faces (FaceAlign's output); a detector resizes them to its
/// card's input size when that differs, applies the card's scaling, and batches internally.
/// Not Sendable: it owns scratch memory. Make one instance per worker thread.
public protocol Detector: AnyObject {
    var card: ModelCard { get }
    /// p_fake ∈ [0, 1] per crop, in order (1 = fake, whatever the authors' convention was).
    func pFake(crops: [RGBImage]) throws -> [Float]
}

public enum DetectorError: Error, Equatable, CustomStringConvertible {
    case unknownModel(String, known: [String])
    case architectureMismatch(requested: String, card: String)
    case unsupportedCard(field: String, value: String)
    /// A member file an ensemble card names is missing, changed since the ensemble was measured,
    /// or not a model the ensemble can average.
    case ensembleMember(file: String, problem: String)

    public var description: String {
        switch self {
        case let .unknownModel(name, known):
            return "unknown model \(oneLineQuoted(name)); known: \(known.joined(separator: ", "))"
        case let .architectureMismatch(requested, card):
            return "weights are for \(oneLineQuoted(card)), not \(requested)"
        case let .unsupportedCard(field, value):
            return "model card \(field) \(oneLineQuoted(value)) is not supported"
        case let .ensembleMember(file, problem):
            return "ensemble member \(file): \(problem)"
        }
    }
}
