import Foundation

/// The table's rows as JSON for the index page's data block: one array per video, in report
/// order, with how to reach its card.
struct TableData: Encodable {
    var pageSize: Int
    var cards: CardLinks
    var rows: [Row]

    struct CardLinks: Encodable {
        /// "inline" (cards in the index) or "pages" (cards in `folder`/cards-NNNN.html).
        var mode: String
        var folder: String?
        var perPage: Int?
    }

    /// [path, status, verdict, p_fake|null, tracks, frames with a face, frames sampled, duration|null, error],
    /// then with `manipulation` [class|null, its probability|null].
    struct Row: Encodable {
        var video: VideoRow
        var manipulation = false

        func encode(to encoder: Encoder) throws {
            var cells = encoder.unkeyedContainer()
            try cells.encode(video.path)
            try cells.encode(video.status.rawValue)
            try cells.encode(video.verdict.rawValue)
            try cells.encode(video.pFake.map(rounded))
            try cells.encode(video.faceTracks)
            try cells.encode(video.framesWithFace)
            try cells.encode(video.framesSampled)
            try cells.encode(video.durationSeconds.map { (($0 * 1000).rounded() / 1000) })
            try cells.encode(video.error ?? "")
            if manipulation {
                try cells.encode(video.manipulation)
                try cells.encode(video.manipulationP.map(rounded))
            }
        }

        /// Six decimals like the CSV.
        private func rounded(_ value: Double) -> Double { (value * 1e6).rounded() / 1e6 }
    }

    /// JSON that is safe inside a `<script>` element: `<`, `>` and `&` (which only occur in
    /// strings) become \u escapes, so "</script>" or "<!--" in a path cannot end the element;
    /// U+2028/U+2029 too, for older script parsers.
    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]  // the same bytes every run
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        var text = ""
        for scalar in String(decoding: try encoder.encode(self), as: UTF8.self).unicodeScalars {
            switch scalar {
            case "<": text += "\\u003c"
            case ">": text += "\\u003e"
            case "&": text += "\\u0026"
            case "\u{2028}": text += "\\u2028"
            case "\u{2029}": text += "\\u2029"
            default: text.unicodeScalars.append(scalar)
            }
        }
        return text
    }
}
