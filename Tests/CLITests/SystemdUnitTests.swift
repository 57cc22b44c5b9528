import Foundation
import Testing
import TestSupport

/// Pipelines/systemd: `systemd-analyze verify` accepts the service and timer (with ExecStart
/// pointed at this build, since verify checks that the program exists) without a warning, and
/// the cron line has its six fields and runs the same pipeline.
@Suite struct SystemdUnitTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Pipelines/systemd").standardizedFileURL
    static let installedBinary = "/usr/local/bin/deepfake-scan"

    @Test func serviceAndTimerVerify() throws {
        guard let analyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first(where: FileManager.default.isExecutableFile),
              let binary = ExitCodeTests.binary else {
            print("skipped: systemd-analyze (Debian's systemd) or the deepfake-scan build missing")
            return
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("units-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        var units: [String] = []
        for name in ["deepfake-scan-nightly.service", "deepfake-scan-nightly.timer"] {
            let text = try String(contentsOf: Self.folder.appendingPathComponent(name), encoding: .utf8)
            let copy = scratch.appendingPathComponent(name)
            try text.replacingOccurrences(of: Self.installedBinary, with: binary.path).write(to: copy, atomically: true, encoding: .utf8)
            units.append(copy.path)
        }
        let finished = try ChildProcess.run(analyze, ["verify"] + units)
        let output = finished.stdoutText + finished.stderrText
        #expect(finished.succeeded, "\(output)")
        #expect(output.isEmpty, "systemd-analyze: \(output)")
    }

    @Test func theServiceAndCronRunTheNightlyPipeline() throws {
        let service = try String(contentsOf: Self.folder.appendingPathComponent("deepfake-scan-nightly.service"), encoding: .utf8)
        #expect(service.contains("ExecStart=\(Self.installedBinary) run /etc/deepfake-scan/nightly.yml\n"))
        #expect(service.contains("SuccessExitStatus=1\n"))
        let cron = try String(contentsOf: Self.folder.appendingPathComponent("deepfake-scan.cron"), encoding: .utf8)
        let lines = cron.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }
        #expect(lines.count == 1)
        let fields = lines[0].split(separator: " ", maxSplits: 6).map(String.init)
        #expect(fields.count == 7 && fields[5] == "root")
        #expect(fields[6].contains("\(Self.installedBinary) run /etc/deepfake-scan/nightly.yml"))
        #expect(fields[6].hasPrefix("flock -n "))
    }
}
