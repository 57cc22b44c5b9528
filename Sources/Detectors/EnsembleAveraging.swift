import Foundation
import Imaging
import NN

/// A detector made of several models of one architecture and input: the member files an
/// ensemble card names (`ensemble_members`), beside the card's own tensorless file. p_fake is
/// the mean of the members'. Two independently trained models err on different crops, so their
/// mean ranks held-out pseudo-fakes better than either (docs/models.md); it costs one pass
/// per member.
final class EnsembleAveraging: Detector {
    private let members: [any Detector]
    let card: ModelCard

    init(_ members: [any Detector], card: ModelCard) {
        precondition(!members.isEmpty, "an ensemble needs members")
        self.members = members
        self.card = card
    }

    /// Loads each member of `card` from `folder` with `factory`. A member must be the file the
    /// ensemble was measured with (same SHA-256) and a single model with the ensemble's
    /// architecture, input size, colour order and scaling; its own test-time augmentation is
    /// not used (the ensemble card's applies to the whole).
    static func load(_ members: [EnsembleMember], of card: ModelCard, from folder: URL,
                     factory: DetectorRegistry.Factory) throws -> EnsembleAveraging {
        let models = try members.map { member -> any Detector in
            let url = folder.appendingPathComponent(member.file)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw DetectorError.ensembleMember(file: member.file, problem: "not found in \(folder.path)")
            }
            let loader: WeightLoader, memberCard: ModelCard
            do {
                loader = try WeightLoader(url: url)
                memberCard = try ModelCard(metadata: loader.metadata)
            } catch {
                throw DetectorError.ensembleMember(file: member.file, problem: "\(error)")
            }
            try checkDigest(of: loader.file, member: member)
            let mismatch = [("architecture", memberCard.architecture, card.architecture),
                            ("input_size", String(memberCard.inputSize), String(card.inputSize)),
                            ("colour_order", memberCard.colourOrder, card.colourOrder),
                            ("scaling", memberCard.scaling, card.scaling)].first { $0.1 != $0.2 }
            if let (field, found, expected) = mismatch {
                throw DetectorError.ensembleMember(file: member.file, problem: "\(field) is \(found), the ensemble's \(expected)")
            }
            if memberCard.ensembleMembers != nil {
                throw DetectorError.ensembleMember(file: member.file, problem: "is itself an ensemble")
            }
            return try factory(loader, memberCard)
        }
        return EnsembleAveraging(models, card: card)
    }

    /// Fails unless `file` has the member's pinned SHA-256. Each file is hashed once per process
    /// (by its on-disk identity: inode, size, change time): a scan loads one detector per worker,
    /// and hashing the default's two members again for every worker is a noticeable delay.
    private static func checkDigest(of file: SafeTensorsFile, member: EnsembleMember) throws {
        let stamp = "\(file.identity)|\(member.sha256)"
        if checkedFiles.contains(stamp) { return }
        let digest = file.sha256()
        guard digest == member.sha256 else {
            throw DetectorError.ensembleMember(file: member.file, problem: "SHA-256 is \(digest), not the "
                + "\(member.sha256) the ensemble was measured with: re-export the ensemble for this file")
        }
        checkedFiles.insert(stamp)
    }

    private static let checkedFiles = CheckedFiles()

    func pFake(crops: [RGBImage]) throws -> [Float] {
        if crops.isEmpty { return [] }
        // Members that would each resize the crops the same way get them resized once.
        let size = card.inputSize
        let input = members.allSatisfy({ $0 is any ResizesCropsBilinearly })
            ? crops.map { $0.width == size && $0.height == size ? $0 : resizedBilinear($0, to: size) } : crops
        var sums = [Float](repeating: 0, count: crops.count)
        for member in members {
            for (index, score) in try member.pFake(crops: input).enumerated() { sums[index] += score }
        }
        return sums.map { $0 / Float(members.count) }
    }
}

/// A detector whose crops reach the network only through `CropInput` (`resizedBilinear` to the
/// card's input size, then scaling): crops resized that way beforehand give it the same scores.
protocol ResizesCropsBilinearly: Detector {}

extension EfficientNetLite0: ResizesCropsBilinearly {}

/// Member files whose digest matched, shared by the threads that load detectors.
private final class CheckedFiles: @unchecked Sendable {
    // `lock` guards `stamps`.
    private let lock = NSLock()
    private var stamps: Set<String> = []

    func contains(_ stamp: String) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return stamps.contains(stamp)
    }

    func insert(_ stamp: String) {
        lock.lock()
        stamps.insert(stamp)
        lock.unlock()
    }
}
