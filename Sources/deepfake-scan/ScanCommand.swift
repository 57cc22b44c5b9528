import ArgumentParser
import Detectors
import Foundation
import Reports
import Scan
import VideoDecode

/// `deepfake-scan scan`: one verdict row per video (decode → faces → model → aggregate).
struct ScanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Scan videos for face manipulation and write one verdict row per video.",
        discussion: """
        Exit codes: 0 run completed (fakes or not), 1 some videos errored (every row still written), \
        2 usage or configuration error, 3 interrupted (run the same command again to resume), \
        4 another run is writing the same outputs (nothing done).
        """
    )

    @OptionGroup var arguments: ScanArguments
    @OptionGroup(title: "Frame sampling") var sampling: SamplingOptions
    @OptionGroup(title: "Faces") var faces: FaceOptions
    @OptionGroup(title: "Logs") var logs: LogOptions

    @Option(help: "Face crops scored together in one model call.")
    var batchSize = 32

    func validate() throws {
        if !(1...1024).contains(batchSize) { throw ValidationError("--batch-size must be 1…1024") }
    }

    func run() async throws {
        var pipeline: ScanPipeline
        do {
            try arguments.checkOutputs()
            arguments.unsearchedFolderNotes.forEach { FileHandle.standardError.write(Data($0.utf8)) }
            let models = try ModelLocation.chooseAll(models: arguments.model, weights: arguments.weights)
            pipeline = try ScanPipeline(models: models, sampling: sampling, faces: faces, batchSize: batchSize,
                                        jobs: arguments.limits.jobCount)
            if arguments.attention != nil && arguments.masks != nil {
                throw ValidationError("--attention and --masks cannot be combined")
            }
            if let masks = arguments.masks {
                guard pipeline.makesMasks else {
                    throw ValidationError("--masks: \(pipeline.card.name) (\(pipeline.card.architecture)) makes no masks; "
                                          + "use a classnseg model")
                }
                try FileManager.default.createDirectory(atPath: masks, withIntermediateDirectories: true)
                pipeline.keepMasks()
            }
            if let attention = arguments.attention {
                guard pipeline.makesAttention else {
                    throw ValidationError("--attention: \(pipeline.card.name) (\(pipeline.card.architecture)) gives no "
                                          + "attention maps; use a mat model")
                }
                try FileManager.default.createDirectory(atPath: attention, withIntermediateDirectories: true)
                pipeline.keepAttention()
            }
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(EntryPoint.usageErrorCode)
        }
        var request = try arguments.request(configuration: pipeline.configuration(
            aggregator: arguments.aggregator, threshold: arguments.threshold, ensemble: arguments.ensemble,
            ensembleThreshold: arguments.ensembleThreshold))
        request.html = arguments.html.map {
            HTMLReportJob(path: $0, run: HTMLReportRun(title: Report.title(csv: arguments.csv), source: arguments.csv),
                          thumbnails: FaceThumbnails(options: faces.alignOptions, masksDirectory: arguments.masks,
                                                     attentionDirectory: arguments.attention),
                          jobs: arguments.limits.jobCount)
        }
        let code = await ScanExecution.run(request, analyzer: pipeline.analyzer, progress: logs.progress)
        AbandonedAnalyses.settle(exitCode: code)
        if code != 0 { throw ExitCode(code) }
    }
}

extension SamplingOptions {
    /// The CSV's frames setting: the requested count, 0 for --fps / --keyframes.
    var frameCountForReport: Int { sampling.reportedFrameCount }
}
