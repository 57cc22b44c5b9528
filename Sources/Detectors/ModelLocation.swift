import Foundation

/// Which weight file a scan loads, as `scan` and `eval` choose it; first match wins: a weight
/// file (`--weights FILE`, with `--model` as the architecture to load it as), a catalog model
/// (`--model NAME`), the file the environment variable names, the catalog's default model.
/// The messages of `Failure` name the CLI options, since they are what the user typed.
public enum ModelLocation {
    /// Names a weight file to use when no model or file is given.
    public static let environmentVariable = "DEEPFAKE_SCAN_WEIGHTS"

    /// One weight file to load.
    public struct Choice: Sendable, Equatable {
        public var weights: URL
        /// The architecture to insist on; nil: the one the card names.
        public var architecture: String?

        public init(weights: URL, architecture: String? = nil) {
            self.weights = weights
            self.architecture = architecture
        }
    }

    /// A file that is not there, or a catalog without the model asked for.
    public enum Failure: Error, CustomStringConvertible {
        case missing(String, origin: String)
        case catalog(ModelCatalogError)

        public var description: String {
            switch self {
            case let .missing(path, origin): return "no weight file at \(path) (\(origin))"
            case let .catalog(error):
                var text = "\(error)"
                if case .noDefault = error {
                    text += " (or set \(ModelLocation.environmentVariable)); `make weights` imports the MesoNet "
                        + "authors' Meso4_DF from ../shared into .build-weights/mesonet/"
                }
                return text
            }
        }
    }

    /// The one weight file of `weights` (a path), `model` (a catalog name, or the architecture
    /// to load `weights` as), the environment, the catalog's default, in that order.
    public static func choose(weights: String?, model: String?,
                       environment: [String: String] = ProcessInfo.processInfo.environment,
                       catalog: () -> ModelCatalog = { .bundled }) throws -> Choice {
        if let weights { return Choice(weights: try existing(weights, origin: "--weights"), architecture: model) }
        do {
            if let model { return Choice(weights: try catalog().resolve(model).file) }
            if let path = environment[environmentVariable], !path.isEmpty {
                return Choice(weights: try existing(path, origin: environmentVariable))
            }
            return Choice(weights: try catalog().defaultModel().file)
        } catch let error as ModelCatalogError {
            throw Failure.catalog(error)
        }
    }

    /// One model of `scan`: the weights and the threshold given with it (`NAME@T`, `FILE@T`).
    public struct Request: Sendable, Equatable {
        public var choice: Choice
        /// nil: the threshold the run's options or the model card give.
        public var threshold: Double?

        public init(choice: Choice, threshold: Double? = nil) {
            self.choice = choice
            self.threshold = threshold
        }
    }

    /// The models `scan --model … --weights …` names, in order: one `--model` with one
    /// `--weights` is still the architecture to load the weights as; otherwise each `--model`
    /// is a bundled model, then each `--weights` a file loaded as its card says. None: the
    /// one model `choose` finds (environment, bundled default).
    public static func chooseAll(models: [String], weights: [String],
                          environment: [String: String] = ProcessInfo.processInfo.environment,
                          catalog: () -> ModelCatalog = { .bundled }) throws -> [Request] {
        let named = models.map { splitThreshold($0, isFile: false) }
        let files = weights.map { splitThreshold($0, isFile: true) }
        if named.count <= 1 && files.count <= 1 {
            let choice = try choose(weights: files.first?.text, model: named.first?.text, environment: environment, catalog: catalog)
            return [Request(choice: choice, threshold: files.first?.threshold ?? named.first?.threshold)]
        }
        var requests: [Request] = []
        for model in named {
            requests.append(Request(choice: Choice(weights: try bundled(model.text, catalog: catalog)), threshold: model.threshold))
        }
        for file in files {
            requests.append(Request(choice: Choice(weights: try existing(file.text, origin: "--weights")), threshold: file.threshold))
        }
        return requests
    }

    private static func bundled(_ name: String, catalog: () -> ModelCatalog) throws -> URL {
        do { return try catalog().resolve(name).file } catch { throw Failure.catalog(error) }
    }

    /// `NAME@0.6` → (NAME, 0.6). A suffix that is no number within 0…1 stays part of the name,
    /// and so does anything after '@' in the name of a file that exists as written.
    public static func splitThreshold(_ text: String, isFile: Bool) -> (text: String, threshold: Double?) {
        if isFile && FileManager.default.fileExists(atPath: text) { return (text, nil) }
        guard let at = text.lastIndex(of: "@"), let value = Double(text[text.index(after: at)...]),
              (0...1).contains(value), at != text.startIndex
        else { return (text, nil) }
        return (String(text[..<at]), value)
    }

    private static func existing(_ path: String, origin: String) throws -> URL {
        guard FileManager.default.fileExists(atPath: path) else { throw Failure.missing(path, origin: origin) }
        return URL(fileURLWithPath: path)
    }
}
