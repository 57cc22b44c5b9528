import Foundation
import NN

/// One weight file of a model folder, with its card.
public struct CatalogModel: Sendable, Equatable {
    /// The card's name: what `--model NAME` selects.
    public var name: String { card.name }
    public var file: URL
    public var card: ModelCard
    /// Number of weights (all tensors' elements; an ensemble's members' together), for the models table.
    public var parameterCount: Int
}

/// The models in a folder of `*.safetensors` files: the package's bundled models
/// (`ModelCatalog.bundled`, Sources/Detectors/Models) or any folder a test or a user names.
///
/// `default.txt` in the folder names the default model (a file name or a card name; lines
/// starting with `#` are comments). `--model NAME` is a card name, or an architecture when
/// exactly one model in the folder has it.
public struct ModelCatalog: Sendable {
    public static let defaultListFile = "default.txt"

    public let directory: URL
    /// False when `directory` is not there (e.g. a binary installed without its resource bundle).
    public let directoryExists: Bool
    /// Readable models, sorted by name.
    public let models: [CatalogModel]
    /// What default.txt names, if anything.
    public let defaultEntry: String?
    /// Weight files that could not be read as models, with the reason.
    public let unreadable: [(file: String, reason: String)]

    /// Reads every `*.safetensors` card in `directory`. A missing folder has no models, and
    /// `resolve` / `defaultModel` say it is missing.
    public init(directory: URL) {
        self.directory = directory
        var isFolder: ObjCBool = false
        directoryExists = FileManager.default.fileExists(atPath: directory.path, isDirectory: &isFolder) && isFolder.boolValue
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        var models: [CatalogModel] = []
        var unreadable: [(String, String)] = []
        for file in names.sorted() where file.hasSuffix(".safetensors") {
            let url = directory.appendingPathComponent(file)
            do {
                let weights = try SafeTensorsFile(url: url)
                let card = try ModelCard(metadata: weights.metadata)
                var count = Self.parameterCount(weights)
                for member in card.ensembleMembers ?? [] {  // an ensemble's weights are its members'
                    count += Self.parameterCount(try SafeTensorsFile(url: directory.appendingPathComponent(member.file)))
                }
                if let backbone = FakeSpotter.backboneFile(weights.metadata) {  // and a FakeSpotter's, its backbone's
                    count += Self.parameterCount(try SafeTensorsFile(url: directory.appendingPathComponent(backbone)))
                }
                models.append(CatalogModel(file: url, card: card, parameterCount: count))
            } catch {
                unreadable.append((file, "\(error)"))
            }
        }
        self.models = models.sorted { ($0.name, $0.file.lastPathComponent) < ($1.name, $1.file.lastPathComponent) }
        self.unreadable = unreadable
        let listed = (try? String(contentsOf: directory.appendingPathComponent(Self.defaultListFile), encoding: .utf8))?
            .split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .first { !$0.isEmpty && !$0.hasPrefix("#") }
        defaultEntry = listed
    }

    private static func parameterCount(_ weights: SafeTensorsFile) -> Int {
        weights.entries.values.reduce(0) { $0 + $1.shape.reduce(1, *) }
    }

    /// The models shipped inside the package (the `Models` resource folder of this module).
    public static var bundled: ModelCatalog { ModelCatalog(directory: bundledDirectory) }

    /// The first of `bundledDirectoryCandidates` that exists, else the first (reported as missing).
    public static var bundledDirectory: URL {
        let candidates = bundledDirectoryCandidates
        return candidates.first { FileManager.default.fileExists(atPath: $0.path) } ?? candidates[0]
    }

    /// Where the bundled models may be: in the resource bundle SwiftPM puts beside the built
    /// binary (what an install must copy along), then in the source tree the binary was built
    /// from. Not `Bundle.module`: its accessor aborts the process when its bundle is missing,
    /// and a moved binary must say what is missing instead. (Linux bundle layout; elsewhere only
    /// the source tree is found.)
    static var bundledDirectoryCandidates: [URL] {
        var candidates: [URL] = []
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            candidates.append(executable.deletingLastPathComponent()
                .appendingPathComponent(resourceBundleName).appendingPathComponent("Models"))
        }
        candidates.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Models"))
        return candidates
    }

    /// SwiftPM's name for this module's resource bundle: `<package>_<module>.resources`.
    public static let resourceBundleName = "deepfake-scan_Detectors.resources"

    public var names: [String] { models.map(\.name) }

    /// The model `name` selects: a card name, else an architecture exactly one model has.
    public func resolve(_ name: String) throws(ModelCatalogError) -> CatalogModel {
        guard directoryExists else { throw .folderMissing(directory.path) }
        let byName = models.filter { $0.name == name }
        if byName.count == 1 { return byName[0] }
        if byName.count > 1 { throw .ambiguous(name, files: byName.map(\.file.lastPathComponent)) }
        let byArchitecture = models.filter { $0.card.architecture == name }
        if byArchitecture.count == 1 { return byArchitecture[0] }
        if byArchitecture.count > 1 { throw .ambiguous(name, files: byArchitecture.map(\.name)) }
        if let broken = unreadableFile(name) { throw .unreadable(broken.file, reason: broken.reason) }
        throw .unknown(name, available: names)
    }

    /// The unreadable file `name` (a file name, or a card name that is its stem) most likely
    /// meant, so that the error says why it is unusable rather than that it is absent.
    private func unreadableFile(_ name: String) -> (file: String, reason: String)? {
        unreadable.first { $0.file == name || $0.file == name + ".safetensors" }
    }

    /// The model default.txt names (by file name or card name).
    public func defaultModel() throws(ModelCatalogError) -> CatalogModel {
        guard directoryExists else { throw .folderMissing(directory.path) }
        guard let entry = defaultEntry else { throw .noDefault(available: names) }
        if let model = models.first(where: { $0.file.lastPathComponent == entry }) { return model }
        if let model = try? resolve(entry) { return model }
        if let broken = unreadableFile(entry) { throw .unreadable(broken.file, reason: broken.reason) }
        throw .defaultMissing(entry, available: names)
    }
}

public enum ModelCatalogError: Error, Equatable, CustomStringConvertible {
    case unknown(String, available: [String])
    case ambiguous(String, files: [String])
    case noDefault(available: [String])
    case defaultMissing(String, available: [String])
    case folderMissing(String)
    case unreadable(String, reason: String)

    public var description: String {
        switch self {
        case let .unknown(name, available):
            return "no bundled model named \(name); \(Self.listing(available))"
        case let .ambiguous(name, files):
            return "\(name) names several bundled models (\(files.joined(separator: ", "))): use one of their names"
        case let .noDefault(available):
            return "no default model is named in \(ModelCatalog.defaultListFile) yet; \(Self.listing(available))"
        case let .defaultMissing(entry, available):
            return "the default model \(entry) (\(ModelCatalog.defaultListFile)) is not bundled; \(Self.listing(available))"
        case let .unreadable(file, reason):
            return "the bundled model \(file) cannot be used: \(reason)"
        case let .folderMissing(path):
            return "the bundled models folder \(path) is missing (keep \(ModelCatalog.resourceBundleName) beside the "
                + "deepfake-scan binary when installing it); pass --weights FILE.safetensors or set DEEPFAKE_SCAN_WEIGHTS"
        }
    }

    private static func listing(_ available: [String]) -> String {
        let choices = available.isEmpty ? "none is bundled" : "bundled: \(available.joined(separator: ", "))"
        return "\(choices). Pass --model NAME or --weights FILE.safetensors"
    }
}
