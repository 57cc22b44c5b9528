/// Pairs the paths of a labels file with the paths of a score source, which rarely agree
/// verbatim: the labels say `ffpp/004.mp4`, the scan `/data/dev-videos/ffpp/004.mp4`.
///
/// First exact matches (after dropping `./` and empty components); then, among what is left,
/// a label and a score path pair up when the shorter is a whole trailing part of the longer
/// (`ffpp/004.mp4` is never `/data/dfdc/004.mp4`) and they share the most trailing path
/// components of all such candidates *on both sides* (so `a/x.mp4` and `b/x.mp4` still find
/// their own scans, and a bare basename pairs only when it is unique). Anything else is
/// reported, never guessed.
public enum PathMatcher {
    public struct Result: Sendable, Equatable {
        /// (index into the labels, index into the scores)
        public var pairs: [Pair]
        /// Labels no score path matched.
        public var unmatchedLabels: [Int]
        /// Score paths no label matched.
        public var unmatchedScores: [Int]
        /// Labels with several equally good score paths (a subset of `unmatchedLabels`).
        public var ambiguousLabels: [Int]
    }

    public struct Pair: Sendable, Equatable, Hashable {
        public var label: Int
        public var score: Int
    }

    public static func match(labels: [String], scores: [String]) -> Result {
        let labelParts = labels.map(components)
        let scoreParts = scores.map(components)
        var pairs: [Pair] = []
        var labelTaken = Array(repeating: false, count: labels.count)
        var scoreTaken = Array(repeating: false, count: scores.count)

        // Exact: only when the path occurs once on each side.
        let exactScores = Dictionary(grouping: scores.indices, by: { scoreParts[$0] })
        let exactLabels = Dictionary(grouping: labels.indices, by: { labelParts[$0] })
        for (parts, labelIndices) in exactLabels where labelIndices.count == 1 {
            guard let scoreIndices = exactScores[parts], scoreIndices.count == 1 else { continue }
            pairs.append(Pair(label: labelIndices[0], score: scoreIndices[0]))
            labelTaken[labelIndices[0]] = true
            scoreTaken[scoreIndices[0]] = true
        }

        // Suffix: candidates share at least the basename, so group the rest by it.
        let scoresByName = Dictionary(grouping: scores.indices.filter { !scoreTaken[$0] }, by: { scoreParts[$0].last ?? "" })
        let labelsByName = Dictionary(grouping: labels.indices.filter { !labelTaken[$0] }, by: { labelParts[$0].last ?? "" })
        var ambiguous: [Int] = []
        for (name, labelIndices) in labelsByName {
            guard !name.isEmpty, let scoreIndices = scoresByName[name] else { continue }
            // Trailing components in common, or 0 when the shorter path is not all of them.
            func shared(_ label: Int, _ score: Int) -> Int {
                let length = commonSuffixLength(labelParts[label], scoreParts[score])
                return length == min(labelParts[label].count, scoreParts[score].count) ? length : 0
            }
            for label in labelIndices {
                let candidates = scoreIndices.filter { shared(label, $0) > 0 }
                if candidates.isEmpty { continue }  // only other folders' files of that name
                guard let best = uniqueBest(candidates, by: { shared(label, $0) }) else {
                    ambiguous.append(label)
                    continue
                }
                // The score path must prefer this label as well.
                guard uniqueBest(labelIndices.filter { shared($0, best) > 0 }, by: { shared($0, best) }) == label else {
                    ambiguous.append(label)
                    continue
                }
                pairs.append(Pair(label: label, score: best))
                labelTaken[label] = true
                scoreTaken[best] = true
            }
        }
        return Result(
            pairs: pairs.sorted { $0.label < $1.label },
            unmatchedLabels: labels.indices.filter { !labelTaken[$0] },
            unmatchedScores: scores.indices.filter { !scoreTaken[$0] },
            ambiguousLabels: ambiguous.sorted())
    }

    static func components(_ path: String) -> [String] {
        path.split(whereSeparator: { $0 == "/" || $0 == "\\" }).map(String.init).filter { $0 != "." }
    }

    static func commonSuffixLength(_ a: [String], _ b: [String]) -> Int {
        var length = 0
        while length < a.count, length < b.count, a[a.count - 1 - length] == b[b.count - 1 - length] { length += 1 }
        return length
    }

    /// The candidate with the strictly highest key, or nil on a tie.
    static func uniqueBest(_ candidates: [Int], by key: (Int) -> Int) -> Int? {
        let keyed = candidates.map { ($0, key($0)) }
        guard let top = keyed.map(\.1).max() else { return nil }
        let winners = keyed.filter { $0.1 == top }
        return winners.count == 1 ? winners[0].0 : nil
    }
}
