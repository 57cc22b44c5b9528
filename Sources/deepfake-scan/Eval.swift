import ArgumentParser
import Evaluation
import Foundation
import Reports

extension NoFacePolicy: ExpressibleByArgument {}

/// `deepfake-scan eval`: scores of an earlier scan against a labels file, with the field's metrics.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate scan scores against labels: AUC, AP, log loss, EER, accuracy, per category.",
        discussion: """
            LABELS is a TSV or CSV with a header: a path column (path, filename, file or video), \
            label (real/fake or 0/1) and optional category columns such as method or dataset. \
            Label paths are matched to the scan's paths exactly, else by their longest unique \
            common ending; unmatched paths are listed.
            """)

    @Argument(help: "Labels file (TSV or CSV).")
    var labels: String

    @Option(help: ArgumentHelp("Scan CSV (or Kaggle filename,label CSV) with the scores.", valueName: "SCAN.csv"))
    var scores: String

    @Option(help: ArgumentHelp("The scan's JSONL (one line per face crop) for frame-level metrics.", valueName: "FRAMES.jsonl"))
    var frames: String?

    @Option(help: "Threshold for accuracy and the confusion matrix (default: the scan CSV's threshold, else 0.5).")
    var threshold: Double?

    @Option(help: "Videos without a score (no_face, error): half = count them as p_fake 0.5, exclude = leave them out.")
    var noFace: NoFacePolicy = .half

    @Option(help: "Labels column to break the metrics down by (repeatable; default: method when present).")
    var by: [String] = []

    @Flag(help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        if let threshold, !(0...1).contains(threshold) { throw ValidationError("--threshold must be within 0…1") }
        if by.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            throw ValidationError("--by needs a column name")
        }
    }

    func run() throws {
        let code = execute()
        if code != 0 { throw ExitCode(code) }
    }

    /// Reads the inputs, evaluates, prints; returns the exit code (2 for an input it cannot use).
    func execute(
        print output: (String) -> Void = { Swift.print($0, terminator: "") },
        printError: (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }
    ) -> Int32 {
        do {
            output(try report())
            return 0
        } catch {
            printError("error: \(error)\n")
            return 2
        }
    }

    func report() throws -> String {
        let table = try LabelTable.read(path: labels)
        let videos = try VideoScore.readCSV(path: scores)
        let faces = try frames.map(FaceRows.read)
        let options = EvaluationOptions(threshold: threshold, noFace: noFace, categoryColumns: by.isEmpty ? nil : by)
        let report = try Evaluator(labels: table, options: options).evaluate(videos: videos, faces: faces)
        return json ? try report.json() : report.text
    }
}
