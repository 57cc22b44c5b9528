import Detectors
import Foundation
import Imaging
import Reports
import Testing
import VideoDecode
@testable import Scan

/// p_fake = mean brightness / 255, and two 2×2 attention maps: the first high at the top left
/// in proportion to p_fake, the second all zero.
final class BrightnessAttender: CropMasking, @unchecked Sendable {
    let makesAttention: Bool
    init(makesAttention: Bool = true) { self.makesAttention = makesAttention }
    var makesMasks: Bool { false }

    func pFake(of crops: [RGBImage]) throws -> [Double] { try pFakeAndAttention(of: crops).map(\.pFake) }

    func pFakeAndMasks(of crops: [RGBImage]) throws -> [(pFake: Double, mask: ManipulationMask)] { throw PipelineError.noMasks }

    func pFakeAndAttention(of crops: [RGBImage]) throws -> [(pFake: Double, attention: AttentionMaps)] {
        crops.map { crop in
            let p = Double(crop.pixels.reduce(0) { $0 + Int($1) }) / Double(crop.pixels.count) / 255
            return (p, AttentionMaps(width: 2, height: 2, maps: [[Float(p), 0, 0, 0], [0, 0, 0, 0]]))
        }
    }
}

@Suite struct AttentionScanTests {
    private func levels(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("grey-\(UUID().uuidString).txt").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func theMostSuspiciousCropsAreKeptWithTheirAttentionMaps() throws {
        let path = try levels("51 204 102 255 0 153")
        defer { try? FileManager.default.removeItem(atPath: path) }
        var analyzer = StagedAnalyzer(source: GreyFrameSource(), trackers: HalvesTrackers(), scorer: BrightnessAttender(), batchSize: 3)
        analyzer.suspiciousCropsKept = 3
        analyzer.keepsAttention = true
        let video = try analyzer.analyzeBlocking(path: path)
        #expect(video.faces.count == 9 && video.faces.allSatisfy { $0.mask == nil })
        #expect(video.suspicious.map { [$0.frameIndex, $0.trackID] } == [[9, 0], [3, 0], [15, 0]])
        #expect(video.suspicious.allSatisfy { $0.mask == nil && $0.attention?.maps.count == 2 })
        #expect(video.suspicious.map { Double($0.attention!.maps[0][0]) } == video.suspicious.map(\.pFake).map { Double(Float($0)) })
    }

    @Test func askingAModelWithoutAttentionMapsForThemFails() throws {
        let path = try levels("51")
        defer { try? FileManager.default.removeItem(atPath: path) }
        var analyzer = StagedAnalyzer(source: GreyFrameSource(), trackers: HalvesTrackers(),
                                      scorer: BrightnessAttender(makesAttention: false))
        analyzer.suspiciousCropsKept = 1
        analyzer.keepsAttention = true
        #expect(throws: PipelineError.noAttention) { try analyzer.analyzeBlocking(path: path) }
        // A masking model has no attention maps either.
        var masking = StagedAnalyzer(source: GreyFrameSource(), trackers: HalvesTrackers(), scorer: BrightnessMasker())
        masking.suspiciousCropsKept = 1
        masking.keepsAttention = true
        #expect(throws: PipelineError.noAttention) { try masking.analyzeBlocking(path: path) }
    }

    @Test func eachMapIsAPNGOverTheFaceInTheVideosFolder() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("attention-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let crop = RGBImage(width: 8, height: 8, pixels: [UInt8](repeating: 100, count: 192))
        let maps = AttentionMaps(width: 2, height: 2, maps: [[1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 3]])
        let kept = SuspiciousCrop(frameIndex: 12, trackID: 1, pFake: 0.9, image: crop, mask: nil, attention: maps)
        let files = try AttentionOverlays.write([kept], video: "/videos/a b.mp4", into: directory)
        let names = try #require(files[FrameTrack(frameIndex: 12, trackID: 1)])
        #expect(names.count == 3 && names.allSatisfy { $0.hasPrefix(MaskOverlays.folderName(for: "/videos/a b.mp4") + "/") })
        #expect(names.map { String($0.split(separator: "/").last!) } == ["f000012-t1-a0.png", "f000012-t1-a1.png", "f000012-t1-a2.png"])
        let first = try StillImage.read(path: directory + "/" + names[0])
        #expect(first.width == 16 && first.height == 8)
        // Map 0 peaks at the top left: tinted there on the right half, untouched at the bottom right.
        #expect(first.pixels[8 * 3] > 150 && Array(first.pixels[((7 * 16 + 15) * 3)..<((7 * 16 + 15) * 3 + 3)]) == [100, 100, 100])
        // Crops kept for masks only get no attention files.
        let masked = SuspiciousCrop(frameIndex: 0, trackID: 0, pFake: 1, image: crop,
                                    mask: ManipulationMask(width: 8, height: 8, probabilities: [Float](repeating: 0, count: 64)))
        #expect(try AttentionOverlays.write([masked], video: "v.mp4", into: directory).isEmpty)
    }

    @Test func jsonlAndStoreCarryTheAttentionFiles() throws {
        let plain = FaceRow(video: "v", frameIndex: 0, seconds: 0, track: 0, box: FaceBox(x: 0, y: 0, width: 1, height: 1), pFake: 0.5)
        #expect(try !plain.jsonLine().contains("attention"))
        var attended = plain
        attended.attentionFiles = ["v-1/f000000-t0-a0.png", "v-1/f000000-t0-a1.png"]
        let line = try attended.jsonLine()
        #expect(line.contains("\"attention_files\":[\"v-1/f000000-t0-a0.png\",\"v-1/f000000-t0-a1.png\"]"))
        #expect(try FaceRow.parseLines(line) == [attended])
        let directory = try ResultStoreTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fingerprint = ResultStoreTests.configuration.fingerprint
        let key = FileKey(path: "/v/attended.mp4", size: 10, modificationNanoseconds: 1)
        var faces = ResultStoreTests.faces(key.path, [0.6, 0.8])
        faces[1].attentionFiles = ["attended.mp4-00000000/f000005-t1-a0.png"]
        try ResultStore(path: directory + "/results.sqlite")
            .commit(key: key, configuration: fingerprint, row: ResultStoreTests.row(key.path, 0.7), faces: faces)
        #expect(try ResultStore(path: directory + "/results.sqlite").faces(path: key.path, configuration: fingerprint) == faces)
    }
}
