import Aggregate
import Detectors
import Evaluation
import Foundation
import Reports
import Scan
import VideoDecode

/// `eval` without `--scores`: scan the labelled videos with the normal pipeline, then evaluate
/// exactly as an earlier scan's CSV would be; with `--perturb`, once more on degraded frames.
extension Eval {
    func scanAndEvaluate(
        _ table: LabelTable, progress: (any ScanProgress)?, catalog: () -> ModelCatalog,
        print output: (String) -> Void, printError: (String) -> Void
    ) async throws -> Int32 {
        let paths = Self.videoPaths(table, labelsFile: labels)
        let against = try comparedScores()
        if let csv = scan.csv {
            let kept = EvalScanFiles(kept: csv)
            try OutputPaths.check(kept.planned(perturbed: scan.perturbations != nil), inputs: paths + [labels])
        }
        let pipeline = try ScanPipeline(weights: scan.weights, model: scan.model, sampling: sampling, faces: faces,
                                        batchSize: scan.batchSize, jobs: scan.limits.jobCount, catalog: catalog)
        let outputs = try EvalScanFiles(csv: scan.csv)
        defer { outputs.removeTemporary() }
        let stop = StopSignal()
        let watcher = SignalWatcher(stop: stop)
        defer { watcher.cancel() }

        let clean = try await scanOnce(pipeline, paths: paths, files: outputs.files(perturbed: false), stop: stop, progress: progress)
        if clean.outcome == .interrupted { return interrupted(stop, printError) }
        let cleanReport = try evaluator(table).evaluate(videos: clean.rows.map(VideoScore.init), faces: clean.faces,
                                                        against: against)
        var errored = clean.rows.filter { $0.status == .error }.count
        guard let perturbations = scan.perturbations else {
            output(json ? try cleanReport.json() : cleanReport.text)
            return finished(errored: errored, printError)
        }
        let degraded = try await scanOnce(pipeline.perturbed(by: perturbations), paths: paths,
                                     files: outputs.files(perturbed: true), stop: stop, progress: progress)
        if degraded.outcome == .interrupted { return interrupted(stop, printError) }
        errored += degraded.rows.filter { $0.status == .error }.count
        let report = RobustnessReport(
            perturbation: perturbations.specification, clean: cleanReport,
            perturbed: try evaluator(table).evaluate(videos: degraded.rows.map(VideoScore.init), faces: degraded.faces))
        output(json ? try report.json() : report.text)
        return finished(errored: errored, printError)
    }

    /// One scan of `paths` (no results store: an evaluation always scans afresh).
    private func scanOnce(_ pipeline: ScanPipeline, paths: [String], files: (csv: String, jsonl: String),
                     stop: StopSignal, progress: (any ScanProgress)?) async throws -> ScanResult {
        var configuration = RunConfiguration(
            model: pipeline.card.name, frames: sampling.frameCountForReport, aggregator: .default,
            threshold: pipeline.card.threshold ?? 0.5, extra: pipeline.fingerprintFields)
        configuration.manipulationClasses = pipeline.manipulationClasses
        let request = ScanRequest(
            paths: paths, options: ScanOptions(configuration: configuration, jobs: scan.limits.jobCount,
                                               timeoutSeconds: scan.limits.timeoutSeconds),
            csvPath: files.csv, jsonlPath: files.jsonl, storePath: nil)
        return try await ScanJob(request: request, analyzer: pipeline.analyzer).run(stop: stop, progress: progress)
    }

    /// The labels' paths, those not absolute taken relative to the labels file's folder.
    static func videoPaths(_ table: LabelTable, labelsFile: String) -> [String] {
        let folder = URL(fileURLWithPath: labelsFile).deletingLastPathComponent()
        return table.videos.map { video in
            video.path.hasPrefix("/") ? video.path : folder.appendingPathComponent(video.path).standardizedFileURL.path
        }
    }

    private func interrupted(_ stop: StopSignal, _ printError: (String) -> Void) -> Int32 {
        printError("Interrupted (\(stop.requestReason ?? "cancelled")): no report.\n")
        return ScanOutcome.interrupted.exitCode
    }

    private func finished(errored: Int, _ printError: (String) -> Void) -> Int32 {
        guard errored > 0 else { return 0 }
        printError("note: \(errored) scan row(s) with status error (see the report's unscored videos)\n")
        return 1
    }
}

/// Where `eval` writes its scans: beside `--csv`, else in a temporary folder it removes.
struct EvalScanFiles {
    let csv: String
    let temporary: URL?

    /// The files of `--csv`.
    init(kept csv: String) {
        self.csv = csv
        temporary = nil
    }

    init(csv given: String?) throws {
        if let given {
            csv = given
            temporary = nil
        } else {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("deepfake-scan-eval-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            csv = folder.appendingPathComponent("scan.csv").path
            temporary = folder
        }
    }

    /// `out.csv` → (`out.csv`, `out.faces.jsonl`); perturbed: `out.perturbed.csv`, `out.perturbed.faces.jsonl`.
    func files(perturbed: Bool) -> (csv: String, jsonl: String) {
        let stem = csv.hasSuffix(".csv") ? String(csv.dropLast(4)) : csv
        let base = perturbed ? stem + ".perturbed" : stem
        return (perturbed ? base + ".csv" : csv, base + ".faces.jsonl")
    }

    /// The files a run with `--csv` writes, checked before it starts (`OutputPaths`).
    func planned(perturbed: Bool) -> [PlannedOutput] {
        let clean = files(perturbed: false)
        var planned = [PlannedOutput(option: "--csv", path: clean.csv),
                       PlannedOutput(option: "--csv (its face rows)", path: clean.jsonl)]
        if perturbed {
            let degraded = files(perturbed: true)
            planned += [PlannedOutput(option: "--csv (the perturbed scan)", path: degraded.csv),
                        PlannedOutput(option: "--csv (the perturbed face rows)", path: degraded.jsonl)]
        }
        return planned
    }

    func removeTemporary() {
        if let temporary { try? FileManager.default.removeItem(at: temporary) }
    }
}
