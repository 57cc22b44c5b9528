import Foundation
import NN

/// Model name → factory. Names are the `architecture` field of model cards.
public enum DetectorRegistry {
    public typealias Factory = @Sendable (WeightLoader, ModelCard) throws -> any Detector

    public static let factories: [String: Factory] = [
        "amtennet": { try AMTENnet(loader: $0, card: $1) },
        "classnseg": { try ClassNSeg(loader: $0, card: $1) },
        "efficientnet_lite0": { try EfficientNetLite0(loader: $0, card: $1) },
        "efficientnet_lite1": { try EfficientNetLite0(loader: $0, card: $1, depth: .lite1) },
        "fakespotter": { try FakeSpotter(loader: $0, card: $1) },
        "mat": { try MAT(loader: $0, card: $1) },
        "meso4": { try Meso4(loader: $0, card: $1) },
        "mesoinception4": { try MesoInception4(loader: $0, card: $1) },
    ]

    public static var names: [String] { factories.keys.sorted() }

    /// Loads `weights` (safetensors with a model card) as the architecture `name`; fails when
    /// the name is unknown, the card is for another architecture, or any tensor mismatches.
    public static func load(name: String, weights: URL) throws -> any Detector {
        guard let factory = factories[name] else { throw DetectorError.unknownModel(name, known: names) }
        let loader = try WeightLoader(url: weights)
        let card = try ModelCard(metadata: loader.metadata)
        guard card.architecture == name else {
            throw DetectorError.architectureMismatch(requested: name, card: card.architecture)
        }
        if let augmentation = card.testTimeAugmentation, augmentation != "hflip" {
            throw DetectorError.unsupportedCard(field: "test_time_augmentation", value: augmentation)
        }
        let model: any Detector
        if let members = card.ensembleMembers {
            try loader.finish()  // an ensemble file holds no tensors of its own
            model = try EnsembleAveraging.load(members, of: card, from: weights.deletingLastPathComponent(), factory: factory)
        } else {
            model = try factory(loader, card)
        }
        return card.testTimeAugmentation == "hflip" ? FlipAveraging(model) : model
    }

    /// Loads `weights` as whatever architecture its card names.
    public static func load(weights: URL) throws -> any Detector {
        try load(name: card(weights: weights).architecture, weights: weights)
    }

    /// The model card of a weight file, without building the model.
    public static func card(weights: URL) throws -> ModelCard {
        try ModelCard(metadata: SafeTensorsFile(url: weights).metadata)
    }
}
