import Foundation
import Reports

/// Everything one `deepfake-scan scan` invocation asks for, already validated by the CLI.
public struct ScanRequest: Sendable {
    public var paths: [String]
    public var listFile: String?
    public var discovery: DiscoveryOptions
    public var options: ScanOptions
    public var csvPath: String
    public var layout: CSVLayout
    public var jsonlPath: String?
    /// The results store; nil keeps results only in memory (nothing to resume).
    public var storePath: String?
    /// Only the files of this shard are scanned, and a manifest for `merge` goes beside the CSV.
    public var shard: Shard?
    /// A second CSV with only the rows not taken from the store ("new tonight").
    public var newCSVPath: String?
    /// Also write the HTML report (`scan --html`).
    public var html: HTMLReportJob?

    public init(
        paths: [String], listFile: String? = nil, discovery: DiscoveryOptions = DiscoveryOptions(),
        options: ScanOptions, csvPath: String, layout: CSVLayout = .standard, jsonlPath: String? = nil,
        storePath: String? = nil, shard: Shard? = nil, newCSVPath: String? = nil, html: HTMLReportJob? = nil
    ) {
        self.paths = paths
        self.listFile = listFile
        self.discovery = discovery
        self.options = options
        self.csvPath = csvPath
        self.layout = layout
        self.jsonlPath = jsonlPath
        self.storePath = storePath
        self.shard = shard
        self.newCSVPath = newCSVPath
        self.html = html
    }

    /// Where the store goes when the user names none: beside the CSV.
    public static func defaultStorePath(csvPath: String) -> String { csvPath + ".store.sqlite" }
}

/// One whole scan: discover, analyse (resuming from the store), write the CSV and JSONL.
///
/// Errors it throws are configuration or output problems (exit code 2); problems with
/// single videos are rows, and `ScanResult.outcome` gives the exit code of a finished run.
/// The CSV is written on interruption too, with the rows finished so far.
public struct ScanJob<Analyzer: VideoAnalyzer>: Sendable {
    public var request: ScanRequest
    public var analyzer: Analyzer

    public init(request: ScanRequest, analyzer: Analyzer) {
        self.request = request
        self.analyzer = analyzer
    }

    public func run(stop: StopSignal = StopSignal(), progress: (any ScanProgress)? = nil) async throws -> ScanResult {
        let discovered = try Discovery(options: request.discovery).discover(paths: request.paths, fromList: request.listFile)
        let items = request.shard.map { shard in discovered.filter { shard.contains(path: $0.path) } } ?? discovered
        let store = try request.storePath.map { try ResultStore(path: $0) }
        // Held until the outputs are written: a second run on the same outputs stops at once,
        // whether it shares the store or only the CSV.
        let lock = try RunLock(path: RunLock.path(for: request.storePath ?? request.csvPath))
        let csvLock = request.storePath == nil ? nil : try RunLock(path: RunLock.path(for: request.csvPath))
        defer { withExtendedLifetime((lock, csvLock)) {} }
        let storeWarning = store?.damageWarning
        if let storeWarning { progress?.warning(storeWarning) }
        var options = request.options
        // With a store the faces are streamed back from it at the end instead of being held.
        options.collectFaces = store == nil && (request.jsonlPath != nil || request.html != nil)
        let runner = ScanRunner(analyzer: analyzer, store: store, options: options, progress: progress)
        var result = try await runner.run(items, stop: stop)
        if let storeWarning { result.warnings.insert(storeWarning, at: 0) }
        let models = options.configuration.columnModels
        let manipulation = options.configuration.manipulationClasses != nil
        try ReportWriter.writeCSV(result.rows, layout: request.layout, models: models, manipulation: manipulation,
                                  to: URL(fileURLWithPath: request.csvPath))
        if let newCSVPath = request.newCSVPath {
            try ReportWriter.writeCSV(result.newRows, layout: request.layout, models: models, manipulation: manipulation,
                                      to: URL(fileURLWithPath: newCSVPath))
        }
        if let jsonlPath = request.jsonlPath {
            let url = URL(fileURLWithPath: jsonlPath)
            if let store {
                let fingerprint = options.configuration.fingerprint
                try ReportWriter.writeJSONL(to: url) { emit in
                    for row in result.rows where row.status == .ok {
                        try emit(try store.faces(path: row.path, configuration: fingerprint))
                    }
                }
            } else {
                try ReportWriter.writeJSONL(result.faces, to: url)
            }
        }
        if var html = request.html {
            html.run.timing = result.analysed > 0 ? result.timing : nil
            let fingerprint = options.configuration.fingerprint
            let byPath = Dictionary(grouping: result.faces, by: \.video)
            try await html.write(rows: result.rows) { path in
                try store?.faces(path: path, configuration: fingerprint) ?? byPath[path] ?? []
            }
        }
        if let shard = request.shard { try writeManifest(shard, discovered: discovered, result: result) }
        return result
    }

    /// The shard's manifest: each row's place among all files found, so `merge` restores one
    /// run's order; written last, so a manifest never describes rows that are not there.
    private func writeManifest(_ shard: Shard, discovered: [DiscoveredItem], result: ScanResult) throws {
        var position: [PathKey: Int] = [:]
        for (index, item) in discovered.enumerated() { position[PathKey(item.path)] = index }
        let manifest = ShardManifest(
            shard: shard, configuration: request.options.configuration.fingerprint, layout: request.layout.rawValue,
            discovered: discovered.count, discoveredDigest: ShardManifest.digest(of: discovered),
            complete: result.outcome != .interrupted,
            jsonl: request.jsonlPath.map { URL(fileURLWithPath: $0).standardizedFileURL.path },
            order: result.rows.map { position[PathKey($0.path)] ?? discovered.count })
        try manifest.write(forCSV: request.csvPath)
    }
}
