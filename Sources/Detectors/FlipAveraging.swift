import Imaging
import NN

/// A detector whose card asks for test-time flipping (`test_time_augmentation: hflip`):
/// p_fake is the mean of the model's p_fake for each crop and for its mirror image: it ranks
/// held-out pseudo-fakes a little better (docs/training.md) at the cost of a second pass
/// through the model.
final class FlipAveraging: Detector {
    private let model: any Detector

    init(_ model: any Detector) { self.model = model }

    var card: ModelCard { model.card }

    func pFake(crops: [RGBImage]) throws -> [Float] {
        if crops.isEmpty { return [] }
        // One batch of both looks: the engine's batching pays off better than two calls.
        let scores = try model.pFake(crops: crops + crops.map { $0.mirrored() })
        return (0..<crops.count).map { (scores[$0] + scores[crops.count + $0]) / 2 }
    }
}
