import Foundation
import Testing
import TestSupport

/// 4.5 MB of animated PNG that decodes to one 16000 × 16000 RGBA picture (1 GB): the scan
/// refuses it with one error row and never decodes it, not even while FFmpeg probes the
/// stream (avformat_find_stream_info decodes a first picture of PNG streams).
@Suite(.serialized) struct DecompressionBombTests {
    @Test(.disabled(if: HostileCorpusTests.missing != nil, "\(HostileCorpusTests.missing ?? "")"))
    func aBombIsRefusedWithoutDecodingIt() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bomb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let bomb = folder.appendingPathComponent("bomb.mp4").path
        let generator = try ChildProcess.run("timeout", ["60", "python3", HostileCorpusTests.generator.path, "--bomb-only", bomb])
        try #require(generator.succeeded, "make_corpus.py --bomb-only failed: \(generator.stderrText)")

        let csv = folder.appendingPathComponent("bomb.csv").path
        let scan = try MeasuredChild.run(ExitCodeTests.binary!.path, ["scan", bomb, "--csv", csv, "--frames", "4"],
                                         limitSeconds: 120, scratch: folder)
        #expect(scan.ending == .exited(1), "\(scan.ending)\n\(scan.stderr.suffix(2000))")
        // A scan of one small video peaks near 120 MiB; the decoded picture alone is 1 GiB.
        #expect(scan.maxResidentKiB < 512 * 1024, "peak RSS \(scan.maxResidentKiB / 1024) MiB")
        let text = try String(contentsOfFile: csv, encoding: .utf8)
        #expect(text.contains("frames too large: 16000×16000 pixels"), "\(text)")
    }
}
