import Foundation
import Testing
import Imaging
import Reports
import VideoDecode
@testable import Scan

/// The HTML report shows the mask overlay `scan --masks` wrote for a crop over its face.
@Suite struct MaskOverlayReportTests {
    @Test func aFaceWithAMaskFileGetsItsOverlay() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("masks-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/clip.mp4-0a1b2c3d", withIntermediateDirectories: true)
        // As MaskOverlays writes them: the face on the left, the face under its mask on the right.
        var picture = RGBImage(width: 512, height: 256)
        for y in 0..<256 { for x in 256..<512 { picture.pixels[(y * 512 + x) * 3] = 255 } }
        try StillImage.writePNG(picture, to: folder + "/clip.mp4-0a1b2c3d/f000010-t0.png")
        let thumbnails = FaceThumbnails(masksDirectory: folder)
        let box = FaceBox(x: 0, y: 0, width: 10, height: 10)
        let masked = FaceRow(video: "/v/clip.mp4", frameIndex: 10, seconds: 0.4, track: 0, box: box, pFake: 0.9,
                             maskFlagged: 0.42, maskMean: 0.3, maskFile: "clip.mp4-0a1b2c3d/f000010-t0.png")
        let overlays = thumbnails.maskOverlays(for: masked)
        #expect(overlays.map(\.label) == ["manipulation mask, 42 % of the face flagged"])
        #expect(overlays.first?.mimeType == "image/jpeg")
        try Data(try #require(overlays.first?.bytes)).write(to: URL(fileURLWithPath: folder + "/shown.jpg"))
        let shown = try StillImage.read(path: folder + "/shown.jpg")
        #expect(shown.width == 128 && shown.height == 128)
        // Only the masked (red) half, scaled to the thumbnail.
        #expect(stride(from: 0, to: shown.pixels.count, by: 3).allSatisfy { shown.pixels[$0] > 200 })
        #expect(FaceThumbnails().maskOverlays(for: masked).isEmpty)
        var plain = masked
        plain.maskFile = nil
        #expect(thumbnails.maskOverlays(for: plain).isEmpty)
        var missing = masked
        missing.maskFile = "clip.mp4-0a1b2c3d/gone.png"
        #expect(thumbnails.maskOverlays(for: missing).isEmpty)
    }
}
