import Detectors
import Foundation
import Imaging
import NN

/// Stage 3 with one or more models: every model scores the same crops, so a video is decoded
/// and its faces found once however many models judge it (`scan --model A --model B`).
///
/// Each model is a `DetectorPool`, which lends every calling thread a detector of its own:
/// a video's thread borrows one instance of each model at a time.
public struct ModelPanel: CropMasking, CropClassifying {
    public let pools: [DetectorPool]

    public init(pools: [DetectorPool]) {
        precondition(!pools.isEmpty, "a panel needs at least one model")
        self.pools = pools
    }

    public var cards: [ModelCard] { pools.map(\.card) }

    /// Masks come from a single model only (`scan --masks` takes one model).
    public var makesMasks: Bool { pools.count == 1 && pools[0].makesMasks }

    public func pFake(of crops: [RGBImage]) throws -> [Double] {
        try pools[0].pFake(of: crops)
    }

    /// Manipulation classes come from a single model only.
    public var manipulationClasses: [String]? { pools.count == 1 ? pools[0].manipulationClasses : nil }

    public func classProbabilities(of crops: [RGBImage]) throws -> [[Double]] {
        try pools[0].classProbabilities(of: crops)
    }

    public func pFakeByModel(of crops: [RGBImage]) throws -> [[Double]] {
        try pools.map { try $0.pFake(of: crops) }
    }

    public func pFakeAndMasks(of crops: [RGBImage]) throws -> [(pFake: Double, mask: ManipulationMask)] {
        guard makesMasks else { throw PipelineError.noMasks }
        return try pools[0].pFakeAndMasks(of: crops)
    }

    /// Attention maps come from a single model only (`scan --attention` takes one model).
    public var makesAttention: Bool { pools.count == 1 && pools[0].makesAttention }

    public func pFakeAndAttention(of crops: [RGBImage]) throws -> [(pFake: Double, attention: AttentionMaps)] {
        guard makesAttention else { throw PipelineError.noAttention }
        return try pools[0].pFakeAndAttention(of: crops)
    }
}
