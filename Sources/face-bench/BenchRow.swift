import Foundation

/// One video's measurements.
struct BenchRow {
    var name: String
    var width = 0
    var height = 0
    var frames = 0
    /// Thread CPU milliseconds over all frames.
    var ours = 0.0
    var plain = 0.0
    var oursWithFace = 0
    var plainWithFace = 0
    var tracks = 0
    /// Indices of the sampled frames where ours kept no face.
    var oursMissed: [Int] = []

    static let header = "video                      size        frames  ours ms/frame  plain ms/frame  ours ms/video  plain ms/video  recall ours  recall plain  tracks\n(ms = CPU time of the detecting thread)"

    var oursPerFrame: Double { ours / Double(max(frames, 1)) }
    var plainPerFrame: Double { plain / Double(max(frames, 1)) }
    var oursRecall: Double { Double(oursWithFace) / Double(max(frames, 1)) }
    var plainRecall: Double { Double(plainWithFace) / Double(max(frames, 1)) }

    /// "720p" / "1080p" by the long side, else the size.
    var resolutionClass: String {
        switch max(width, height) {
        case 1280: return "720p"
        case 1920: return "1080p"
        default: return "other"
        }
    }

    var line: String {
        func pad(_ s: String, _ n: Int) -> String { s.padding(toLength: max(n, s.count), withPad: " ", startingAt: 0) }
        return pad(name, 27) + pad("\(width)x\(height)", 12) + pad("\(frames)", 8)
            + pad(fixed(oursPerFrame, 2), 15) + pad(fixed(plainPerFrame, 2), 16)
            + pad(fixed(ours, 1), 15) + pad(fixed(plain, 1), 16)
            + pad("\(oursWithFace)/\(frames)", 13) + pad("\(plainWithFace)/\(frames)", 14) + "\(tracks)"
            + (oursMissed.isEmpty ? "" : "  (ours: no face in frame \(oursMissed.map(String.init).joined(separator: ", ")))")
    }
}

/// Means per resolution class and over all videos.
struct BenchSummary {
    var rows: [BenchRow]

    func print() {
        Swift.print("\nsummary (mean of per-video CPU ms/frame; ratio = plain / ours)")
        let groups = ["720p", "1080p", "other"].map { c in (c, rows.filter { $0.resolutionClass == c }) } + [("all", rows)]
        for (name, group) in groups where !group.isEmpty {
            let ours = group.map(\.oursPerFrame).reduce(0, +) / Double(group.count)
            let plain = group.map(\.plainPerFrame).reduce(0, +) / Double(group.count)
            let oursRecall = Double(group.map(\.oursWithFace).reduce(0, +)) / Double(group.map(\.frames).reduce(0, +))
            let plainRecall = Double(group.map(\.plainWithFace).reduce(0, +)) / Double(group.map(\.frames).reduce(0, +))
            Swift.print("\(name.padding(toLength: 6, withPad: " ", startingAt: 0)) videos \(group.count): "
                + "ours \(fixed(ours, 2)) ms/frame, plain \(fixed(plain, 2)) ms/frame, ratio \(fixed(plain / max(ours, 1e-9), 2))×; "
                + "recall ours \(fixed(100 * oursRecall, 1)) %, plain \(fixed(100 * plainRecall, 1)) %")
        }
    }
}

func fixed(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }
