import Imaging
import NN

/// A detector made of several models of one architecture (`ensemble_members: N` on the card,
/// one model's tensors under "member0." … in the same file): p_fake is the mean of the members'.
/// Two independently trained models err on different crops, so their mean ranks held-out
/// pseudo-fakes better than either (README, Training section); it costs one pass per member.
final class EnsembleAveraging: Detector {
    private let members: [any Detector]
    let card: ModelCard

    init(_ members: [any Detector], card: ModelCard) {
        precondition(!members.isEmpty, "an ensemble needs members")
        self.members = members
        self.card = card
    }

    /// The tensor prefix of member `index` in an ensemble file.
    static func prefix(_ index: Int) -> String { "member\(index)." }

    func pFake(crops: [RGBImage]) throws -> [Float] {
        if crops.isEmpty { return [] }
        var sums = [Float](repeating: 0, count: crops.count)
        for member in members {
            for (index, score) in try member.pFake(crops: crops).enumerated() { sums[index] += score }
        }
        return sums.map { $0 / Float(members.count) }
    }
}
