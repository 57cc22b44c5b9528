import Foundation
import Reports

public enum ShardMergeError: Error, Equatable, CustomStringConvertible {
    /// The shards cannot be merged at all (mixed configurations, unreadable files …).
    case refused(String)

    public var description: String {
        switch self {
        case let .refused(reason): return reason
        }
    }
}

/// Merges the CSVs (and JSONLs) of `scan --shard K/N` runs into what one run over the whole
/// input would have written: the same header, the rows in discovery order, the face rows in
/// the order of their videos. Shards scanned with different settings are refused; a missing,
/// repeated or interrupted shard and a file with rows in two shards are reported as problems,
/// and the rows there are still merged.
public enum ShardMerge {
    public struct Outcome: Sendable, Equatable {
        public var rows: Int
        /// One line each: what is missing or doubled. Empty when the merge is complete.
        public var problems: [String]
    }

    private struct Part {
        var csvPath: String
        var manifest: ShardManifest
        var header: [String]
        var records: [[String]]
    }

    public static func merge(shardCSVs: [String], intoCSV outputCSV: String, jsonl outputJSONL: String? = nil) throws -> Outcome {
        guard !shardCSVs.isEmpty else { throw ShardMergeError.refused("no shard CSV given") }
        let parts = try shardCSVs.map(readPart)
        try checkSameRun(parts)
        var problems = coverageProblems(parts)

        // Rows by position among all discovered files; a path already taken is a duplicate.
        var seen: [PathKey: Int] = [:]
        var merged: [(position: Int, record: [String])] = []
        var shardsTaken = Set<Int>()
        for (partIndex, part) in parts.enumerated() where shardsTaken.insert(part.manifest.shard.index).inserted {
            for (record, position) in zip(part.records, part.manifest.order) {
                // Kaggle rows name only the file, not its folder: two rows may share it rightly.
                let path = PathKey(record.first ?? "")
                if part.header.first == "path", let first = seen[path] {
                    problems.append("\(path.path) has a row in both \(parts[first].csvPath) and \(part.csvPath); the first is kept")
                    continue
                }
                seen[path] = partIndex
                merged.append((position, record))
            }
        }
        merged.sort { a, b in
            a.position != b.position ? a.position < b.position
                : Array(a.record[0].utf8).lexicographicallyPrecedes(Array(b.record[0].utf8))
        }
        let rows = merged.map(\.record)
        if let outputJSONL { try mergeJSONL(parts, order: rows.map { $0[0] }, keptFrom: seen, into: outputJSONL) }
        try AtomicFile.write(Data(CSV.document(header: parts[0].header, rows: rows).utf8), to: URL(fileURLWithPath: outputCSV))
        return Outcome(rows: rows.count, problems: problems)
    }

    private static func readPart(_ csvPath: String) throws -> Part {
        let manifest = try ShardManifest.read(forCSV: csvPath)
        guard manifest.shard.count >= 1, (1...manifest.shard.count).contains(manifest.shard.index) else {
            throw ShardMergeError.refused("\(ShardManifest.path(forCSV: csvPath)): bad shard \(manifest.shard)")
        }
        guard let data = FileManager.default.contents(atPath: csvPath) else {
            throw ShardMergeError.refused("cannot read \(csvPath)")
        }
        let records: [[String]]
        do { records = try CSV.parse(String(decoding: data, as: UTF8.self)) } catch {
            throw ShardMergeError.refused("\(csvPath): \(error)")
        }
        guard let header = records.first else { throw ShardMergeError.refused("\(csvPath) is empty") }
        let rows = Array(records.dropFirst())
        guard rows.count == manifest.order.count, rows.allSatisfy({ $0.count == header.count }) else {
            throw ShardMergeError.refused(
                "\(csvPath) has \(rows.count) rows but its manifest lists \(manifest.order.count): it changed after its run")
        }
        return Part(csvPath: csvPath, manifest: manifest, header: header, records: rows)
    }

    /// Every shard must come from the same settings and split, or the merged file would mix verdicts.
    private static func checkSameRun(_ parts: [Part]) throws {
        let first = parts[0]
        for part in parts.dropFirst() {
            func refuse(_ what: String, _ a: String, _ b: String) -> ShardMergeError {
                .refused("mixed \(what): \(first.csvPath) has \(a), \(part.csvPath) has \(b)")
            }
            // Said apart from other settings: a shard run with a model more or less is the likely mistake.
            let models = (modelSet(first.manifest.configuration), modelSet(part.manifest.configuration))
            if models.0 != models.1 {
                throw refuse("model sets", models.0.joined(separator: ", "), models.1.joined(separator: ", "))
            }
            if part.manifest.configuration != first.manifest.configuration {
                throw refuse("configurations", first.manifest.configuration, part.manifest.configuration)
            }
            if part.manifest.shard.count != first.manifest.shard.count {
                throw refuse("splits", "\(first.manifest.shard.count) shards", "\(part.manifest.shard.count)")
            }
            if part.manifest.layout != first.manifest.layout || part.header != first.header {
                throw refuse("CSV layouts", first.manifest.layout, part.manifest.layout)
            }
        }
    }

    /// The models of a configuration fingerprint (`models=a@0.5,b@0.6` with several, else `model=a`).
    static func modelSet(_ fingerprint: String) -> [String] {
        let fields = fingerprint.split(separator: ";").map(String.init)
        if let several = fields.first(where: { $0.hasPrefix("models=") }) {
            return several.dropFirst("models=".count).split(separator: ",").map { member in
                String(member[..<(member.lastIndex(of: "@") ?? member.endIndex)])
            }
        }
        return fields.first { $0.hasPrefix("model=") }.map { [String($0.dropFirst("model=".count))] } ?? []
    }

    /// Shards missing, given twice or interrupted, and trees that changed between shard runs.
    private static func coverageProblems(_ parts: [Part]) -> [String] {
        var problems: [String] = []
        let count = parts[0].manifest.shard.count
        var byIndex: [Int: String] = [:]
        for part in parts {
            let shard = part.manifest.shard
            if let other = byIndex[shard.index] {
                problems.append("shard \(shard) is given twice (\(other), \(part.csvPath))")
            }
            byIndex[shard.index] = byIndex[shard.index] ?? part.csvPath
            if !part.manifest.complete {
                problems.append("shard \(shard) (\(part.csvPath)) was interrupted: run it again to finish it")
            }
        }
        let missing = (1...count).filter { byIndex[$0] == nil }
        if !missing.isEmpty {
            problems.append("missing shard\(missing.count == 1 ? "" : "s") "
                + missing.map { "\($0)/\(count)" }.joined(separator: ", ") + ": their files have no rows")
        }
        let trees = Set(parts.map(\.manifest.discovered))
        if trees.count > 1 {
            problems.append("the shards found different numbers of files (\(trees.sorted().map(String.init).joined(separator: ", "))): "
                + "the input changed between their runs, so files may be missing or doubled")
        } else if Set(parts.compactMap(\.manifest.discoveredDigest)).count > 1 {
            problems.append("the shards found different files (other inputs, --include/--exclude, or another order): "
                + "files may be missing or doubled")
        } else if missing.isEmpty, problems.isEmpty, let total = trees.first {
            let rows = parts.reduce(0) { $0 + $1.records.count }
            if rows != total { problems.append("\(total) files were found but the shards hold \(rows) rows") }
        }
        return problems
    }

    /// Face rows of each merged video, videos in the merged CSV's order, lines as written; a
    /// video with rows in two shards takes its face rows from the shard whose row was kept.
    private static func mergeJSONL(_ parts: [Part], order: [String], keptFrom: [PathKey: Int], into output: String) throws {
        guard parts[0].manifest.layout == CSVLayout.standard.rawValue else {
            throw ShardMergeError.refused("--jsonl needs shards written in the standard CSV layout")
        }
        var lines: [PathKey: [Substring]] = [:]
        for (partIndex, part) in parts.enumerated() {
            guard let path = part.manifest.jsonl else {
                throw ShardMergeError.refused("\(part.csvPath) was scanned without --jsonl: there are no face rows to merge")
            }
            // Merged on another machine, the JSONL may sit beside its CSV under another root.
            let beside = URL(fileURLWithPath: part.csvPath).deletingLastPathComponent()
                .appendingPathComponent(URL(fileURLWithPath: path).lastPathComponent).path
            guard let data = FileManager.default.contents(atPath: path) ?? FileManager.default.contents(atPath: beside) else {
                throw ShardMergeError.refused("cannot read \(path), the JSONL of \(part.csvPath)")
            }
            let text = String(decoding: data, as: UTF8.self)
            for line in text.split(separator: "\n") {
                struct Video: Decodable { var video: String }
                guard let row = try? JSONDecoder().decode(Video.self, from: Data(line.utf8)) else {
                    throw ShardMergeError.refused("\(path): a line that is not a face row")
                }
                let video = PathKey(row.video)
                if keptFrom[video] == partIndex { lines[video, default: []].append(line) }
            }
        }
        var text = ""
        var written = Set<PathKey>()
        for path in order.map(PathKey.init) where written.insert(path).inserted {
            for line in lines[path] ?? [] { text += line + "\n" }
        }
        try AtomicFile.write(Data(text.utf8), to: URL(fileURLWithPath: output))
    }
}
