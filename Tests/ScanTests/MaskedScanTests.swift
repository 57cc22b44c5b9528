import Detectors
import Foundation
import Imaging
import Reports
import Testing
import VideoDecode
@testable import Scan

/// p_fake = mean brightness / 255, and a mask whose left half is that probability, right half 0.
final class BrightnessMasker: CropMasking, @unchecked Sendable {
    let makesMasks: Bool
    init(makesMasks: Bool = true) { self.makesMasks = makesMasks }

    func pFake(of crops: [RGBImage]) throws -> [Double] { try pFakeAndMasks(of: crops).map(\.pFake) }

    func pFakeAndMasks(of crops: [RGBImage]) throws -> [(pFake: Double, mask: ManipulationMask)] {
        crops.map { crop in
            let p = Double(crop.pixels.reduce(0) { $0 + Int($1) }) / Double(crop.pixels.count) / 255
            let values = (0..<(crop.width * crop.height)).map { $0 % crop.width < crop.width / 2 ? Float(p) : 0 }
            return (p, ManipulationMask(width: crop.width, height: crop.height, probabilities: values))
        }
    }
}

@Suite struct MaskedScanTests {
    private func levels(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("grey-\(UUID().uuidString).txt").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func facesGetMaskStatisticsAndTheMostSuspiciousCropsAreKept() throws {
        let path = try levels("51 204 102 255 0 153")
        defer { try? FileManager.default.removeItem(atPath: path) }
        var analyzer = StagedAnalyzer(source: GreyFrameSource(), trackers: HalvesTrackers(), scorer: BrightnessMasker(), batchSize: 3)
        analyzer.suspiciousCropsKept = 3
        let video = try analyzer.analyzeBlocking(path: path)
        #expect(video.faces.count == 9)
        for face in video.faces {
            let mask = try #require(face.mask)
            // Left half of a 4-wide crop at p: half the pixels flagged when p ≥ 0.5, mean p / 2.
            #expect(mask.flaggedFraction == (face.score.pFake >= 0.5 ? 0.5 : 0))
            #expect(abs(mask.meanProbability - face.score.pFake / 2) < 1e-6)
        }
        // Brightest first: 255 (frame 9, track 0), 204 (frame 3, track 0), then 153 (frame 15, track 0).
        #expect(video.suspicious.map { [$0.frameIndex, $0.trackID] } == [[9, 0], [3, 0], [15, 0]])
        #expect(video.suspicious.map(\.pFake) == video.suspicious.map(\.pFake).sorted(by: >))
    }

    @Test func withoutMasksAskedForNothingIsKept() throws {
        let path = try levels("51 204")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let video = try StagedAnalyzer(source: GreyFrameSource(), trackers: HalvesTrackers(), scorer: BrightnessMasker())
            .analyzeBlocking(path: path)
        #expect(video.faces.allSatisfy { $0.mask == nil } && video.suspicious.isEmpty)
    }

    @Test func askingAModelWithoutMasksForMasksFails() throws {
        let path = try levels("51")
        defer { try? FileManager.default.removeItem(atPath: path) }
        var analyzer = StagedAnalyzer(source: GreyFrameSource(), trackers: HalvesTrackers(),
                                      scorer: BrightnessMasker(makesMasks: false))
        analyzer.suspiciousCropsKept = 1
        #expect(throws: PipelineError.noMasks) { try analyzer.analyzeBlocking(path: path) }
    }

    @Test func overlaysArePNGFilesInAFolderPerVideo() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("masks-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let crop = RGBImage(width: 4, height: 2, pixels: [UInt8](repeating: 100, count: 24))
        let mask = ManipulationMask(width: 4, height: 2, probabilities: [1, 0, 0, 0, 0, 0, 0, 0.5])
        let suspicious = SuspiciousCrop(frameIndex: 12, trackID: 1, pFake: 0.9, image: crop, mask: mask)
        let files = try MaskOverlays.write([suspicious], video: "/videos/a b.mp4", into: directory)
        let file = try #require(files[FrameTrack(frameIndex: 12, trackID: 1)])
        #expect(file.hasPrefix("a_b.mp4-") && file.hasSuffix("/f000012-t1.png"))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + file))
        #expect(bytes.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
        // Same name elsewhere: another folder.
        #expect(MaskOverlays.folderName(for: "/other/a b.mp4") != MaskOverlays.folderName(for: "/videos/a b.mp4"))
    }

    @Test func aCropOfAnotherSizeIsResampledToTheMask() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("masks-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // --crop-size 128 with a 256-input model: the mask is the model's size, the crop is not.
        let crop = RGBImage(width: 8, height: 8, pixels: [UInt8](repeating: 90, count: 192))
        let mask = ManipulationMask(width: 4, height: 4, probabilities: [Float](repeating: 1, count: 16))
        let files = try MaskOverlays.write([SuspiciousCrop(frameIndex: 0, trackID: 0, pFake: 1, image: crop, mask: mask)],
                                           video: "v.mp4", into: directory)
        let overlay = try StillImage.read(path: directory + "/" + files.values.first!)
        #expect(overlay.width == 8 && overlay.height == 4)
    }

    @Test func overlayShowsTheFaceBesideItsTintedCopy() {
        let crop = RGBImage(width: 2, height: 1, pixels: [100, 100, 100, 100, 100, 100])
        let image = ManipulationMask(width: 2, height: 1, probabilities: [1, 0]).overlay(on: crop)
        #expect(image.width == 4 && image.height == 1)
        // Face unchanged on the left; on the right, full probability → 40 % face + 60 % red.
        #expect(Array(image.pixels[0..<6]) == [100, 100, 100, 100, 100, 100])
        #expect(Array(image.pixels[6..<9]) == [193, 59, 59])
        #expect(Array(image.pixels[9..<12]) == [100, 100, 100])
    }

    @Test func jsonlCarriesMaskFieldsOnlyWhenPresent() throws {
        let plain = FaceRow(video: "v", frameIndex: 0, seconds: 0, track: 0, box: FaceBox(x: 0, y: 0, width: 1, height: 1), pFake: 0.5)
        #expect(try !plain.jsonLine().contains("mask"))
        var masked = plain
        (masked.maskFlagged, masked.maskMean, masked.maskFile) = (0.25, 0.125, "v-1/f000000-t0.png")
        let line = try masked.jsonLine()
        #expect(line.contains("\"mask_flagged\":0.25") && line.contains("\"mask_mean\":0.125")
                && line.contains("\"mask_file\":\"v-1/f000000-t0.png\""))
        #expect(try FaceRow.parseLines(line) == [masked])
    }

    /// The JSONL is streamed back from the store, so the mask fields must survive it.
    @Test func theStoreKeepsMaskFields() throws {
        let directory = try ResultStoreTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fingerprint = ResultStoreTests.configuration.fingerprint
        let key = FileKey(path: "/v/masked.mp4", size: 10, modificationNanoseconds: 1)
        var faces = ResultStoreTests.faces(key.path, [0.6, 0.8])
        (faces[1].maskFlagged, faces[1].maskMean, faces[1].maskFile) = (0.3, 0.2, "masked.mp4-00000000/f000005-t1.png")
        (faces[0].maskFlagged, faces[0].maskMean) = (0, 0.01)
        try ResultStore(path: directory + "/results.sqlite")
            .commit(key: key, configuration: fingerprint, row: ResultStoreTests.row(key.path, 0.7), faces: faces)
        let reopened = try ResultStore(path: directory + "/results.sqlite")
        #expect(try reopened.faces(path: key.path, configuration: fingerprint) == faces)
    }
}
