import Detectors
import Foundation

/// Which weight file `scan` and `eval` load, first match wins: `--weights FILE` (with
/// `--model` as the architecture to load it as), `--model NAME` (a bundled model), the
/// environment variable, the bundled default model.
enum ModelLocation {
    static let environmentVariable = "DEEPFAKE_SCAN_WEIGHTS"

    struct Choice: Equatable {
        var weights: URL
        /// The architecture to insist on; nil: the one the card names.
        var architecture: String?
    }

    enum Failure: Error, CustomStringConvertible {
        case missing(String, origin: String)
        case catalog(ModelCatalogError)

        var description: String {
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

    static func choose(weights: String?, model: String?,
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

    private static func existing(_ path: String, origin: String) throws -> URL {
        guard FileManager.default.fileExists(atPath: path) else { throw Failure.missing(path, origin: origin) }
        return URL(fileURLWithPath: path)
    }
}
