import Aggregate

// What a card shows beyond p_fake for models that say more: MAT's attention maps beside the
// faces, AMTENnet's manipulation classes as bars. Cards of other models have neither.

extension VideoCard.AttentionView {
    static let caption = "attention maps: where the model looked (red)"
}

/// The manipulation class probabilities of a video's worst track (the track that gave the video
/// its p_fake, as the CSV's `manipulation` column describes it): each class's mean over the
/// track's crops, the most likely first.
struct ClassBars {
    var title: String
    var bars: [Bar]

    struct Bar {
        var name: String
        /// The probability, 3 decimals.
        var value: String
        /// Bar length in pixels.
        var width: Int
        /// "real" for the real class, else "fake" (the bar's colour).
        var kind: String
    }

    /// Pixels of a bar at probability 1.
    static let fullWidth = 120

    /// Nil when the worst track's rows carry no class probabilities (other models).
    static func make(faces: [FaceRow], aggregator: Aggregator, threshold: Double) -> ClassBars? {
        guard faces.contains(where: { $0.manipulationProbabilities != nil }) else { return nil }
        let byTrack = Dictionary(grouping: faces, by: \.track)
        // The worst track as Aggregation.verdict picks it: highest score, ties to the lowest id.
        let scored = byTrack.compactMap { id, rows in aggregator.score(rows.map(\.pFake), threshold: threshold).map { (id, $0) } }
        guard let worst = scored.max(by: { a, b in a.1 < b.1 || (a.1 == b.1 && a.0 > b.0) })?.0 else { return nil }
        let probabilities = byTrack[worst, default: []].compactMap(\.manipulationProbabilities)
        guard !probabilities.isEmpty else { return nil }
        let names = Set(probabilities.flatMap(\.keys))
        let means = names.map { name in
            (name, probabilities.reduce(0.0) { $0 + ($1[name] ?? 0) } / Double(probabilities.count))
        }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        let crops = probabilities.count
        return ClassBars(
            title: "Manipulation classes of track \(worst) (mean over \(crops) crop\(crops == 1 ? "" : "s"))",
            bars: means.map { name, p in
                Bar(name: name, value: NumberText.fixed(p, digits: 3),
                    width: Int((min(max(p, 0), 1) * Double(fullWidth)).rounded()),
                    kind: name == "real" ? "real" : "fake")  // the class name AMTENnet gives real faces
            })
    }
}
