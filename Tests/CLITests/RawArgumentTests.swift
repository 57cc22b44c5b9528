import Foundation
import Testing
import Reports
import TestSupport

/// A file name that is not UTF-8, named on the command line, is scanned as it is, and its
/// CSV path is the lossless `file://` form (issue 16, 6).
@Suite struct RawArgumentTests {
    static let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Samples/coffee_no_face.mp4")

    @Test(.disabled(if: ExitCodeTests.binary == nil, "deepfake-scan not built"))
    func aNameThatIsNotUTF8OnTheCommandLineIsScanned() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("rawarg-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        // The shell makes the name and passes it as raw bytes: Foundation's Process only takes Strings.
        let shell = try ChildProcess.run("/bin/sh", [
            "-c", #"cd "$1" && name="$(printf 'bad_\377.mp4')" && cp "$2" "$name" && exec "$0" scan "$name" --frames 2 --csv out.csv"#,
            try #require(ExitCodeTests.binary).path, root, Self.sample.path,
        ])
        #expect(shell.status == 0, "\(shell.stderrText)")
        let rows = try ReportWriter.readCSV(at: URL(fileURLWithPath: root + "/out.csv"))
        #expect(rows.map(\.path) == ["file://\(root)/bad_%FF.mp4"])
        #expect(rows.map(\.status) == [.noFace])
    }
}
