import Foundation
import Testing
import Imaging
import Reports
import VideoDecode
@testable import Scan

/// What the HTML report adds for MAT (attention maps beside the faces, read from `scan
/// --attention`'s folder) and for models with manipulation classes (`scan --html`, also resumed
/// from the store).
@Suite struct ReportModelPartsTests {
    static let box = FaceBox(x: 0, y: 0, width: 10, height: 10)

    /// A folder with the overlays `AttentionOverlays` would write for one crop (the face on the
    /// left, red on the right), but map 3 of 4 missing.
    static func attentionFolder() throws -> (folder: String, face: FaceRow) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("attention-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder + "/clip.mp4-0a1b2c3d", withIntermediateDirectories: true)
        var picture = RGBImage(width: 512, height: 256)
        for y in 0..<256 { for x in 256..<512 { picture.pixels[(y * 512 + x) * 3] = 255 } }
        let files = (0..<4).map { "clip.mp4-0a1b2c3d/f000010-t0-a\($0).png" }
        for file in files where !file.hasSuffix("a2.png") { try StillImage.writePNG(picture, to: folder + "/" + file) }
        let face = FaceRow(video: "/v/clip.mp4", frameIndex: 10, seconds: 0.4, track: 0, box: box, pFake: 0.9,
                           attentionFiles: files)
        return (folder, face)
    }

    @Test func attentionMapsAreInlinedBesideTheFaceAndAMissingFileIsOneNote() throws {
        let (folder, face) = try Self.attentionFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let thumbnail = FaceThumbnail(face: face, jpeg: [0xFF, 0xD8, 0xFF, 0xD9])
        let (shown, note) = FaceThumbnails(attentionDirectory: folder).withAttentionMaps([thumbnail])
        let maps = try #require(shown.first?.attentionMaps)
        #expect(maps.map(\.label) == ["attention map 1 of 4", "attention map 2 of 4", "attention map 4 of 4"])
        #expect(note == "1 of 4 attention map files could not be read and are not shown, e.g. "
                + "\(folder)/clip.mp4-0a1b2c3d/f000010-t0-a2.png (no such file).")
        // Each is the tinted half of its file, shrunk to 64×64, as JPEG.
        try Data(maps[0].bytes).write(to: URL(fileURLWithPath: folder + "/shown.jpg"))
        let picture = try StillImage.read(path: folder + "/shown.jpg")
        #expect(picture.width == 64 && picture.height == 64 && maps[0].mimeType == "image/jpeg")
        #expect(stride(from: 0, to: picture.pixels.count, by: 3).allSatisfy { picture.pixels[$0] > 200 })

        let url = URL(fileURLWithPath: folder + "/report.html")
        let row = VideoRow(path: "/v/clip.mp4", status: .ok, pFake: 0.9, verdict: .fake, threshold: 0.5, model: "mat",
                           aggregator: "mean", framesSampled: 1, framesWithFace: 1, faceTracks: 1)
        let writer = try HTMLReportWriter(url: url, run: HTMLReportRun(), rows: [row])
        try writer.add(VideoEvidence(faces: [face], thumbnails: shown, attentionNote: note))
        try writer.finish()
        let html = try String(contentsOf: url, encoding: .utf8)
        let figure = try #require(html.components(separatedBy: "<figure class=\"attention\">").dropFirst().first)
        #expect(figure.hasPrefix(#"<div class="maps"><img src="data:image/jpeg;base64,"#))
        #expect(figure.components(separatedBy: "<img src=\"data:image/jpeg;base64,").count - 1 == 3)
        #expect(figure.contains(#"alt="attention map 4 of 4" title="attention map 4 of 4">"#))
        #expect(figure.contains("<figcaption>attention maps: where the model looked (red)</figcaption>"))
        #expect(html.contains("<p class=\"note\">1 of 4 attention map files could not be read and are not shown, e.g. "))
        #expect(html.contains(".maps{"), "the maps' CSS comes with them")
    }

    @Test func withoutTheFolderTheCardSaysWhereToFindTheMaps() throws {
        let face = FaceRow(video: "/v/clip.mp4", frameIndex: 10, seconds: 0.4, track: 0, box: Self.box, pFake: 0.9,
                           attentionFiles: ["clip.mp4-0a1b2c3d/f000010-t0-a0.png"])
        let (shown, note) = FaceThumbnails().withAttentionMaps([FaceThumbnail(face: face, jpeg: [1])])
        #expect(shown.first?.attentionMaps.isEmpty == true)
        #expect(note?.contains("report --attention DIR") == true)
        var plain = face
        plain.attentionFiles = nil
        let (_, none) = FaceThumbnails(attentionDirectory: "/nowhere").withAttentionMaps([FaceThumbnail(face: plain, jpeg: [1])])
        #expect(none == nil)
    }

    /// `scan --html` of a model with classes: the table column and each scored card's bars, from
    /// the faces in the store, and the same again when every row comes back from the store.
    @Test func theScansReportHasTheClassesAlsoWhenResumed() async throws {
        let fixture = try TextVideoFixture()
        defer { fixture.remove() }
        var configuration = RunConfiguration(model: "m", frames: 8, aggregator: .mean, threshold: 0.5)
        configuration.manipulationClasses = ManipulationColumnsTests.classes
        let html = fixture.root + "/report.html"
        let request = ScanRequest(
            paths: [fixture.videos], options: ScanOptions(configuration: configuration, jobs: 2),
            csvPath: fixture.root + "/out.csv", storePath: fixture.root + "/out.sqlite",
            html: HTMLReportJob(path: html, run: HTMLReportRun(), thumbnails: nil, jobs: 2))
        let result = try await ScanJob(request: request, analyzer: ManipulationColumnsTests.ClassAnalyzer()).run()
        let scored = result.rows.filter { $0.status == .ok }.count
        #expect(scored > 0)
        for run in ["first", "resumed"] {
            if run == "resumed" {
                try FileManager.default.removeItem(atPath: html)
                let again = try await ScanJob(request: request, analyzer: ManipulationColumnsTests.ClassAnalyzer()).run()
                #expect(again.reused > 0)
            }
            let text = try String(contentsOfFile: html, encoding: .utf8)
            #expect(text.contains(#"<th><button data-key="manipulation">manipulation</button></th>"#), "\(run)")
            #expect(text.components(separatedBy: "<ul class=\"bars\">").count - 1 == scored, "\(run)")
            #expect(text.contains("<dt>manipulation</dt><dd>lip_sync (p 0.600)</dd>"), "\(run): the 12 fake video's worst track")
        }
    }
}
