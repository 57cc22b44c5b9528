import Foundation
import NN
import Tensor

/// Meso-4 weight files made up on the spot (deterministic values, real shapes) with a model
/// card: enough for the catalog, the model choice and a full scan, with nothing third-party.
enum SyntheticWeights {
    /// (key prefix, out channels, in channels, kernel) of Meso-4's four conv blocks.
    private static let convolutions = [("1", 8, 3, 3), ("2", 8, 8, 5), ("3", 16, 8, 5), ("4", 16, 16, 5)]

    static func meso4Shapes() -> [(String, [Int])] {
        var shapes: [(String, [Int])] = []
        for (index, output, input, kernel) in convolutions {
            shapes.append(("conv\(index).weight", [output, input, kernel, kernel]))
            shapes.append(("conv\(index).bias", [output]))
            shapes += ["weight", "bias", "running_mean", "running_var"].map { ("bn\(index).\($0)", [output]) }
        }
        return shapes + [("fc1.weight", [16, 1024]), ("fc1.bias", [16]), ("fc2.weight", [1, 16]), ("fc2.bias", [1])]
    }

    static func card(name: String, threshold: Double? = nil, metrics: [String: Double] = [:]) -> ModelCard {
        ModelCard(name: name, architecture: "meso4", version: "1", inputSize: 256, colourOrder: "RGB", scaling: "x/255",
                  threshold: threshold, provenance: "synthetic weights of ModelSelectionTests", metrics: metrics)
    }

    /// Writes `name`.safetensors (unless `file` says otherwise) into `directory`.
    @discardableResult
    static func writeMeso4(name: String, file: String? = nil, into directory: URL, threshold: Double? = nil,
                           metrics: [String: Double] = [:]) throws -> URL {
        var tensors: [String: Tensor] = [:]
        for (number, (key, shape)) in meso4Shapes().enumerated() {
            let count = shape.reduce(1, *)
            let values = (0..<count).map { i -> Float in
                let wave = Float(sin(Double(i) * 0.731 + Double(number) * 1.913))
                return key.hasSuffix("running_var") ? 1 + 0.5 * abs(wave) : 0.15 * wave
            }
            tensors[key] = Tensor(shape: shape, storage: values)
        }
        let url = directory.appendingPathComponent(file ?? "\(name).safetensors")
        try SafeTensorsWriter.encode(tensors, metadata: card(name: name, threshold: threshold, metrics: metrics).metadata)
            .write(to: url)
        return url
    }

    /// An AMTENnet weight file at a 32² input with classes real, self_blend, lip_sync (AMTENnet.swift's keys).
    @discardableResult
    static func writeAMTENnet(name: String, into directory: URL, threshold: Double? = nil) throws -> URL {
        var shapes: [(String, [Int])] = [("conv1", [3, 3, 3, 3]), ("conv2_1", [3, 3, 3, 3]), ("conv2_2", [3, 3, 3, 3]),
                                         ("conv3_1", [6, 6, 3, 3]), ("conv3_2", [6, 6, 3, 3]), ("conv4", [24, 12, 3, 3]),
                                         ("conv5", [48, 24, 3, 3]), ("conv6", [64, 48, 3, 3]), ("conv7", [128, 64, 1, 1]),
                                         ("fc1", [300, 128 * 2 * 2]), ("fc2", [300, 300]), ("fc3", [3, 300])]
            .flatMap { [("\($0.0).weight", $0.1), ("\($0.0).bias", [$0.1[0]])] }
        for (index, channels) in [(4, 24), (5, 48), (6, 64)] {
            shapes += ["weight", "bias", "running_mean", "running_var"].map { ("bn\(index).\($0)", [channels]) }
        }
        var tensors: [String: Tensor] = [:]
        for (number, (key, shape)) in shapes.enumerated() {
            let values = (0..<shape.reduce(1, *)).map { i -> Float in
                let wave = Float(sin(Double(i) * 0.731 + Double(number) * 1.913))
                return key.hasSuffix("running_var") ? 1 + 0.5 * abs(wave) : 0.15 * wave
            }
            tensors[key] = Tensor(shape: shape, storage: values)
        }
        var metadata = ModelCard(name: name, architecture: "amtennet", version: "1", inputSize: 32, colourOrder: "RGB",
                                 scaling: "x/255", threshold: threshold, provenance: "synthetic weights of ModelSelectionTests").metadata
        metadata["manipulation_classes"] = #"["real","self_blend","lip_sync"]"#
        let url = directory.appendingPathComponent("\(name).safetensors")
        try SafeTensorsWriter.encode(tensors, metadata: metadata).write(to: url)
        return url
    }

    static func temporaryDirectory(_ label: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
