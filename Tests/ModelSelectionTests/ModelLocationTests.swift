import Detectors
import Foundation
import Testing

/// Which weights `scan` and `eval` load (the library's `ModelLocation`): --weights > --model > DEEPFAKE_SCAN_WEIGHTS > bundled default.
@Suite final class ModelLocationTests {
    let directory: URL
    let explicit: URL
    let fromEnvironment: URL

    init() throws {
        directory = try SyntheticWeights.temporaryDirectory("location")
        let models = directory.appendingPathComponent("models")
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        try SyntheticWeights.writeMeso4(name: "alpha", into: models)
        try SyntheticWeights.writeMeso4(name: "beta", into: models)
        try "alpha.safetensors\n".write(to: models.appendingPathComponent("default.txt"), atomically: true, encoding: .utf8)
        explicit = try SyntheticWeights.writeMeso4(name: "explicit", into: directory)
        fromEnvironment = try SyntheticWeights.writeMeso4(name: "environment", into: directory)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    var catalog: ModelCatalog { ModelCatalog(directory: directory.appendingPathComponent("models")) }
    var environment: [String: String] { [ModelLocation.environmentVariable: fromEnvironment.path] }

    func choose(_ weights: String?, _ model: String?, _ environment: [String: String]) throws -> ModelLocation.Choice {
        try ModelLocation.choose(weights: weights, model: model, environment: environment, catalog: { self.catalog })
    }

    @Test func firstMatchWinsInTheDocumentedOrder() throws {
        #expect(try choose(explicit.path, "meso4", environment) == .init(weights: explicit, architecture: "meso4"))
        #expect(try choose(explicit.path, nil, environment) == .init(weights: explicit, architecture: nil))
        #expect(try choose(nil, "beta", environment).weights.lastPathComponent == "beta.safetensors")
        #expect(try choose(nil, nil, environment).weights == fromEnvironment)
        #expect(try choose(nil, nil, [:]).weights.lastPathComponent == "alpha.safetensors")
        #expect(try choose(nil, nil, [ModelLocation.environmentVariable: ""]).weights.lastPathComponent == "alpha.safetensors")
    }

    @Test func failuresSayWhatToDo() throws {
        func message(_ weights: String?, _ model: String?, _ environment: [String: String],
                     catalog: ModelCatalog? = nil) -> String {
            do {
                _ = try ModelLocation.choose(weights: weights, model: model, environment: environment,
                                             catalog: { catalog ?? self.catalog })
                return "chosen"
            } catch { return "\(error)" }
        }
        #expect(message("/nope.safetensors", nil, [:]) == "no weight file at /nope.safetensors (--weights)")
        #expect(message(nil, nil, [ModelLocation.environmentVariable: "/gone"])
            == "no weight file at /gone (\(ModelLocation.environmentVariable))")
        #expect(message(nil, "gamma", [:])
            == "no bundled model named gamma; bundled: alpha, beta. Pass --model NAME or --weights FILE.safetensors")
        #expect(message(nil, "meso4", [:]).contains("meso4 names several bundled models (alpha, beta)"))
        let emptyFolder = directory.appendingPathComponent("none")
        try FileManager.default.createDirectory(at: emptyFolder, withIntermediateDirectories: true)
        let empty = message(nil, nil, [:], catalog: ModelCatalog(directory: emptyFolder))
        #expect(empty.hasPrefix("no default model is named in default.txt yet; none is bundled. Pass --model NAME or --weights FILE"))
        #expect(empty.contains(ModelLocation.environmentVariable) && empty.contains("make weights"))
        let missing = message(nil, nil, [:], catalog: ModelCatalog(directory: directory.appendingPathComponent("absent")))
        #expect(missing.hasPrefix("the bundled models folder \(directory.path)/absent is missing"))
        #expect(missing.contains("--weights FILE.safetensors or set \(ModelLocation.environmentVariable)"))
    }

    @Test func thresholdsWrittenWithTheModel() {
        #expect(ModelLocation.splitThreshold("sbi-meso4@0.6", isFile: false) == ("sbi-meso4", 0.6))
        #expect(ModelLocation.splitThreshold("sbi-meso4", isFile: false) == ("sbi-meso4", nil))
        #expect(ModelLocation.splitThreshold("odd@name", isFile: false) == ("odd@name", nil))
        #expect(ModelLocation.splitThreshold("x@1.5", isFile: false) == ("x@1.5", nil))
    }

    /// Several models: the named ones first, then the files, each with its own threshold; one
    /// `--model` with one `--weights` is still one model (the architecture to load it as).
    @Test func severalModelsComeInOrderWithTheirThresholds() throws {
        let requests = try ModelLocation.chooseAll(models: ["beta@0.3", "alpha"], weights: [explicit.path + "@0.7"],
                                                   environment: [:], catalog: { self.catalog })
        #expect(requests.map(\.choice.weights.lastPathComponent) == ["beta.safetensors", "alpha.safetensors", "explicit.safetensors"])
        #expect(requests.map(\.threshold) == [0.3, nil, 0.7])
        let one = try ModelLocation.chooseAll(models: ["meso4"], weights: [explicit.path], environment: [:], catalog: { self.catalog })
        #expect(one == [.init(choice: .init(weights: explicit, architecture: "meso4"), threshold: nil)])
    }
}
