import Foundation

/// An SVG line plot of one track's per-frame p_fake against frame time, with the threshold:
/// numbers only, so the template can place them as they are.
struct PlotView {
    static let width = 560.0, height = 150.0
    static let left = 34.0, right = 8.0, top = 8.0, bottom = 22.0

    var width = PlotView.width
    var height = PlotView.height
    var plotLeft = NumberText.fixed(PlotView.left, digits: 0)
    var plotRight = NumberText.fixed(PlotView.width - PlotView.right, digits: 0)
    var plotTop = NumberText.fixed(PlotView.top, digits: 0)
    var plotBottom = NumberText.fixed(PlotView.height - PlotView.bottom, digits: 0)
    var plotMiddle = NumberText.fixed(PlotView.y(0.5), digits: 1)
    var thresholdY: String
    var thresholdLabel: String
    var points: String
    var dots: [Dot]
    var ticks: [Tick]
    var label: String

    struct Dot { var x: String; var y: String; var title: String; var above: Bool }
    /// `end`: the last tick, whose label ends at its mark so that the unit stays inside the plot.
    struct Tick { var x: String; var text: String; var end = false }

    init(track: [FaceRow], threshold: Double, xMax: Double) {
        let positions = track.map { (x: Self.x($0.seconds, xMax), y: Self.y($0.pFake)) }
        points = positions.map { "\(NumberText.fixed($0.x, digits: 1)),\(NumberText.fixed($0.y, digits: 1))" }.joined(separator: " ")
        dots = zip(track, positions).map { face, position in
            Dot(x: NumberText.fixed(position.x, digits: 1), y: NumberText.fixed(position.y, digits: 1),
                title: "frame \(face.frameIndex), \(NumberText.fixed(face.seconds, digits: 2)) s: p_fake \(NumberText.fixed(face.pFake, digits: 3))",
                above: face.pFake >= threshold)
        }
        thresholdY = NumberText.fixed(Self.y(threshold), digits: 1)
        thresholdLabel = "threshold " + NumberText.shortest(threshold)
        let step = Self.tickStep(xMax)
        let digits = step < 1 ? (step < 0.1 ? 2 : 1) : 0
        ticks = stride(from: 0.0, through: xMax + step * 1e-9, by: step).map { seconds in
            Tick(x: NumberText.fixed(Self.x(seconds, xMax), digits: 1), text: NumberText.fixed(seconds, digits: digits))
        }
        ticks[ticks.count - 1].text += " s"
        ticks[ticks.count - 1].end = true
        label = "p_fake of track \(track.first?.track ?? 0) per frame against time, threshold \(NumberText.shortest(threshold))"
    }

    /// A round step (1, 2 or 5 times a power of ten) that gives 3 to 7 ticks over 0…xMax.
    static func tickStep(_ xMax: Double) -> Double {
        let rough = xMax / 5
        let power = pow(10, (log10(rough)).rounded(.down))
        let multiple = [1.0, 2, 5, 10].first { $0 * power >= rough * 0.75 } ?? 10
        return multiple * power
    }

    static func x(_ seconds: Double, _ xMax: Double) -> Double {
        left + (width - left - right) * min(max(seconds / xMax, 0), 1)
    }

    static func y(_ p: Double) -> Double {
        top + (height - top - bottom) * (1 - min(max(p, 0), 1))
    }
}
