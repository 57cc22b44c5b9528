import Foundation
import Imaging
import NN
import Tensor

/// FakeSpotter (Wang et al., IJCAI 2020) on the project's EfficientNet-Lite0: a neuron (a channel
/// of a monitored layer, its activation the channel's spatial mean) is *activated* when it exceeds
/// its layer's threshold θ_l, the mean activation of that layer over the real training crops; the
/// 0/1 coverage vector of the monitored layers goes through a 5-layer MLP → p_fake.
///
/// Monitored: the outputs of blocks 0, 2, 4, 7, 10, 14, 15 (the last of each stage) and the head
/// after its ReLU6, 2,064 neurons. Keys (Training/models/fakespotter.py): `thresholds` [8],
/// `mlp.{0,2,4,6,8}.{weight,bias}`, and the backbone either as `backbone.` + EfficientNetLite0's
/// keys in the same file, or — when the card's `fakespotter_backbone` is
/// `{"file": NAME, "sha256": HEX}` — the EfficientNet-Lite0 weight file NAME beside this one,
/// pinned by its SHA-256 (so a bundled backbone is not stored twice). docs/fakespotter.md.
public final class FakeSpotter: Detector {
    public let card: ModelCard
    private let backbone: EfficientNetLite0
    private let thresholds: [Float]
    private let classifier: [DenseKernel]

    static let monitoredBlocks = [0, 2, 4, 7, 10, 14, 15]
    static let classifierWidths = [512, 256, 128, 64, 1]
    static let backboneField = "fakespotter_backbone"

    /// Channels of each monitored layer, in coverage-vector order (the blocks', then the head's).
    static let layerChannels: [Int] = {
        let outputs = EfficientNetLite0.blockChannels()
        return monitoredBlocks.map { outputs[$0] } + [EfficientNetLite0.headChannels]
    }()
    static let neurons = layerChannels.reduce(0, +)

    public init(loader: WeightLoader, card: ModelCard) throws {
        self.card = card
        if let field = loader.metadata[Self.backboneField] {
            backbone = try Self.referencedBackbone(field, beside: loader.file.url, card: card)
        } else {
            backbone = try EfficientNetLite0(loader: loader, card: card, keyPrefix: "backbone.")
        }
        thresholds = try loader.take("thresholds", shape: [Self.layerChannels.count])
        var layers: [DenseKernel] = []
        var width = Self.neurons
        for (index, out) in Self.classifierWidths.enumerated() {
            layers.append(try Linear.load(loader, "mlp.\(2 * index)", inFeatures: width, outFeatures: out))
            width = out
        }
        classifier = layers
        try loader.finish()
    }

    /// The backbone file name a FakeSpotter file's metadata names, if it names a well-formed one.
    static func backboneFile(_ metadata: [String: String]) -> String? {
        metadata[backboneField].flatMap(backboneReference)?.file
    }

    private static func backboneReference(_ field: String) -> EnsembleMember? {
        guard let reference = try? JSONDecoder().decode(EnsembleMember.self, from: Data(field.utf8)),
              !reference.file.isEmpty, !reference.file.contains("/"), reference.file != ".", reference.file != ".."
        else { return nil }
        return reference
    }

    /// The backbone file a card names: a plain file name beside `weights` with the pinned SHA-256,
    /// whose own card is an EfficientNet-Lite0 with this card's input size and scaling.
    private static func referencedBackbone(_ field: String, beside weights: URL, card: ModelCard) throws -> EfficientNetLite0 {
        guard let reference = backboneReference(field) else { throw ModelCardError.invalidField(backboneField, field) }
        let url = weights.deletingLastPathComponent().appendingPathComponent(reference.file)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw FakeSpotterError.backbone(file: reference.file, problem: "not found beside \(weights.lastPathComponent)")
        }
        let loader = try WeightLoader(url: url)
        let backboneCard = try ModelCard(metadata: loader.metadata)
        let digest = loader.file.sha256()
        guard digest == reference.sha256 else {
            throw FakeSpotterError.backbone(file: reference.file, problem: "SHA-256 is \(digest), not the \(reference.sha256) "
                + "the thresholds and classifier were trained on")
        }
        let mismatch = [("architecture", backboneCard.architecture, "efficientnet_lite0"),
                        ("input_size", String(backboneCard.inputSize), String(card.inputSize)),
                        ("scaling", backboneCard.scaling, card.scaling),
                        ("colour_order", backboneCard.colourOrder, card.colourOrder)].first { $0.1 != $0.2 }
        if let (field, found, expected) = mismatch {
            throw FakeSpotterError.backbone(file: reference.file, problem: "\(field) is \(found), not \(expected)")
        }
        return try EfficientNetLite0(loader: loader, card: card)
    }

    public func pFake(crops: [RGBImage]) throws -> [Float] {
        var scores = logits(crops)
        activate(&scores, .sigmoid)
        return scores.storage
    }

    /// Per monitored layer, `[N, C]` channel means (the neurons' activations).
    func layerMeans(_ crops: [RGBImage]) -> [Tensor] {
        let (head, blocks) = backbone.features(crops, monitoring: Set(Self.monitoredBlocks))
        return Self.monitoredBlocks.map { blocks[$0]! } + [head]
    }

    /// `[N, neurons]`: 1 where a neuron's activation exceeds its layer's threshold, else 0.
    func coverage(_ means: [Tensor], count: Int) -> Tensor {
        var values = [Float](repeating: 0, count: count * Self.neurons)
        var offset = 0
        for (layer, layerMeans) in means.enumerated() {
            let channels = Self.layerChannels[layer], threshold = thresholds[layer]
            for crop in 0..<count {
                for channel in 0..<channels where layerMeans.storage[crop * channels + channel] > threshold {
                    values[crop * Self.neurons + offset + channel] = 1
                }
            }
            offset += channels
        }
        return Tensor(shape: [count, Self.neurons], storage: values)
    }

    /// `[crops.count, 1]` logits of p_fake.
    func logits(_ crops: [RGBImage]) -> Tensor {
        guard !crops.isEmpty else { return Tensor(zeros: [0, 1]) }
        var x = coverage(layerMeans(crops), count: crops.count)
        for (index, layer) in classifier.enumerated() {
            x = dense(x, layer, activation: index < classifier.count - 1 ? .relu : .identity)
        }
        return x
    }
}

public enum FakeSpotterError: Error, Equatable, CustomStringConvertible {
    /// The backbone file a FakeSpotter card names is missing, changed, or not a fitting EfficientNet-Lite0.
    case backbone(file: String, problem: String)

    public var description: String {
        switch self {
        case let .backbone(file, problem): return "FakeSpotter backbone \(file): \(problem)"
        }
    }
}
