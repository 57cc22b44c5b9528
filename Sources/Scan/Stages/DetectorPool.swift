import Detectors
import Foundation
import Imaging
import NN

/// Stage 3 on the project's engine: scores crops with detectors loaded from one weight file.
///
/// A `Detector` owns scratch memory and is not Sendable, so the pool lends each calling
/// thread an instance of its own and takes it back afterwards; instances are made on demand,
/// at most one per video in flight.
public final class DetectorPool: CropMasking, CropClassifying, @unchecked Sendable {
    public let card: ModelCard
    public let makesMasks: Bool
    public let makesAttention: Bool
    public let manipulationClasses: [String]?
    private let load: @Sendable () throws -> any Detector
    // `lock` guards `idle`.
    private let lock = NSLock()
    private var idle: [any Detector] = []

    /// Loads the first instance at once, so a bad weight file fails before any video is read.
    public init(model name: String?, weights: URL) throws {
        let first = if let name { try DetectorRegistry.load(name: name, weights: weights) }
                    else { try DetectorRegistry.load(weights: weights) }
        let architecture = first.card.architecture
        card = first.card
        makesMasks = first is any MaskingDetector
        makesAttention = first is any AttentionDetector
        manipulationClasses = (first as? any ManipulationClassifier)?.manipulationClasses
        idle = [first]
        load = { try DetectorRegistry.load(name: architecture, weights: weights) }
    }

    public func pFake(of crops: [RGBImage]) throws -> [Double] {
        let detector = try borrow()
        defer { giveBack(detector) }
        return try detector.pFake(crops: crops).map(Double.init)
    }

    public func pFakeAndMasks(of crops: [RGBImage]) throws -> [(pFake: Double, mask: ManipulationMask)] {
        let detector = try borrow()
        defer { giveBack(detector) }
        guard let masking = detector as? any MaskingDetector else { throw PipelineError.noMasks }
        return try masking.pFakeAndMasks(crops: crops).map { (Double($0.pFake), $0.mask) }
    }

    public func pFakeAndAttention(of crops: [RGBImage]) throws -> [(pFake: Double, attention: AttentionMaps)] {
        let detector = try borrow()
        defer { giveBack(detector) }
        guard let attending = detector as? any AttentionDetector else { throw PipelineError.noAttention }
        return try attending.pFakeAndAttention(crops: crops).map { (Double($0.pFake), $0.attention) }
    }

    public func classProbabilities(of crops: [RGBImage]) throws -> [[Double]] {
        let detector = try borrow()
        defer { giveBack(detector) }
        guard let classifier = detector as? any ManipulationClassifier else { throw PipelineError.scoreCountMismatch(expected: crops.count, got: 0) }
        return try classifier.classProbabilities(crops: crops).map { $0.map(Double.init) }
    }

    private func borrow() throws -> any Detector {
        lock.lock()
        if let detector = idle.popLast() {
            lock.unlock()
            return detector
        }
        lock.unlock()
        return try load()
    }

    private func giveBack(_ detector: any Detector) {
        lock.lock()
        idle.append(detector)
        lock.unlock()
    }
}
