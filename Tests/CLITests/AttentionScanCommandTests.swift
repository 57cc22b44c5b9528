import Foundation
import Reports
import Testing
import TestSupport

/// `scan --attention DIR` with the built binary and the bundled MAT, on a lavfi-made video (a face
/// pasted on a grey background): each of the most suspicious crops gets one PNG per attention map,
/// the JSONL names them, and `--html` shows them beside those faces; a model without attention maps
/// is a usage error.
@Suite(.serialized) struct AttentionScanCommandTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("attention-\(UUID().uuidString)").path

    @Test(.disabled(if: MultiModelScanTests.missing != nil, "\(MultiModelScanTests.missing ?? "")"))
    func theMostSuspiciousCropsGetOneOverlayPerAttentionMap() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let sample = ScanEndToEndTests.packageRoot.appendingPathComponent("Samples/astronaut_real.mp4").path
        _ = try ChildProcess.ffmpeg([
            "-f", "lavfi", "-i", "color=c=gray:s=320x320:r=25:d=2", "-i", sample, "-filter_complex",
            "[1:v]scale=220:220[f];[0:v][f]overlay=50:50:shortest=1", "-c:v", "libx264", "-pix_fmt", "yuv420p",
            folder + "/face.mp4",
        ])
        let finished = try ChildProcess.run(
            try #require(ExitCodeTests.binary).path,
            ["scan", folder + "/face.mp4", "--model", "mat", "--frames", "10", "--csv", folder + "/out.csv",
             "--jsonl", folder + "/faces.jsonl", "--attention", folder + "/attention", "--html", folder + "/report.html"],
            environment: ["DEEPFAKE_SCAN_WEIGHTS": nil], stdout: .discard)
        #expect(finished.status == 0, "\(finished.stderrText)")
        let faces = try FaceRow.parseLines(String(contentsOfFile: folder + "/faces.jsonl", encoding: .utf8))
        #expect(faces.count > 3)  // the pasted face is found in most of the 10 frames
        let named = faces.filter { $0.attentionFiles != nil }
        #expect(named.count == 3)  // ScanPipeline.overlaysPerVideo
        // The named crops are the three with the highest p_fake.
        #expect(Set(named.map(\.pFake)) == Set(faces.map(\.pFake).sorted(by: >).prefix(3)))
        for face in named {
            let files = try #require(face.attentionFiles)
            #expect(files.count == 4)
            for file in files {
                let bytes = try Data(contentsOf: URL(fileURLWithPath: folder + "/attention/" + file))
                #expect(bytes.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
            }
        }
        // The report: beside each of those faces its four maps, inline as JPEG.
        let html = try String(contentsOfFile: folder + "/report.html", encoding: .utf8)
        #expect(html.components(separatedBy: "<figure class=\"attention\">").count - 1 == 3)
        #expect(html.components(separatedBy: #"<img src="data:image/jpeg;base64,"#).count - 1 >= 3 * 4 + 3)
        for map in 1...4 { #expect(html.components(separatedBy: "alt=\"attention map \(map) of 4\"").count - 1 == 3) }
        #expect(!html.contains("could not be read"))

        // `report --attention` later, with one map file gone: the other maps, and one line on it.
        let gone = try #require(named.first?.attentionFiles?.last)
        try FileManager.default.removeItem(atPath: folder + "/attention/" + gone)
        let report = try ChildProcess.run(
            try #require(ExitCodeTests.binary).path,
            ["report", folder + "/out.csv", "--faces", folder + "/faces.jsonl", "--attention", folder + "/attention",
             "--out", folder + "/later.html"], stdout: .discard)
        #expect(report.status == 0, "\(report.stderrText)")
        let later = try String(contentsOfFile: folder + "/later.html", encoding: .utf8)
        #expect(later.components(separatedBy: "alt=\"attention map ").count - 1 == 3 * 4 - 1)
        #expect(later.contains("<p class=\"note\">1 of 12 attention map files could not be read and are not shown, e.g. "
                               + folder + "/attention/" + gone + " (no such file).</p>"))
    }

    @Test(.disabled(if: ExitCodeTests.binary == nil, "deepfake-scan not built"))
    func aModelWithoutAttentionMapsIsAUsageError() throws {
        for (options, message) in [
            (["--model", "sbi-meso4", "--attention", "a"], "gives no attention maps"),
            (["--model", "mat", "--attention", "a", "--masks", "m"], "cannot be combined"),
        ] {
            let finished = try ChildProcess.run(try #require(ExitCodeTests.binary).path,
                                                ["scan", "nothing.mp4", "--csv", "/tmp/never-\(UUID().uuidString).csv"] + options,
                                                environment: ["DEEPFAKE_SCAN_WEIGHTS": nil])
            #expect(finished.status == 2 && finished.stderrText.contains(message), "\(options): \(finished.stderrText)")
        }
    }
}
