import ArgumentParser
import Detectors
import Evaluation
import Foundation
import Reports
import Scan
import VideoDecode

extension NoFacePolicy: ExpressibleByArgument {}

/// `deepfake-scan eval`: labelled videos scored against their labels, with the field's metrics;
/// either the scores of an earlier scan (`--scores`) or a scan run now (`--model`, `--weights`
/// or the default model), optionally again on degraded frames (`--perturb`).
struct Eval: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate scores against labels: AUC, AP, log loss, EER, accuracy, per category.",
        discussion: """
            LABELS is a TSV or CSV with a header: a path column (path, filename, file or video), \
            label (real/fake or 0/1) and optional category columns such as method or dataset. \
            With --scores SCAN.csv an earlier scan is evaluated. Without it the labelled videos \
            (paths relative to the labels file's folder) are scanned now with --model NAME, \
            --weights FILE or the default model, and --perturb SPEC scans them a second time \
            with degraded frames and reports the AUC drop. Label paths are matched to the \
            scan's paths exactly, else by their longest unique common ending; unmatched paths \
            are listed. With --mask-truth the paths are aligned face crops (images) with a mask \
            column naming each one's ground-truth mask (white = manipulated; empty for a real: \
            none), scored whole by a masking model (classnseg): the report adds the masks' pixel \
            accuracy and IoU on the fakes and the area flagged on the reals. Exit codes: 0 done, \
            1 some videos errored (counted per --no-face), 2 usage or input error, 3 interrupted.
            """)

    @Argument(help: "Labels file (TSV or CSV).")
    var labels: String

    @Option(help: ArgumentHelp("An earlier scan's CSV (or Kaggle filename,label CSV) with the scores.", valueName: "SCAN.csv"))
    var scores: String?

    @Option(name: .customLong("faces"),
            help: ArgumentHelp("With --scores: that scan's JSONL (one line per face crop) for frame-level metrics.",
                               valueName: "FACES.jsonl"))
    var facesFile: String?

    @Option(help: "Threshold for accuracy and the confusion matrix (default: the scan's threshold, else 0.5).")
    var threshold: Double?

    @Option(help: "Videos without a score (no_face, error): half = count them as p_fake 0.5, exclude = leave them out.")
    var noFace: NoFacePolicy = .half

    @Option(help: "Labels column to break the metrics down by (repeatable; default: method when present).")
    var by: [String] = []

    @Option(help: ArgumentHelp(
        "Resamples for a 95 % percentile bootstrap interval of the video AUC and each category's (stratified by class; 0: none).",
        valueName: "N"))
    var bootstrap = 0

    @Option(help: "Seed of the bootstrap's resampling (the same seed gives the same interval).")
    var seed: UInt64 = 0

    @Option(help: ArgumentHelp(
        "Another model's scan CSV of the same videos: the video AUC difference (these scores − those) on the videos "
            + "both score, with a paired bootstrap interval when --bootstrap N is given.",
        valueName: "SCAN.csv"))
    var compare: String?

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Flag(help: ArgumentHelp(
        "LABELS lists aligned face crops with a mask column (ground-truth masks): score each whole with a masking "
            + "model and report mask pixel accuracy and IoU; --csv keeps a row per image."))
    var maskTruth = false

    @OptionGroup(title: "Scanning the labelled videos (without --scores)") var scan: EvalScanOptions
    @OptionGroup(title: "Frame sampling") var sampling: SamplingOptions
    @OptionGroup(title: "Faces") var faces: FaceOptions

    func validate() throws {
        if let threshold, !(0...1).contains(threshold) { throw ValidationError("--threshold must be within 0…1") }
        if !(0...100_000).contains(bootstrap) { throw ValidationError("--bootstrap must be 0…100000") }
        if by.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            throw ValidationError("--by needs a column name")
        }
        if maskTruth {
            let videoOnly = scores != nil || facesFile != nil || scan.perturb != nil || compare != nil || sampling.frames != nil
                || sampling.fps != nil || sampling.keyframes
            if videoOnly {
                throw ValidationError("--mask-truth scores still images: --scores, --faces, --perturb, --compare and "
                    + "frame sampling are for videos")
            }
        } else if scores != nil {
            let scanning = [scan.model, scan.weights, scan.perturb, scan.csv].contains { $0 != nil }
                || sampling.frames != nil || sampling.fps != nil || sampling.keyframes
            if scanning {
                throw ValidationError("--scores evaluates an earlier scan: --model, --weights, --perturb, --csv and "
                    + "frame sampling are for scanning the labelled videos now")
            }
        } else if facesFile != nil {
            throw ValidationError("--faces goes with --scores (a scan run by eval uses its own face rows)")
        }
    }

    func run() async throws {
        let code = await execute()
        AbandonedAnalyses.settle(exitCode: code)
        if code != 0 { throw ExitCode(code) }
    }

    /// Reads or scans, evaluates, prints; returns the exit code.
    func execute(
        progress: (any ScanProgress)? = StandardErrorProgress(), catalog: () -> ModelCatalog = { .bundled },
        print output: (String) -> Void = { Swift.print($0, terminator: "") },
        printError: (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }
    ) async -> Int32 {
        do {
            let table = try LabelTable.read(path: labels)
            if maskTruth { return try evaluateMasks(table, catalog: catalog, print: output) }
            guard let scores else {
                return try await scanAndEvaluate(table, progress: progress, catalog: catalog, print: output, printError: printError)
            }
            let videos = try VideoScore.readCSV(path: scores)
            let report = try evaluator(table).evaluate(videos: videos, faces: try facesFile.map(FaceRows.read),
                                                       against: try comparedScores())
            output(json ? try report.json() : report.text)
            return 0
        } catch {
            printError("error: \(error)\n")
            return EntryPoint.usageErrorCode
        }
    }

    /// The scores `--compare` names, read before any scanning so a bad path fails at once.
    func comparedScores() throws -> ComparedScores? {
        try compare.map { ComparedScores(name: $0, videos: try VideoScore.readCSV(path: $0)) }
    }

    func evaluator(_ table: LabelTable) -> Evaluator {
        Evaluator(labels: table, options: EvaluationOptions(
            threshold: threshold, noFace: noFace, categoryColumns: by.isEmpty ? nil : by,
            bootstrapResamples: bootstrap, bootstrapSeed: seed))
    }
}

/// The options of `eval` that only matter when it scans the labelled videos itself.
struct EvalScanOptions: ParsableArguments {
    @Option(help: "Bundled model (card name, or architecture when one bundled model has it); with --weights: the architecture to load them as.")
    var model: String?

    @Option(help: "Detector weights (.safetensors with a model card).")
    var weights: String?

    @Option(help: ArgumentHelp(
        "Also scan with each decoded frame degraded, in the order given, and report the AUC drop: "
            + "jpeg:QUALITY (1–100), blur:SIGMA (px), resize:FACTOR (down then up, 0–1), noise:STD (0–1 of the range).",
        valueName: "jpeg:40,blur:1.5,resize:0.5,noise:0.03"))
    var perturb: String?

    @Option(help: "Keep the scan's CSV here (and its face rows beside it as .faces.jsonl; the perturbed scan as .perturbed.csv). Default: a temporary folder, removed afterwards.")
    var csv: String?

    @OptionGroup var limits: RunLimits

    @Option(help: "Face crops scored together in one model call.")
    var batchSize = 32

    func validate() throws {
        if let perturb {
            do { _ = try FramePerturbation.parseList(perturb) } catch { throw ValidationError("--perturb: \(error)") }
        }
        if !(1...1024).contains(batchSize) { throw ValidationError("--batch-size must be 1…1024") }
    }

    var perturbations: [FramePerturbation]? {
        perturb.flatMap { try? FramePerturbation.parseList($0) }
    }
}
