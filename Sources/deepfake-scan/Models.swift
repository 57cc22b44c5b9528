import ArgumentParser
import Detectors
import Foundation
import NN
import Tensor

/// `deepfake-scan models`: the architectures this build knows and the weight files it finds.
struct Models: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the available models and their cards, or import the authors' weights.",
        subcommands: [List.self, Import.self],
        defaultSubcommand: List.self
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List registered architectures, the BLAS kernels in use, the bundled models (* = default) and the cards of weight files found.")

        @Option(name: .customLong("weights"), help: "Folder or .safetensors file to look in (repeatable).")
        var locations: [String] = [".build-weights"]

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        func run() throws {
            let found = WeightFiles.find(in: locations)
            let bundled = ModelCatalog.bundled
            if json {
                let listing = Listing(architectures: DetectorRegistry.names, blasCore: BLASCore.activeCore,
                                      bundled: BundledTable.entries(bundled), bundledFolder: bundled.directory.path,
                                      bundledFolderExists: bundled.directoryExists,
                                      weights: found.map { Listing.Weight(path: $0.path, card: $0.card, error: $0.error) })
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(listing), as: UTF8.self))
                return
            }
            print("architectures: \(DetectorRegistry.names.joined(separator: ", "))")
            print("blas core: \(BLASCore.activeCore) (OpenBLAS kernels; \(BLASCore.environmentVariable) overrides)")
            print(BundledTable.text(bundled))
            if found.isEmpty { print("no weight files in \(locations.joined(separator: ", "))") }
            for file in found {
                if let card = file.card {
                    let threshold = card.threshold.map { String($0) } ?? "0.5 (default)"
                    print("\(file.path)\n  \(card.name): \(card.architecture) v\(card.version), input \(card.inputSize)² " +
                          "\(card.colourOrder) \(card.scaling)\(BundledTable.howRun(card)), score \(card.scoreSemantics), threshold \(threshold)\n  " +
                          "source: \(card.provenance)")
                } else {
                    print("\(file.path)\n  unreadable: \(file.error ?? "")")
                }
            }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Convert published weights into a safetensors file with a model card.",
            discussion: """
            mesonet FILE.h5: the MesoNet authors' Keras weights (Training/importers/mesonet_keras.py: numpy, h5py). \
            classnseg ENCODER.pt DECODER.pt: the ClassNSeg authors' PyTorch state_dicts \
            (Training/importers/classnseg_torch.py: torch). Both run with the project's virtual environment: \
            run `make venv` in the deepfake-scan checkout first.
            """
        )

        /// Format → (Python importer module, number of files it takes, what the files are).
        static let importers: [String: (module: String, files: Int, what: String)] = [
            "mesonet": ("Training.importers.mesonet_keras", 1, "one Keras .h5 file"),
            "classnseg": ("Training.importers.classnseg_torch", 2, "the encoder .pt then the decoder .pt"),
        ]

        @Argument(help: "Source format: mesonet (the MesoNet authors' Keras .h5) or classnseg (the ClassNSeg authors' encoder and decoder .pt).")
        var format: String

        @Argument(help: "The weight file(s) to convert, e.g. Meso4_DF.h5, or full_encoder_46.pt full_decoder_46.pt.")
        var files: [String] = []

        @Option(help: "The safetensors file to write.")
        var out: String

        @Option(help: "The deepfake-scan checkout holding Training/ and .venv (from `make venv`).")
        var project: String = "."

        func validate() throws {
            guard let importer = Self.importers[format] else {
                throw ValidationError("unknown format \(format); supported: \(Self.importers.keys.sorted().joined(separator: ", "))")
            }
            guard files.count == importer.files else {
                throw ValidationError("\(format) takes \(importer.what), got \(files.count) file(s)")
            }
            for file in files where !FileManager.default.fileExists(atPath: file) {
                throw ValidationError("no such file: \(file)")
            }
            let python = "\(project)/.venv/bin/python"
            guard FileManager.default.isExecutableFile(atPath: python) else {
                throw ValidationError("no Python environment at \(python): run `make venv` in the deepfake-scan checkout " +
                                      "(or pass --project)")
            }
        }

        func run() throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "\(project)/.venv/bin/python")
            process.arguments = ["-m", Self.importers[format]!.module]
                + files.map { URL(fileURLWithPath: $0).path } + ["--out", URL(fileURLWithPath: out).path]
            process.currentDirectoryURL = URL(fileURLWithPath: project)
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw ExitCode(1) }
            let card = try DetectorRegistry.card(weights: URL(fileURLWithPath: out))
            print("\(out): \(card.architecture), \(card.scoreSemantics)")
        }
    }
}

/// JSON shape of `models list --json`.
private struct Listing: Encodable {
    struct Weight: Encodable {
        let path: String
        let card: ModelCard?
        let error: String?
    }
    let architectures: [String]
    /// OpenBLAS kernel family in use, e.g. "SkylakeX"; "Prescott" means no AVX kernels.
    let blasCore: String
    let bundled: [BundledTable.Entry]
    /// Where the bundled models were looked for, and whether that folder is there.
    let bundledFolder: String
    let bundledFolderExists: Bool
    let weights: [Weight]
}

/// The bundled models (`ModelCatalog`) as `models` shows them.
enum BundledTable {
    /// What the engine does beyond one pass of one model: ", ensemble of 2, test-time hflip".
    static func howRun(_ card: ModelCard) -> String {
        (card.ensembleMembers.map { ", ensemble of \($0.count)" } ?? "") + (card.testTimeAugmentation.map { ", test-time \($0)" } ?? "")
    }

    struct Entry: Encodable, Equatable {
        let name: String
        let file: String
        let isDefault: Bool
        let parameters: Int
        let card: ModelCard
    }

    static func entries(_ catalog: ModelCatalog) -> [Entry] {
        let defaultFile = (try? catalog.defaultModel())?.file
        return catalog.models.map {
            Entry(name: $0.name, file: $0.file.lastPathComponent, isDefault: $0.file == defaultFile,
                  parameters: $0.parameterCount, card: $0.card)
        }
    }

    /// One line per model: name (* = default), architecture, input, parameters, card metrics.
    static func text(_ catalog: ModelCatalog) -> String {
        var lines = ["bundled models (\(catalog.directory.path)):"]
        let entries = entries(catalog)
        if !catalog.directoryExists {
            lines.append("  \(ModelCatalogError.folderMissing(catalog.directory.path))")
        } else if entries.isEmpty { lines.append("  none yet: scan and eval need --weights FILE (or \(ModelLocation.environmentVariable))") }
        for entry in entries {
            let card = entry.card
            let metrics = card.metrics.keys.sorted().map { "\($0)=\(String(format: "%.4g", card.metrics[$0]!))" }
            lines.append("  \(entry.isDefault ? "*" : " ") \(entry.name): \(card.architecture) v\(card.version), "
                + "input \(card.inputSize)² \(card.colourOrder) \(card.scaling)"
                + howRun(card)
                + ", \(parameterText(entry.parameters)) parameters"
                + (metrics.isEmpty ? "" : ", " + metrics.joined(separator: " ")) + " (\(entry.file))")
        }
        if !entries.isEmpty && !entries.contains(where: \.isDefault) {
            do { _ = try catalog.defaultModel() } catch { lines.append("  no default: \(error)") }
        }
        for (file, reason) in catalog.unreadable { lines.append("  unreadable \(file): \(reason)") }
        return lines.joined(separator: "\n")
    }

    static func parameterText(_ count: Int) -> String {
        count >= 1_000_000 ? String(format: "%.2f M", Double(count) / 1e6)
            : count >= 1_000 ? String(format: "%.1f k", Double(count) / 1e3) : String(count)
    }
}

/// Weight files under the given folders (recursively) or named directly, with their cards.
enum WeightFiles {
    struct Found {
        let path: String
        let card: ModelCard?
        let error: String?
    }

    static func find(in locations: [String]) -> [Found] {
        var paths: [String] = []
        for location in locations {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: location, isDirectory: &isDirectory) else { continue }
            if !isDirectory.boolValue { paths.append(location); continue }
            let enumerator = FileManager.default.enumerator(atPath: location)
            while let relative = enumerator?.nextObject() as? String {
                if relative.hasSuffix(".safetensors") { paths.append("\(location)/\(relative)") }
            }
        }
        return paths.sorted().map { path in
            do {
                return Found(path: path, card: try DetectorRegistry.card(weights: URL(fileURLWithPath: path)), error: nil)
            } catch {
                return Found(path: path, card: nil, error: "\(error)")
            }
        }
    }
}
