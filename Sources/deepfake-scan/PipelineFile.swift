import Foundation
import Yams

/// A pipeline file (YAML) turned into the `scan` command line it stands for. Every key is a
/// `scan` option, grouped by what it is about; `PipelineFile.keys` is the one table of them
/// (docs/pipelines.md lists it). Unknown sections or keys and values of the wrong type are
/// errors naming the file and line.
struct PipelineFile {
    enum Kind: String {
        case text, integer, number, flag, list
        /// A text, or a list of texts and `{name|file: …, threshold: T}` mappings: `--k` once per item.
        case models
    }

    struct Key {
        var name: String
        var kind: Kind
        var help: String
    }

    /// Section → keys. A key `k` becomes `--k VALUE`; a flag `--k` when true, nothing when false;
    /// a list `--k` once per item, but `paths` (the positional inputs) and `ext` (comma separated).
    static let keys: [(section: String, keys: [Key])] = [
        ("inputs", [
            Key(name: "paths", kind: .list, help: "video files and folders"),
            Key(name: "recursive", kind: .flag, help: "descend into subfolders"),
            Key(name: "from-list", kind: .text, help: "a file of more paths, one per line"),
            Key(name: "ext", kind: .list, help: "extensions taken from folders"),
            Key(name: "include-hidden", kind: .flag, help: "also names starting with '.'"),
            Key(name: "include", kind: .list, help: "globs: only files in folders whose relative path matches one"),
            Key(name: "exclude", kind: .list, help: "globs: files and folders left out of the folders scanned"),
        ]),
        ("sampling", [
            Key(name: "frames", kind: .integer, help: "evenly spaced frames per video"),
            Key(name: "fps", kind: .number, help: "instead: the frame on screen every 1/F s"),
            Key(name: "keyframes", kind: .flag, help: "fast: the keyframe nearest each of the frames positions"),
            Key(name: "decode-threads", kind: .integer, help: "FFmpeg decoding threads per video"),
        ]),
        ("faces", [
            Key(name: "detect-size", kind: .integer, help: "long side of the whole-frame search (px)"),
            Key(name: "retry-size", kind: .integer, help: "search again at this size when nothing is found (0 = never)"),
            Key(name: "search-every", kind: .integer, help: "whole-frame search every N sampled frames"),
            Key(name: "margin", kind: .number, help: "crop margin around the template box"),
            Key(name: "crop-size", kind: .integer, help: "side of the aligned crops (px)"),
            Key(name: "min-size", kind: .number, help: "smallest face kept (px)"),
            Key(name: "score-floor", kind: .number, help: "lowest face detection score kept"),
        ]),
        ("model", [
            Key(name: "model", kind: .models, help: "a bundled model's name (or an architecture for weights); a list for several models"),
            Key(name: "weights", kind: .models, help: "a .safetensors file with a model card; a list for several"),
            Key(name: "threshold", kind: .number, help: "p_fake at or above which a video is fake (one model)"),
            Key(name: "ensemble", kind: .text, help: "several models: mean, the contract's verdict from the mean p_fake"),
            Key(name: "ensemble-threshold", kind: .number, help: "the ensemble's threshold (default: mean of the models')"),
            Key(name: "aggregator", kind: .text, help: "mean, median, max, confident or vote"),
            Key(name: "batch-size", kind: .integer, help: "face crops per model call"),
        ]),
        ("outputs", [
            Key(name: "csv", kind: .text, help: "the verdict CSV (required)"),
            Key(name: "format", kind: .text, help: "standard or kaggle"),
            Key(name: "jsonl", kind: .text, help: "one JSON line per face crop"),
            Key(name: "new-csv", kind: .text, help: "only the rows not taken from the store (new tonight)"),
            Key(name: "html", kind: .text, help: "the HTML report: summary, table, face pictures, plots"),
            Key(name: "masks", kind: .text, help: "a folder for manipulation-mask overlays (ClassNSeg models)"),
            Key(name: "attention", kind: .text, help: "a folder for attention-map overlays (MAT)"),
            Key(name: "store", kind: .text, help: "the results store (default: beside the CSV)"),
        ]),
        ("run", [
            Key(name: "jobs", kind: .integer, help: "videos analysed at once"),
            Key(name: "timeout", kind: .number, help: "seconds before one video is given up (0 = never)"),
            Key(name: "resume", kind: .flag, help: "reuse finished videos from the store (the default)"),
            Key(name: "rescan", kind: .flag, help: "analyse everything again"),
            Key(name: "shard", kind: .text, help: "K/N: this shard of the input only"),
            Key(name: "log-format", kind: .text, help: "text (for people) or json (one object per line)"),
            Key(name: "log-level", kind: .text, help: "trace, debug, info, notice, warning, error or critical"),
        ]),
    ]

    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    /// The scan options, the input paths (kept apart: they go after `--`, so a name that starts
    /// with '-' stays a name), and for each option the line of the file that set it.
    private(set) var arguments: [String] = []
    private(set) var paths: [String] = []
    private(set) var lineOfOption: [String: Int] = [:]
    let path: String

    init(path: String) throws {
        self.path = path
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw Problem(description: "\(path): cannot read (\(error.localizedDescription))")
        }
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            // Yams adds the offending lines and a caret below its first line: one line here.
            let first = "\(error)".split(separator: "\n").first.map(String.init) ?? "\(error)"
            throw Problem(description: "\(path): not valid YAML (\(first))")
        }
        guard let root else { throw Problem(description: "\(path): empty pipeline file") }
        guard let sections = root.mapping else { throw problem(root, "the top level must be a mapping of sections") }
        for (sectionNode, body) in sections {
            let name = sectionNode.string ?? ""
            guard let known = Self.keys.first(where: { $0.section == name }) else {
                throw problem(sectionNode, "unknown section '\(name)' (sections: \(Self.keys.map(\.section).joined(separator: ", ")))")
            }
            if case .scalar = body, body.null != nil { continue }
            guard let entries = body.mapping else { throw problem(body, "section '\(name)' must be a mapping of keys") }
            for (keyNode, value) in entries {
                let keyName = keyNode.string ?? ""
                guard let key = known.keys.first(where: { $0.name == keyName }) else {
                    throw problem(keyNode, "unknown key '\(keyName)' in '\(name)' (keys: \(known.keys.map(\.name).joined(separator: ", ")))")
                }
                try append(key, value, line: (keyNode.mark?.line ?? 0))
            }
        }
    }

    private mutating func append(_ key: Key, _ value: Node, line: Int) throws {
        if value.null != nil { return }  // `key:` with no value: the option's default
        let option = "--" + key.name
        lineOfOption[option] = line
        switch key.kind {
        case .flag:
            guard let flag = value.bool else { throw problem(value, "'\(key.name)' must be true or false") }
            if flag { arguments.append(option) }
        case .integer:
            guard value.int != nil, let text = value.string else { throw problem(value, "'\(key.name)' must be a whole number") }
            arguments.append(Self.argument(option, text))
        case .number:
            guard value.float != nil, let text = value.string else { throw problem(value, "'\(key.name)' must be a number") }
            arguments.append(Self.argument(option, text))
        case .text:
            guard case .scalar = value, let text = value.string else { throw problem(value, "'\(key.name)' must be a text") }
            arguments.append(Self.argument(option, text))
        case .models:
            for text in try modelItems(key, value) { arguments.append(Self.argument(option, text)) }
        case .list:
            let items: [Node] = value.sequence.map(Array.init) ?? [value]
            let texts = try items.map { item -> String in
                guard case .scalar = item, let text = item.string else { throw problem(item, "'\(key.name)' must be a list of texts") }
                return text
            }
            switch key.name {
            case "paths": paths += texts
            case "ext": arguments.append(Self.argument(option, texts.joined(separator: ",")))
            default: for text in texts { arguments.append(Self.argument(option, text)) }
            }
        }
    }

    /// `--option=value`, one argument: a value that starts with '-' (`frames: -5`, an exclude
    /// glob `-draft*`) stays the option's value instead of reading as another option.
    static func argument(_ option: String, _ value: String) -> String { option + "=" + value }

    /// `model:`/`weights:` items: `NAME` or `{name: NAME, threshold: T}` (`file:` for weights),
    /// each `--model NAME@T` as the command line writes a model's own threshold.
    private func modelItems(_ key: Key, _ value: Node) throws -> [String] {
        let items: [Node] = value.sequence.map(Array.init) ?? [value]
        let nameKey = key.name == "weights" ? "file" : "name"
        return try items.map { item -> String in
            if case .scalar = item, let text = item.string { return text }
            guard let fields = item.mapping else {
                throw problem(item, "'\(key.name)' items must be texts or mappings of \(nameKey) and threshold")
            }
            var name: String?
            var threshold: String?
            for (fieldNode, fieldValue) in fields {
                switch fieldNode.string {
                case nameKey:
                    guard case .scalar = fieldValue, let text = fieldValue.string else { throw problem(fieldValue, "'\(nameKey)' must be a text") }
                    name = text
                case "threshold":
                    guard let number = fieldValue.float, (0...1).contains(number), let text = fieldValue.string else {
                        throw problem(fieldValue, "'threshold' must be a number within 0…1")
                    }
                    threshold = text
                default:
                    throw problem(fieldNode, "unknown key '\(fieldNode.string ?? "")' in a '\(key.name)' item (keys: \(nameKey), threshold)")
                }
            }
            guard let name else { throw problem(item, "a '\(key.name)' item needs '\(nameKey)'") }
            return threshold.map { "\(name)@\($0)" } ?? name
        }
    }

    private func problem(_ node: Node, _ message: String) -> Problem {
        Problem(description: "\(path):\(node.mark?.line ?? 0): \(message)")
    }
}
