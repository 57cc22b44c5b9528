import Foundation
import Imaging
import NN
import Testing
@testable import Detectors
@testable import deepfake_scan

/// The bundled-model catalog on folders the tests fill, and the resource folder itself.
@Suite final class ModelCatalogTests {
    let directory: URL

    init() throws { directory = try SyntheticWeights.temporaryDirectory("catalog") }
    deinit { try? FileManager.default.removeItem(at: directory) }

    func writeDefault(_ text: String) throws {
        try text.write(to: directory.appendingPathComponent("default.txt"), atomically: true, encoding: .utf8)
    }

    @Test func anEmptyFolderHasNoModelsAndSaysSo() throws {
        let catalog = ModelCatalog(directory: directory)
        #expect(catalog.directoryExists && catalog.models.isEmpty && catalog.defaultEntry == nil)
        #expect(throws: ModelCatalogError.noDefault(available: [])) { try catalog.defaultModel() }
        #expect(throws: ModelCatalogError.unknown("meso4", available: [])) { try catalog.resolve("meso4") }
        #expect("\(ModelCatalogError.noDefault(available: []))"
            == "no default model is named in default.txt yet; none is bundled. Pass --model NAME or --weights FILE.safetensors")
    }

    /// A binary installed without its resource bundle: an error naming the folder, not an abort.
    @Test func aMissingFolderIsAnErrorThatNamesIt() throws {
        let absent = directory.appendingPathComponent("absent")
        let catalog = ModelCatalog(directory: absent)
        #expect(!catalog.directoryExists && catalog.models.isEmpty)
        #expect(throws: ModelCatalogError.folderMissing(absent.path)) { try catalog.defaultModel() }
        #expect(throws: ModelCatalogError.folderMissing(absent.path)) { try catalog.resolve("meso4") }
        #expect("\(ModelCatalogError.folderMissing(absent.path))".contains("keep deepfake-scan_Detectors.resources beside"))
        #expect(BundledTable.text(catalog).contains("\n  the bundled models folder \(absent.path) is missing"))
    }

    @Test func modelsAreFoundByCardNameAndByAnArchitectureOnlyOneHas() throws {
        try SyntheticWeights.writeMeso4(name: "sbi-meso4", into: directory, metrics: ["pseudo_fake_auc": 0.98])
        try Data("not safetensors".utf8).write(to: directory.appendingPathComponent("broken.safetensors"))
        try Data().write(to: directory.appendingPathComponent("notes.txt"))
        let catalog = ModelCatalog(directory: directory)
        #expect(catalog.names == ["sbi-meso4"])
        #expect(catalog.unreadable.map(\.file) == ["broken.safetensors"])
        let model = try catalog.resolve("sbi-meso4")
        #expect(model.card.metrics == ["pseudo_fake_auc": 0.98] && model.file.lastPathComponent == "sbi-meso4.safetensors")
        // conv 224 + 1608 + 3216 + 6416, batch norm 4 × (8 + 8 + 16 + 16), fc 16400 + 17.
        #expect(model.parameterCount == 28_073)
        #expect(try catalog.resolve("meso4") == model)
        #expect(throws: ModelCatalogError.unknown("xception", available: ["sbi-meso4"])) { try catalog.resolve("xception") }
    }

    /// An ensemble file counts its members' weights; one whose member is missing is listed as unreadable.
    @Test func anEnsembleCountsItsMembersWeights() throws {
        let members = try ["one", "two"].map { name -> EnsembleMember in
            let url = try SyntheticWeights.writeMeso4(name: name, into: directory)
            return EnsembleMember(file: url.lastPathComponent, sha256: try SafeTensorsFile(url: url).sha256())
        }
        var card = SyntheticWeights.card(name: "both")
        card.ensembleMembers = members
        try SafeTensorsWriter.encode([:], metadata: card.metadata).write(to: directory.appendingPathComponent("both.safetensors"))
        card.name = "gap"
        card.ensembleMembers = [members[0], EnsembleMember(file: "gone.safetensors", sha256: members[1].sha256)]
        try SafeTensorsWriter.encode([:], metadata: card.metadata).write(to: directory.appendingPathComponent("gap.safetensors"))
        let catalog = ModelCatalog(directory: directory)
        #expect(catalog.names == ["both", "one", "two"])
        #expect(try catalog.resolve("both").parameterCount == 2 * 28_073)
        #expect(catalog.unreadable.map(\.file) == ["gap.safetensors"])
        #expect(catalog.unreadable.first?.reason.contains("gone.safetensors") == true, "\(catalog.unreadable)")
        #expect(BundledTable.howRun(try catalog.resolve("both").card) == ", ensemble of 2")
    }

    @Test func anArchitectureSeveralModelsShareIsAmbiguous() throws {
        try SyntheticWeights.writeMeso4(name: "b-meso", into: directory)
        try SyntheticWeights.writeMeso4(name: "a-meso", into: directory)
        let catalog = ModelCatalog(directory: directory)
        #expect(catalog.names == ["a-meso", "b-meso"])
        #expect(throws: ModelCatalogError.ambiguous("meso4", files: ["a-meso", "b-meso"])) { try catalog.resolve("meso4") }
        #expect(try catalog.resolve("b-meso").name == "b-meso")
    }

    @Test func defaultTxtNamesTheDefaultByFileOrCardName() throws {
        try SyntheticWeights.writeMeso4(name: "first", into: directory)
        try SyntheticWeights.writeMeso4(name: "second", file: "second-v2.safetensors", into: directory)
        try writeDefault("# comment\n\n  second-v2.safetensors \n")
        #expect(try ModelCatalog(directory: directory).defaultModel().name == "second")
        try writeDefault("first\n")
        #expect(try ModelCatalog(directory: directory).defaultModel().name == "first")
        try writeDefault("# only comments\n")
        #expect(throws: ModelCatalogError.noDefault(available: ["first", "second"])) {
            try ModelCatalog(directory: directory).defaultModel()
        }
        try writeDefault("gone.safetensors\n")
        #expect(throws: ModelCatalogError.defaultMissing("gone.safetensors", available: ["first", "second"])) {
            try ModelCatalog(directory: directory).defaultModel()
        }
    }

    @Test func theModelsTableShowsTheDefaultParametersAndMetrics() throws {
        try SyntheticWeights.writeMeso4(name: "own", into: directory, metrics: ["video_auc": 0.912345])
        try SyntheticWeights.writeMeso4(name: "other", into: directory)
        try writeDefault("own\n")
        let text = BundledTable.text(ModelCatalog(directory: directory))
        #expect(text.contains("  * own: meso4 v1, input 256² RGB x/255, 28.1 k parameters, video_auc=0.9123 (own.safetensors)"))
        #expect(text.contains("    other: meso4 v1"))
        #expect(BundledTable.entries(ModelCatalog(directory: directory)).map(\.isDefault) == [false, true])
    }

    /// SwiftPM copies Sources/Detectors/Models into the module's resource bundle; `swift test`
    /// and the built binary must both find it.
    @Test func theBundledFolderIsThere() {
        let folder = ModelCatalog.bundledDirectory
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("README.md").path), "\(folder.path)")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(ModelCatalog.defaultListFile).path))
        #expect(ModelCatalog.bundled.unreadable.isEmpty)
        // The first place looked is the resource bundle beside the running binary.
        #expect(ModelCatalog.bundledDirectoryCandidates.first?.path.hasSuffix("/deepfake-scan_Detectors.resources/Models") == true)
    }

    /// The bundled default loads and its card carries what issue 17 asks: a threshold fitted on
    /// real videos (at most 5 % of them flagged) and the dev-wild AUC with its interval.
    @Test func theBundledDefaultCarriesItsCalibration() throws {
        let model = try ModelCatalog.bundled.defaultModel()
        let detector = try DetectorRegistry.load(weights: model.file)
        let threshold = try #require(model.card.threshold)
        #expect(threshold > 0 && threshold < 1)
        #expect((model.card.metrics["calibration_real_videos"] ?? 0) >= 20)
        #expect((model.card.metrics["calibration_fpr"] ?? 1) <= 0.05)
        let auc = try #require(model.card.metrics["dev_wild_video_auc"])
        #expect((model.card.metrics["dev_wild_video_auc_ci95_low"] ?? 1) < auc)
        #expect((model.card.metrics["dev_wild_video_auc_ci95_high"] ?? 0) > auc)
        let crop = RGBImage(width: 256, height: 256, pixels: [UInt8](repeating: 128, count: 256 * 256 * 3))
        #expect(try detector.pFake(crops: [crop]).allSatisfy { $0 >= 0 && $0 <= 1 })
    }

    /// The previous default, an ensemble, loads (its members' SHA-256 pins match the committed
    /// files) and scores a crop as the mean of its members over the crop and its mirror image.
    @Test func theBundledEnsembleLoadsAndAveragesItsMembers() throws {
        let catalog = ModelCatalog.bundled
        let model = try catalog.resolve("sbi-efficientnet-lite0-x2")
        let detector = try DetectorRegistry.load(weights: model.file)
        let members = try #require(model.card.ensembleMembers)
        #expect(model.card.testTimeAugmentation == "hflip" && (model.card.metrics["val_clean_auc"] ?? 0) >= 0.97)
        let pixels: [UInt8] = (0..<(256 * 256 * 3)).map { (index: Int) -> UInt8 in UInt8((index / 3 * 7 + index % 3 * 50) % 256) }
        let crop = RGBImage(width: 256, height: 256, pixels: pixels)
        var expected: Float = 0
        for member in members {
            let single = try DetectorRegistry.load(weights: catalog.directory.appendingPathComponent(member.file))
            expected += try single.pFake(crops: [crop, crop.mirrored()]).reduce(0, +) / Float(2 * members.count)
        }
        #expect(abs(try detector.pFake(crops: [crop])[0] - expected) < 1e-5)
    }

    /// A default or --model whose file cannot be used says why, not that it is absent.
    @Test func anUnusableModelIsNamedWithTheReason() throws {
        try SyntheticWeights.writeMeso4(name: "first", into: directory)
        var card = SyntheticWeights.card(name: "pair")
        card.ensembleMembers = [EnsembleMember(file: "first.safetensors", sha256: String(repeating: "0", count: 64)),
                                EnsembleMember(file: "gone.safetensors", sha256: String(repeating: "0", count: 64))]
        try SafeTensorsWriter.encode([:], metadata: card.metadata).write(to: directory.appendingPathComponent("pair.safetensors"))
        try writeDefault("pair\n")
        let catalog = ModelCatalog(directory: directory)
        for attempt in [{ try catalog.defaultModel() }, { try catalog.resolve("pair") }] {
            #expect { _ = try attempt() } throws: { error in
                guard case let .unreadable(file, reason)? = error as? ModelCatalogError else { return false }
                return file == "pair.safetensors" && reason.contains("gone.safetensors")
            }
        }
        #expect(BundledTable.text(catalog).contains("no default: the bundled model pair.safetensors cannot be used"))
    }
}
