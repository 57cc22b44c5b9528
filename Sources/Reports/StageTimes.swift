/// Seconds spent in each stage of the pipeline, for one video or summed over a run.
///
/// Stages overlap (decoding runs on its own thread while faces and the model work on earlier
/// frames), so the parts add up to more than the wall time when the overlap works; comparing
/// the wall time with the slowest stage shows how well it does.
public struct StageTimes: Sendable, Equatable {
    /// Opening, probing, decoding and converting the sampled frames to RGB.
    public var decodeSeconds: Double
    /// Face detection, alignment and tracking.
    public var facesSeconds: Double
    /// The detector model on the face crops.
    public var modelSeconds: Double
    /// Everything else on the video's critical path: setting up, aggregating, storing.
    public var otherSeconds: Double

    public init(decodeSeconds: Double = 0, facesSeconds: Double = 0, modelSeconds: Double = 0, otherSeconds: Double = 0) {
        self.decodeSeconds = decodeSeconds
        self.facesSeconds = facesSeconds
        self.modelSeconds = modelSeconds
        self.otherSeconds = otherSeconds
    }

    /// The stages with their names, in pipeline order.
    public var named: [(name: String, seconds: Double)] {
        [("decode", decodeSeconds), ("faces", facesSeconds), ("model", modelSeconds), ("other", otherSeconds)]
    }

    /// The sum of all stages (more than the wall time when they overlapped).
    public var totalSeconds: Double { decodeSeconds + facesSeconds + modelSeconds + otherSeconds }

    /// The stage with the largest total; the floor of the wall time for a perfect overlap.
    public var slowest: (name: String, seconds: Double) {
        named.max { $0.seconds < $1.seconds }!
    }

    public static func + (lhs: StageTimes, rhs: StageTimes) -> StageTimes {
        StageTimes(decodeSeconds: lhs.decodeSeconds + rhs.decodeSeconds, facesSeconds: lhs.facesSeconds + rhs.facesSeconds,
                   modelSeconds: lhs.modelSeconds + rhs.modelSeconds, otherSeconds: lhs.otherSeconds + rhs.otherSeconds)
    }

    public static func += (lhs: inout StageTimes, rhs: StageTimes) { lhs = lhs + rhs }

    /// `decode 10.7 s (31%), faces 21.7 s (63%), model 2.3 s (7%), other 0.1 s (0%)`: shares of
    /// the stages' sum.
    public var text: String {
        let total = totalSeconds
        return named.map { stage in
            let share = total > 0 ? Int((stage.seconds / total * 100).rounded()) : 0
            return "\(stage.name) \(NumberText.fixed(stage.seconds, digits: 1)) s (\(share)%)"
        }.joined(separator: ", ")
    }
}
