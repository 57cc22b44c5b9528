import ArgumentParser
import FaceAlign
import Foundation
import Scan
import VideoDecode

/// `deepfake-scan scan`: one verdict row per video (decode → faces → model → aggregate).
struct ScanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Scan videos for face manipulation and write one verdict row per video.",
        discussion: """
        Exit codes: 0 run completed (fakes or not), 1 some videos errored (every row still written), \
        2 usage or configuration error, 3 interrupted (run the same command again to resume).
        """
    )

    @OptionGroup var arguments: ScanArguments
    @OptionGroup(title: "Frame sampling") var sampling: SamplingOptions
    @OptionGroup(title: "Faces") var faces: FaceOptions

    @Option(help: "Face crops scored together in one model call.")
    var batchSize = 32

    func validate() throws {
        if !(1...1024).contains(batchSize) { throw ValidationError("--batch-size must be 1…1024") }
    }

    func run() async throws {
        FFmpegLog.setLevel(.quiet)
        let scorer: DetectorPool
        let faceStage: FaceStage
        do {
            let weights = try ModelLocation.weights(explicit: arguments.weights)
            scorer = try DetectorPool(model: arguments.model, weights: weights)
            faceStage = try FaceStage(options: faces.alignOptions)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(EntryPoint.usageErrorCode)
        }
        let source = VideoFileSource(sampling: sampling.sampling, decodeThreads: sampling.decodeThreads)
        let analyzer = StagedAnalyzer(source: source, trackers: faceStage, scorer: scorer, batchSize: batchSize)
        let card = scorer.card
        let request = try arguments.request(
            model: card.name, frames: sampling.frameCountForReport, cardThreshold: card.threshold,
            extra: fingerprintFields(cardVersion: card.version, architecture: card.architecture))
        let code = await ScanExecution.run(request, analyzer: analyzer)
        if code != 0 { throw ExitCode(code) }
    }

    /// Settings beyond model, frames, aggregator and threshold that change a video's result.
    private func fingerprintFields(cardVersion: String, architecture: String) -> [String: String] {
        let align = faces.alignOptions
        return [
            "architecture": architecture, "model_version": cardVersion, "sampling": sampling.description,
            "detect_size": String(align.detectSize), "retry_size": String(align.retrySize ?? 0),
            "search_every": String(align.searchEvery), "margin": String(align.margin),
            "crop_size": String(align.cropSize), "min_size": String(align.minFaceSize),
            "score_floor": String(align.scoreFloor),
        ]
    }
}

extension SamplingOptions: CustomStringConvertible {
    /// The sampling mode as the results store's fingerprint writes it.
    var description: String {
        switch sampling {
        case let .evenly(count): return "evenly:\(count)"
        case let .everySeconds(interval): return "every:\(interval)s"
        case .keyframes: return "keyframes"
        }
    }

    /// The CSV's frames setting: the requested count, 0 for --fps / --keyframes.
    var frameCountForReport: Int {
        if case let .evenly(count) = sampling { return count }
        return 0
    }
}
