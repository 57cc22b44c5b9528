import ArgumentParser
import Foundation
import Scan
import VideoDecode

/// Which frames of a video are decoded: shared by `frames` and `scan`.
struct SamplingOptions: ParsableArguments {
    static let defaultFrameCount = ScanPipeline.defaultSampling.reportedFrameCount

    @Option(help: "Evenly spaced frames per video: indices round(linspace(0, n-1, N)) (default \(Self.defaultFrameCount)).")
    var frames: Int?

    @Option(help: "Instead of --frames: the frame on screen every 1/F seconds.")
    var fps: Double?

    @Flag(inversion: .prefixedNo,
          help: "Fast: the keyframe nearest each of the --frames N evenly spaced frames; only keyframes are decoded (approximate).")
    var keyframes = false

    @Option(name: .customLong("decode-threads"),
            help: "Decoder threads per video (default: the cores shared out among the videos run at once, \(ScanPipeline.minimumAutomaticDecodeThreads)…\(ScanPipeline.maximumAutomaticDecodeThreads)).")
    var decodeThreads: Int?

    /// `--decode-threads`, else the library's choice with the jobs (`ScanPipeline.automaticDecodeThreads`).
    func decodeThreadCount(jobs: Int, cores: Int = ProcessInfo.processInfo.activeProcessorCount) -> Int {
        decodeThreads ?? ScanPipeline.automaticDecodeThreads(jobs: jobs, cores: cores)
    }

    func validate() throws {
        if fps != nil && (frames != nil || keyframes) { throw ValidationError("--fps excludes --frames and --keyframes") }
        if let frames, !(1...100_000).contains(frames) { throw ValidationError("--frames must be 1…100000") }
        if let fps, !(fps > 0 && fps.isFinite) { throw ValidationError("--fps must be a positive number") }
        if let decodeThreads, !(1...64).contains(decodeThreads) { throw ValidationError("--decode-threads must be 1…64") }
    }

    var sampling: FrameSampling {
        if keyframes { return .nearestKeyframes(count: frames ?? Self.defaultFrameCount) }
        if let fps { return .everySeconds(1 / fps) }
        return .evenly(count: frames ?? Self.defaultFrameCount)
    }
}
