import Imaging
import NN
import Tensor

/// Meso-4: four blocks of conv (Keras "same") → ReLU → BatchNorm → max-pool, then the Meso
/// classifier. Checkpoint keys: conv1…conv4, bn1…bn4, fc1, fc2 (Training/models/meso.py).
public final class Meso4: Detector {
    public let card: ModelCard
    private let conv1, conv2, conv3, conv4: Conv2DKernel
    private let bn1, bn2, bn3, bn4: BatchNorm
    private let runner: MesoRunner
    private let workspace = Workspace()

    public init(loader: WeightLoader, card: ModelCard) throws {
        self.card = card
        conv1 = try Conv2d.load(loader, "conv1", inChannels: 3, outChannels: 8, kernel: 3, padding: .same)
        conv2 = try Conv2d.load(loader, "conv2", inChannels: 8, outChannels: 8, kernel: 5, padding: .same)
        conv3 = try Conv2d.load(loader, "conv3", inChannels: 8, outChannels: 16, kernel: 5, padding: .same)
        conv4 = try Conv2d.load(loader, "conv4", inChannels: 16, outChannels: 16, kernel: 5, padding: .same)
        bn1 = try BatchNorm.load(loader, "bn1", channels: 8, epsilon: Meso.batchNormEpsilon)
        bn2 = try BatchNorm.load(loader, "bn2", channels: 8, epsilon: Meso.batchNormEpsilon)
        bn3 = try BatchNorm.load(loader, "bn3", channels: 16, epsilon: Meso.batchNormEpsilon)
        bn4 = try BatchNorm.load(loader, "bn4", channels: 16, epsilon: Meso.batchNormEpsilon)
        runner = MesoRunner(input: try CropInput(card: card), classifier: try MesoClassifier(loader))
        try loader.finish()
    }

    public func pFake(crops: [RGBImage]) throws -> [Float] {
        runner.pFake(crops: crops) { x in
            var x = Meso.pool(conv2d(x, conv1, epilogue: bn1.after(.relu), workspace: workspace), 2)
            x = Meso.pool(conv2d(x, conv2, epilogue: bn2.after(.relu), workspace: workspace), 2)
            x = Meso.pool(conv2d(x, conv3, epilogue: bn3.after(.relu), workspace: workspace), 2)
            return Meso.pool(conv2d(x, conv4, epilogue: bn4.after(.relu), workspace: workspace), 4)
        }
    }
}
