import Imaging

/// Which frames to decode.
public enum FrameSampling: Sendable, Equatable {
    /// `count` frames at indices round(linspace(0, n − 1, count)) in presentation order
    /// (all frames when the video has fewer).
    case evenly(count: Int)
    /// The frame on screen every `interval` seconds from the first frame (duplicates dropped).
    case everySeconds(Double)
    /// Keyframes only: fast, but spacing follows the encoder, so results are approximate.
    case keyframes
    /// The keyframe nearest each of `count` evenly spaced frames (duplicates dropped). Only
    /// keyframes are decoded, each on its own, so a video costs at most `count` pictures
    /// however far apart its keyframes are; approximate like `keyframes`.
    case nearestKeyframes(count: Int)

    /// Frame indices to deliver, ascending and unique, for a video of `table`'s frames.
    func targets(in table: FrameTable, secondsPerTick: Double) -> [Int] {
        let frameCount = table.count
        guard frameCount > 0 else { return [] }
        switch self {
        case let .evenly(count):
            guard count > 0 else { return [] }
            if count == 1 { return [0] }
            let step = Double(frameCount - 1) / Double(count - 1)
            let indices = (0..<count).map { Int((Double($0) * step).rounded()) }
            return Array(Set(indices)).sorted()
        case let .everySeconds(interval):
            guard interval > 0, secondsPerTick > 0 else { return [] }
            let first = table.presentationTimes[0]
            let last = table.presentationTimes[frameCount - 1]
            let ticksPerStep = interval / secondsPerTick
            // In floating point: hostile timestamps span up to 2^64 ticks.
            let span = Double(last) - Double(first)
            var indices: [Int] = []
            var step = 0.0
            while true {
                let offset = step == 0 ? 0 : (step * ticksPerStep).rounded()  // 0 × ∞ would be NaN
                guard offset <= span else { break }  // also ends on NaN
                let time = Int64(exactly: offset).flatMap { first.addingReportingOverflow($0).overflow ? nil : first + $0 } ?? last
                let index = table.index(atOrBefore: time)
                if indices.last != index { indices.append(index) }
                guard index + 1 < frameCount else { break }
                // Skip the steps that land on this frame again (a few seconds of frames may
                // claim a span of centuries): the first step that can reach the next frame,
                // less one for rounding.
                let next = Double(table.presentationTimes[index + 1]) - Double(first)
                step = max(step + 1, ((next - 0.5) / ticksPerStep).rounded(.up) - 1)
            }
            return indices
        case .keyframes:
            return table.keyframeIndices
        case let .nearestKeyframes(count):
            let nearest = Self.evenly(count: count).targets(in: table, secondsPerTick: secondsPerTick)
                .compactMap(table.keyframe(nearest:))
            return Array(Set(nearest)).sorted()
        }
    }

    /// Keyframe sampling does not land where a user would choose frames.
    var isApproximate: Bool { decodesKeyframesOnly }

    /// Sampled by decoding keyframe packets alone.
    var decodesKeyframesOnly: Bool {
        switch self {
        case .keyframes, .nearestKeyframes: return true
        case .evenly, .everySeconds: return false
        }
    }
}

/// How the sampler reaches the frames it needs.
public enum SeekPolicy: Sendable, Equatable {
    /// Decode forward; seek only when the next target's keyframe lies ahead of everything
    /// already sent to the decoder. No frame is decoded twice.
    case gopAware
    /// Seek to each target's keyframe and decode up to it, whatever came before.
    /// Wasteful; kept as the naive baseline of the benchmark.
    case seekPerFrame
}

/// How a sampling run ended.
public struct SamplingOutcome: Sendable, Equatable {
    /// Frames handed to the callback.
    public var framesDelivered: Int
    /// Frames the sampling asked for.
    public var framesRequested: Int
    /// Pictures the decoder produced on the way (delivered or not): the work done.
    public var framesDecoded: Int
    /// The first problem met; frames before it were still delivered.
    public var error: VideoDecodeError?
    /// True for keyframe sampling, whose frames are not where the user would have chosen.
    public var approximate: Bool

    /// Every requested frame was delivered without a decoding problem.
    public var succeeded: Bool { error == nil && framesDelivered == framesRequested }

    public init(framesDelivered: Int, framesRequested: Int, framesDecoded: Int, error: VideoDecodeError?,
                approximate: Bool) {
        self.framesDelivered = framesDelivered
        self.framesRequested = framesRequested
        self.framesDecoded = framesDecoded
        self.error = error
        self.approximate = approximate
    }
}
