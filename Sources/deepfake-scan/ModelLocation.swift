import Foundation

/// Where `scan` finds detector weights when `--weights` is not given.
enum ModelLocation {
    static let environmentVariable = "DEEPFAKE_SCAN_WEIGHTS"

    enum Failure: Error, CustomStringConvertible {
        case missing(String)
        case noDefault

        var description: String {
            switch self {
            case let .missing(path): return "no weight file at \(path)"
            case .noDefault:
                return "no default model is bundled yet: pass --weights FILE.safetensors (or set "
                    + "\(ModelLocation.environmentVariable)); `make weights` imports the MesoNet authors' "
                    + "Meso4_DF from ../shared into .build-weights/mesonet/"
            }
        }
    }

    /// `--weights`, else the environment variable; the bundled default comes with issue 6.
    static func weights(explicit: String?,
                        environment: [String: String] = ProcessInfo.processInfo.environment) throws -> URL {
        guard let path = explicit ?? environment[environmentVariable], !path.isEmpty else { throw Failure.noDefault }
        guard FileManager.default.fileExists(atPath: path) else { throw Failure.missing(path) }
        return URL(fileURLWithPath: path)
    }
}
