import Foundation
import Imaging
import NN

/// A detector that also says *which kind* of manipulation a crop looks like (AMTENnet): class
/// probabilities over `manipulationClasses`, whose first class is "real"; p_fake = 1 − p(real).
public protocol ManipulationClassifier: Detector {
    /// Class names in output order; the first is always "real".
    var manipulationClasses: [String] { get }
    /// Per crop, in order, the probabilities of `manipulationClasses` (they sum to 1).
    func classProbabilities(crops: [RGBImage]) throws -> [[Float]]
}

public enum ManipulationClasses {
    /// The card field that names a classifier's classes: a JSON array of strings, "real" first.
    public static let cardField = "manipulation_classes"
    public static let real = "real"

    /// The classes a card's metadata names, or nil when it names none; an error when the field is
    /// not a JSON array of at least two distinct non-empty names starting with "real".
    public static func read(_ metadata: [String: String]) throws -> [String]? {
        guard let text = metadata[cardField] else { return nil }
        guard let names = try? JSONDecoder().decode([String].self, from: Data(text.utf8)), names.count >= 2,
              names[0] == real, Set(names).count == names.count,
              names.allSatisfy({ !$0.isEmpty && !$0.contains(where: { $0 == "," || $0 == ":" || $0.isNewline }) })
        else { throw ModelCardError.invalidField(cardField, text) }
        return names
    }

    /// The most likely non-real class of `probabilities` (over `classes`, real first) and its
    /// probability; the earlier class on ties.
    public static func mostLikelyManipulation(_ probabilities: [Double], classes: [String]) -> (name: String, probability: Double)? {
        guard classes.count >= 2, probabilities.count == classes.count else { return nil }
        var best = 1
        for index in 2..<classes.count where probabilities[index] > probabilities[best] { best = index }
        return (classes[best], probabilities[best])
    }
}
