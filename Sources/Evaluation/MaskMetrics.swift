import Imaging

/// One image's predicted manipulation mask against its ground truth, as pixel counts.
public struct MaskTally: Sendable, Equatable, Codable {
    /// Manipulated in both.
    public var truePositives: Int
    /// Flagged, not manipulated.
    public var falsePositives: Int
    /// Manipulated, not flagged.
    public var falseNegatives: Int
    public var trueNegatives: Int

    public init(truePositives: Int, falsePositives: Int, falseNegatives: Int, trueNegatives: Int) {
        self.truePositives = truePositives
        self.falsePositives = falsePositives
        self.falseNegatives = falseNegatives
        self.trueNegatives = trueNegatives
    }

    /// `predicted` and `truth`: one Bool per pixel (true = manipulated), the same pixels in the same order.
    public init(predicted: [Bool], truth: [Bool]) {
        precondition(predicted.count == truth.count, "\(predicted.count) predicted pixels, \(truth.count) true ones")
        var counts = (0, 0, 0, 0)
        for (p, t) in zip(predicted, truth) {
            switch (p, t) {
            case (true, true): counts.0 += 1
            case (true, false): counts.1 += 1
            case (false, true): counts.2 += 1
            case (false, false): counts.3 += 1
            }
        }
        self.init(truePositives: counts.0, falsePositives: counts.1, falseNegatives: counts.2, trueNegatives: counts.3)
    }

    public var pixels: Int { truePositives + falsePositives + falseNegatives + trueNegatives }
    public var flagged: Int { truePositives + falsePositives }
    public var manipulated: Int { truePositives + falseNegatives }
    public var union: Int { truePositives + falsePositives + falseNegatives }

    /// Intersection over union of the manipulated region; nil when neither mask has any.
    public var iou: Double? { union == 0 ? nil : Double(truePositives) / Double(union) }

    static func + (a: MaskTally, b: MaskTally) -> MaskTally {
        MaskTally(truePositives: a.truePositives + b.truePositives, falsePositives: a.falsePositives + b.falsePositives,
                  falseNegatives: a.falseNegatives + b.falseNegatives, trueNegatives: a.trueNegatives + b.trueNegatives)
    }

    static let zero = MaskTally(truePositives: 0, falsePositives: 0, falseNegatives: 0, trueNegatives: 0)
}

/// Mask quality over a labelled set: on the fakes, pixel accuracy and IoU of the manipulated
/// region (pooled over all their pixels, and the mean of each fake's own IoU); on the reals,
/// the area flagged (every flagged pixel of a real is a false positive).
public struct MaskMetrics: Sendable, Equatable, Codable {
    public var fakes: Int
    public var reals: Int
    /// Fakes: share of pixels where prediction and truth agree.
    public var pixelAccuracy: Double?
    /// Fakes: Σ intersection / Σ union over all fake pixels.
    public var iouPooled: Double?
    /// Fakes: the mean of each fake's IoU, over the fakes where either mask has a pixel.
    public var iouMeanPerImage: Double?
    /// Fakes whose IoU is undefined (no pixel manipulated in the truth, none flagged), left out of the mean.
    public var fakesWithEmptyMasks: Int
    /// Fakes: share of pixels manipulated in the truth, and flagged by the model.
    public var truthFraction: Double?
    public var flaggedFractionFakes: Double?
    /// Reals: share of their pixels flagged (the false-positive area), and reals with any pixel flagged.
    public var flaggedFractionReals: Double?
    public var realsWithFlaggedPixels: Int
    /// All images: share of pixels where prediction and truth agree.
    public var pixelAccuracyAll: Double?
    /// The probability from which a predicted pixel counts as manipulated.
    public var flagThreshold: Double

    /// `images`: each image's tally and whether it is a fake.
    public init(images: [(tally: MaskTally, isFake: Bool)], flagThreshold: Double) {
        let fakeTallies = images.filter(\.isFake).map(\.tally)
        let realTallies = images.filter { !$0.isFake }.map(\.tally)
        let fakeSum = fakeTallies.reduce(.zero, +), realSum = realTallies.reduce(.zero, +)
        let allSum = fakeSum + realSum
        func share(_ part: Int, _ whole: Int) -> Double? { whole == 0 ? nil : Double(part) / Double(whole) }
        let perImage = fakeTallies.compactMap(\.iou)
        fakes = fakeTallies.count
        reals = realTallies.count
        pixelAccuracy = share(fakeSum.truePositives + fakeSum.trueNegatives, fakeSum.pixels)
        iouPooled = fakeSum.iou
        iouMeanPerImage = perImage.isEmpty ? nil : perImage.reduce(0, +) / Double(perImage.count)
        fakesWithEmptyMasks = fakeTallies.count - perImage.count
        truthFraction = share(fakeSum.manipulated, fakeSum.pixels)
        flaggedFractionFakes = share(fakeSum.flagged, fakeSum.pixels)
        flaggedFractionReals = share(realSum.flagged, realSum.pixels)
        realsWithFlaggedPixels = realTallies.filter { $0.flagged > 0 }.count
        pixelAccuracyAll = share(allSum.truePositives + allSum.trueNegatives, allSum.pixels)
        self.flagThreshold = flagThreshold
    }
}

/// Reading ground-truth masks and model masks as per-pixel Booleans.
public enum MaskPixels {
    /// A ground-truth mask image (PNG, grey or RGB): a pixel is manipulated where its first
    /// channel is ≥ 128 (the mask set writes 0 and 255).
    public static func truth(_ image: RGBImage) -> [Bool] {
        stride(from: 0, to: image.pixels.count, by: 3).map { image.pixels[$0] >= 128 }
    }

    /// A model's mask: manipulated where the probability is ≥ `threshold`.
    public static func flagged(_ probabilities: [Float], threshold: Float) -> [Bool] {
        probabilities.map { $0 >= threshold }
    }
}
