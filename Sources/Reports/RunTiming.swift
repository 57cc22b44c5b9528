/// How long a run took and where the time went, for the end summary.
public struct RunTiming: Sendable, Equatable {
    /// Videos analysed in this run (not those reused from a results store).
    public var videosAnalysed: Int
    /// From the first video started to the last one finished.
    public var wallSeconds: Double
    /// Each stage's time summed over the analysed videos.
    public var stages: StageTimes

    public init(videosAnalysed: Int, wallSeconds: Double, stages: StageTimes) {
        self.videosAnalysed = videosAnalysed
        self.wallSeconds = wallSeconds
        self.stages = stages
    }

    public var videosPerMinute: Double? {
        wallSeconds > 0 ? Double(videosAnalysed) / wallSeconds * 60 : nil
    }

    /// Wall time over the slowest stage's total: 1 when everything else hid behind that stage.
    /// Below 1 when videos ran side by side (`--jobs`), since the totals add up all of them.
    public var wallOverSlowestStage: Double? {
        let slowest = stages.slowest.seconds
        return slowest > 0 ? wallSeconds / slowest : nil
    }

    /// Two summary lines: rate and overlap, then the stages.
    public var text: String {
        var time = "Time:     \(videosAnalysed) video\(videosAnalysed == 1 ? "" : "s") analysed in "
            + "\(NumberText.fixed(wallSeconds, digits: 1)) s"
        if let rate = videosPerMinute { time += " (\(NumberText.fixed(rate, digits: 1)) videos/min)" }
        if let ratio = wallOverSlowestStage {
            time += "; wall \(NumberText.fixed(ratio, digits: 2))× the slowest stage (\(stages.slowest.name))"
        }
        return time + "\nStages:   " + stages.text + " (summed over videos)\n"
    }
}
