import ArgumentParser
import Aggregate
import Foundation
import Reports
import Scan

/// The options of `deepfake-scan scan` that are about the batch run (inputs, outputs,
/// resume, concurrency). Frame sampling (`SamplingOptions`) and the model's own options are
/// separate groups; the scan command combines them.
// The parser checks the value against the cases and lists them in --help and in its error.
extension Aggregator: ExpressibleByArgument {
    /// Case and surrounding blanks ignored, as the library's own parser does.
    public init?(argument: String) { try? self.init(parsing: argument) }
}
extension CSVLayout: ExpressibleByArgument {}
extension EnsembleRule.Method: ExpressibleByArgument {}

struct ScanArguments: ParsableArguments {
    @Argument(help: "Video files and directories.")
    var paths: [String] = []

    @Flag(name: .shortAndLong, help: "Descend into subdirectories.")
    var recursive = false

    @Option(name: .customLong("from-list"), help: "Read more paths from FILE, one per line ('#' starts a comment line).")
    var listFile: String?

    @Option(name: .customLong("ext"), help: "Extensions taken from directories (comma separated; default: common video types).")
    var extensions: String?

    @Flag(name: .customLong("include-hidden"), help: "Also take files and directories whose names start with '.'.")
    var includeHidden = false

    @Option(help: ArgumentHelp(
        "Take only the files found in folders whose path below the folder matches GLOB (repeatable; * ? [a-z] **; "
            + "a GLOB without '/' matches the file name). Files named explicitly are always taken.", valueName: "GLOB"))
    var include: [String] = []

    @Option(help: ArgumentHelp(
        "Leave out the files (and folders) found in folders whose path below the folder matches GLOB (repeatable; "
            + "as --include). Files named explicitly are always taken.", valueName: "GLOB"))
    var exclude: [String] = []

    @Option(help: ArgumentHelp(
        "A bundled model; repeat for several models in one pass (one decode, every model scores the same faces; "
            + "CSV columns p_fake.NAME, verdict.NAME). NAME@T: that model's threshold. With one --weights: the "
            + "architecture to load them as.", valueName: "NAME[@T]"))
    var model: [String] = []

    @Option(help: ArgumentHelp(
        "Detector weights (.safetensors with a model card; default: the bundled default model); repeatable like "
            + "--model, after whose models they come. FILE@T: its threshold.", valueName: "FILE[@T]"))
    var weights: [String] = []

    @Option(help: ArgumentHelp("With several models, the verdict of the contract's p_fake and verdict columns: mean (of the "
            + "models' p_fake); default: the first model's."))
    var ensemble: EnsembleRule.Method?

    @Option(name: .customLong("ensemble-threshold"),
            help: "p_fake at or above which the ensemble calls a video fake (default: the mean of the models' thresholds).")
    var ensembleThreshold: Double?

    @Option(help: "How a face track's frame scores combine.")
    var aggregator = Aggregator.default

    @Option(help: "p_fake at or above which a video is called fake (default: the model card's calibrated threshold, else 0.5).")
    var threshold: Double?

    @Option(help: "Write the verdicts to this CSV file (one row per video).")
    var csv: String

    @Option(help: "CSV layout: standard has every column, kaggle only filename,label.")
    var format = CSVLayout.standard

    @Option(help: "Also write one JSON line per scored face crop to this file.")
    var jsonl: String?

    @Option(name: .customLong("new-csv"), help: "Also write the rows not taken from the store (new tonight) to this CSV.")
    var newCSV: String?

    @Option(help: "Also write an HTML report (summary, sortable table, face pictures, per-frame plots) to this file.")
    var html: String?

    @Option(help: ArgumentHelp("Write PNG overlays of the manipulation masks of each video's most suspicious crops into DIR; the JSONL gets per-crop mask statistics (models with masks: classnseg).", valueName: "DIR"))
    var masks: String?

    @Option(help: ArgumentHelp("Write PNG overlays of each attention map over the aligned face of each video's \(ScanPipeline.overlaysPerVideo) most suspicious crops into DIR; the JSONL names them (models with attention maps: mat).", valueName: "DIR"))
    var attention: String?

    @OptionGroup var limits: RunLimits

    @Option(help: "Results store for resuming (default: the CSV path + .store.sqlite).")
    var store: String?

    @Flag(help: "Reuse finished videos from the store (the default).")
    var resume = false

    @Flag(help: "Forget this configuration's stored results and analyse everything again.")
    var rescan = false

    @Option(help: ArgumentHelp(
        "Scan only shard K of N (1 ≤ K ≤ N): the files whose path hashes to K. Give each shard its own --csv; "
            + "deepfake-scan merge puts them together.", valueName: "K/N"))
    var shard: String?

    func validate() throws {
        if paths.isEmpty && listFile == nil { throw ValidationError("give at least one path or --from-list FILE") }
        if resume && rescan { throw ValidationError("--resume and --rescan exclude each other") }
        if let threshold, !(0...1).contains(threshold) { throw ValidationError("--threshold must be within 0…1") }
        if modelCount > 1 && threshold != nil {
            throw ValidationError("--threshold is one model's: with several, give each its own as --model NAME@T")
        }
        if ensemble != nil && modelCount < 2 { throw ValidationError("--ensemble needs at least two models") }
        if let ensembleThreshold {
            if ensemble == nil { throw ValidationError("--ensemble-threshold needs --ensemble") }
            if !(0...1).contains(ensembleThreshold) { throw ValidationError("--ensemble-threshold must be within 0…1") }
        }
        if masks != nil && modelCount > 1 { throw ValidationError("--masks takes one model") }
        if let shard, (try? Shard(parsing: shard)) == nil { throw ValidationError("--shard must be K/N with 1 ≤ K ≤ N, e.g. 2/4") }
        if let extensions, DiscoveryOptions.parseExtensions(extensions).isEmpty {
            throw ValidationError("--ext needs at least one extension")
        }
        if jsonl == csv || store == csv || (store != nil && store == jsonl) {
            throw ValidationError("--csv, --jsonl and --store must be different files")
        }
    }

    /// How many models the run has: one `--model` with one `--weights` is one model.
    var modelCount: Int {
        model.count <= 1 && weights.count <= 1 ? 1 : model.count + weights.count
    }

    /// The files the run writes, each named by its option.
    var plannedOutputs: [PlannedOutput] {
        [PlannedOutput(option: "--csv", path: csv)]
            + (jsonl.map { [PlannedOutput(option: "--jsonl", path: $0)] } ?? [])
            + (newCSV.map { [PlannedOutput(option: "--new-csv", path: $0)] } ?? [])
            + (html.map { [PlannedOutput(option: "--html", path: $0)] } ?? [])
            + [PlannedOutput(option: store == nil ? "--store (default)" : "--store", path: storePath)]
            + (shard == nil ? [] : [PlannedOutput(option: "the shard manifest", path: ShardManifest.path(forCSV: csv))])
            + [PlannedOutput(option: "the store's lock", path: RunLock.path(for: storePath)),
               PlannedOutput(option: "the CSV's lock", path: RunLock.path(for: csv))]
    }

    /// Refuses outputs that would replace an input (the videos found, the paths named, the
    /// list file), that are folders or unwritable, or that coincide, before any work starts.
    func checkOutputs() throws {
        let found = try Discovery(options: discoveryOptions).discover(paths: paths, fromList: listFile)
        try OutputPaths.check(plannedOutputs, inputs: paths + (listFile.map { [$0] } ?? []) + found.map(\.path))
    }

    /// One line per named folder that holds only subfolders while -r is off.
    var unsearchedFolderNotes: [String] {
        Discovery(options: discoveryOptions).foldersLeftUnsearched(paths: paths).map {
            "note: \($0.directory) holds no videos, only \($0.subfolders) subfolder\($0.subfolders == 1 ? "" : "s"), "
                + "which are searched with -r (--recursive)\n"
        }
    }

    private var discoveryOptions: DiscoveryOptions {
        var discovery = DiscoveryOptions(recursive: recursive, includeHidden: includeHidden)
        if let extensions { discovery.extensions = DiscoveryOptions.parseExtensions(extensions) }
        discovery.include = include.map(PathGlob.init)
        discovery.exclude = exclude.map(PathGlob.init)
        return discovery
    }

    private var storePath: String { store ?? ScanRequest.defaultStorePath(csvPath: csv) }

    /// The library request, given the settings that other option groups and the loaded model
    /// decide: the model's name for the CSV, the frame count, the threshold the model card
    /// calibrated, and further fingerprint fields.
    func request(model: String, frames: Int, cardThreshold: Double?, extra: [String: String] = [:]) throws -> ScanRequest {
        try request(members: [ModelMember(name: model, threshold: threshold ?? cardThreshold ?? 0.5)], frames: frames, extra: extra)
    }

    /// The same for the models loaded (`ScanPipeline.members`): one keeps the single-model
    /// configuration as it always was; several get their columns and the `--ensemble` rule.
    func request(members: [ModelMember], frames: Int, extra: [String: String] = [:]) throws -> ScanRequest {
        try request(configuration: RunConfiguration(members: members, ensemble: ensemble, ensembleThreshold: ensembleThreshold,
                                                    frames: frames, aggregator: aggregator, extra: extra))
    }

    /// The library request of this run with `configuration` (`ScanPipeline.configuration`).
    func request(configuration: RunConfiguration) throws -> ScanRequest {
        ScanRequest(
            paths: paths, listFile: listFile, discovery: discoveryOptions,
            options: ScanOptions(configuration: configuration, jobs: limits.jobCount, timeoutSeconds: limits.timeoutSeconds, rescan: rescan,
                                 masksDirectory: masks, attentionDirectory: attention),
            csvPath: csv, layout: format, jsonlPath: jsonl,
            storePath: storePath, shard: try shard.map(Shard.init(parsing:)), newCSVPath: newCSV)
    }
}
