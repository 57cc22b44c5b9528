/// The paired AUC: each fake ranked only against the reals of its own group (the labels'
/// `group` column ties a fake to its real source). Over every (fake, real) pair within a group,
/// the share where the fake scores higher, ties counting ½. A shortcut that tells sources apart
/// (resolution, compression, crop size) cannot pass it, since both sides of a pair share the source.
public struct PairedAUC: Sendable, Equatable, Codable {
    /// The labels column the groups came from, as the file spells it.
    public var column: String
    public var auc: Double
    /// (fake, real) pairs counted, and the groups holding at least one.
    public var pairs: Int
    public var groups: Int

    public init(column: String, auc: Double, pairs: Int, groups: Int) {
        self.column = column
        self.auc = auc
        self.pairs = pairs
        self.groups = groups
    }

    /// nil when no group holds both a fake and a real. An empty group value means unpaired.
    public static func compute(column: String, _ samples: [(score: LabelledScore, group: String)]) -> PairedAUC? {
        let grouped = Dictionary(grouping: samples.filter { !$0.group.isEmpty }, by: \.group)
        var wins = 0.0
        var pairs = 0
        var groups = 0
        for members in grouped.values {
            let fakes = members.map(\.score).filter(\.isFake)
            let reals = members.map(\.score).filter { !$0.isFake }
            guard !fakes.isEmpty, !reals.isEmpty else { continue }
            groups += 1
            for fake in fakes {
                for real in reals {
                    pairs += 1
                    if fake.score > real.score { wins += 1 } else if fake.score == real.score { wins += 0.5 }
                }
            }
        }
        guard pairs > 0 else { return nil }
        return PairedAUC(column: column, auc: wins / Double(pairs), pairs: pairs, groups: groups)
    }
}
