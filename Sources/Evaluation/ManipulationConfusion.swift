import Foundation

/// A model with manipulation classes (AMTENnet) against the labels' method column: each labelled
/// method (rows) against the class the scan called the video (columns). A video is called "real"
/// below the threshold, else by the scan's `manipulation` column. The multi-class accuracy
/// counts the videos whose method belongs to a known family (`ManipulationFamily`).
public struct ManipulationConfusion: Sendable, Equatable, Codable {
    public struct Row: Sendable, Equatable, Codable {
        /// The labels' method, or "real" for every real video.
        public var method: String
        /// The class this method belongs to, nil when no family names it.
        public var family: String?
        /// Videos per predicted class, in `predicted` order.
        public var counts: [Int]
    }

    public var column: String
    /// The predicted classes seen, "real" first.
    public var predicted: [String]
    public var rows: [Row]
    /// Videos whose family is known, and those of them called by it.
    public var counted: Int
    public var correct: Int
    public var accuracy: Double? { counted > 0 ? Double(correct) / Double(counted) : nil }
    /// The same over the fakes only (reals called real are the easy part of `accuracy`).
    public var fakesCounted: Int
    public var fakesCorrect: Int
    public var fakeAccuracy: Double? { fakesCounted > 0 ? Double(fakesCorrect) / Double(fakesCounted) : nil }

    /// `samples`: per scored video, its label, its method and the scan's call (real, else the class).
    public init(column: String, _ samples: [(isFake: Bool, method: String, called: String)]) {
        self.column = column
        let truths = samples.map { $0.isFake ? $0.method : ManipulationFamily.real }
        let predicted = [ManipulationFamily.real] + Set(samples.map(\.called)).subtracting([ManipulationFamily.real]).sorted()
        self.predicted = predicted
        let methods = [ManipulationFamily.real] + Set(truths).subtracting([ManipulationFamily.real]).sorted()
        rows = methods.compactMap { method in
            let own = zip(truths, samples).filter { $0.0 == method }.map(\.1)
            guard !own.isEmpty else { return nil }
            let family = method == ManipulationFamily.real ? ManipulationFamily.real : ManipulationFamily.family(ofMethod: method)
            return Row(method: method, family: family, counts: predicted.map { p in own.filter { $0.called == p }.count })
        }
        var counted = 0, correct = 0, fakesCounted = 0, fakesCorrect = 0
        for row in rows {
            guard let family = row.family else { continue }
            let videos = row.counts.reduce(0, +), right = predicted.firstIndex(of: family).map { row.counts[$0] } ?? 0
            counted += videos
            correct += right
            if row.method != ManipulationFamily.real {
                fakesCounted += videos
                fakesCorrect += right
            }
        }
        self.counted = counted
        self.correct = correct
        self.fakesCounted = fakesCounted
        self.fakesCorrect = fakesCorrect
    }
}

/// Which manipulation class a labelled method belongs to: the families AMTENnet is trained on
/// (Training/amtennet_data.py METHOD_FAMILIES, plus the FaceForensics++ and talking-head names of
/// the evaluation sets). docs/amtennet.md lists them.
public enum ManipulationFamily {
    public static let real = "real"

    static let prefixes: [(String, String)] = [
        ("lipsync-", "lip_sync"), ("talkinghead-", "talking_head"), ("reenact-", "reenactment"),
    ]
    static let names: [String: String] = [
        "dfdc": "face_swap", "deepfakes": "face_swap", "faceswap": "face_swap",
        "face2face": "reenactment", "neuraltextures": "reenactment",
        "wav2lip": "lip_sync", "retalking": "lip_sync", "sadtalker": "talking_head",
        "self_blend": "self_blend", "cross_blend": "cross_blend", "local_warp": "local_warp", "colour_shift": "colour_shift",
    ]

    /// The class of a fake's method, nil when none names it.
    public static func family(ofMethod method: String) -> String? {
        let name = method.lowercased()
        if let family = names[name] { return family }
        return prefixes.first { name.hasPrefix($0.0) }?.1
    }
}

extension EvaluationReport {
    /// The multi-class confusion matrix as a table: one row per labelled method, one column per class called.
    static func manipulationLines(_ confusion: ManipulationConfusion) -> [String] {
        var lines = ["Manipulation classes (\(confusion.column) × class called: real below the threshold, else the scan's manipulation)"]
        let width = max(14, (confusion.rows.map(\.method.count) + [confusion.predicted.map(\.count).max() ?? 0]).max()! + 2)
        func cell(_ text: String) -> String { text.padding(toLength: width, withPad: " ", startingAt: 0) }
        lines.append(cell(confusion.column) + cell("family") + confusion.predicted.map(cell).joined())
        for row in confusion.rows {
            lines.append(cell(row.method) + cell(row.family ?? "—") + row.counts.map { cell(String($0)) }.joined())
        }
        let accuracy = confusion.accuracy.map { String(format: "%.4f", $0) } ?? "—"
        lines.append("multi-class accuracy \(accuracy) (\(confusion.correct) of \(confusion.counted) videos whose method has a family)")
        let fakes = confusion.fakeAccuracy.map { String(format: "%.4f", $0) } ?? "—"
        lines.append("  on the fakes alone \(fakes) (\(confusion.fakesCorrect) of \(confusion.fakesCounted) called by their family)")
        return lines
    }
}
