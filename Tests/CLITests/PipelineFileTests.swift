import Foundation
import Testing
import Reports
import TestSupport
@testable import deepfake_scan

/// Pipeline files (`deepfake-scan run FILE`): every scan option has a key, the committed examples
/// are valid scans, mistakes name their line, options after the file override it, and a real run
/// writes what a scan writes.
@Suite struct PipelineFileTests {
    static let pipelines = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Pipelines").standardizedFileURL
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pipeline-\(UUID().uuidString)")

    func write(_ text: String) throws -> String {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("p.yml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func scan(_ arguments: [String]) throws -> ScanCommand {
        try ScanCommand.parse(try Run.parse(arguments).scanArguments().arguments)
    }

    @Test func everyScanOptionHasAKey() {
        let help = ScanCommand.helpMessage(columns: 400)
        let options = Set(help.matches(of: /--([a-z][a-z-]*)/).map { String($0.output.1) })
        let keys = Set(PipelineFile.keys.flatMap { $0.keys.map(\.name) })
        // `--no-keyframes` is `keyframes: false`.
        #expect(options.subtracting(["help", "version", "no-keyframes"]) == keys.subtracting(["paths"]))
        let documented = try? String(contentsOf: Self.pipelines.appendingPathComponent("../docs/pipelines.md"), encoding: .utf8)
        for key in keys { #expect(documented?.contains("| `\(key)` |") == true, "docs/pipelines.md lacks \(key)") }
    }

    @Test(arguments: ["nightly.yml", "quick-triage.yml", "forensic.yml"])
    func theExamplesAreValidScans(_ name: String) throws {
        let command = try scan([Self.pipelines.appendingPathComponent(name).path, "extra.mp4"])
        #expect(!command.arguments.csv.isEmpty)
        #expect(command.arguments.paths.contains("extra.mp4"))
    }

    @Test func optionsAfterTheFileOverrideIt() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try write("inputs:\n  paths: [-odd name.mp4, b.mp4]\nrun:\n  jobs: 2\noutputs:\n  csv: o.csv\nsampling:\n  frames: 8\n")
        let plain = try scan([path])
        #expect(plain.arguments.limits.jobCount == 2 && plain.arguments.paths == ["-odd name.mp4", "b.mp4"])
        let overridden = try scan([path, "--jobs", "1", "--frames", "4", "--rescan"])
        #expect(overridden.arguments.limits.jobCount == 1 && overridden.arguments.rescan)
        #expect(overridden.sampling.frameCountForReport == 4)
    }

    @Test(arguments: [
        ("outputs:\n  csv: o.csv\nsampling:\n  frame: 8\n", ":4: unknown key 'frame' in 'sampling'"),
        ("outputs:\n  csv: o.csv\nrun:\n  jobs: two\n", ":4: 'jobs' must be a whole number"),
        ("outputs:\n  csv: o.csv\ninputs:\n  recursive: maybe\n", ":4: 'recursive' must be true or false"),
        ("outputs:\n  csv: o.csv\nmodels:\n  model: x\n", ":3: unknown section 'models'"),
        ("outputs:\n  csv: [a, b]\n", ":2: 'csv' must be a text"),
        ("- a\n- b\n", ":1: the top level must be a mapping"),
    ])
    func mistakesNameTheirLine(_ text: String, _ expected: String) throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try write(text)
        #expect { try PipelineFile(path: path) } throws: { error in
            "\(error)".hasPrefix(path) && "\(error)".contains(expected)
        }
    }

    /// A pipeline run end to end: the built binary, the bundled default model, a sample video.
    @Test func runScansWhatTheFileSays() throws {
        guard let binary = ExitCodeTests.binary,
              FileManager.default.fileExists(atPath: ScanEndToEndTests.yuface.path) else {
            print("skipped: deepfake-scan not built or no libfacedetection (make setup-yuface)")
            return
        }
        defer { try? FileManager.default.removeItem(at: folder) }
        let sample = ScanEndToEndTests.packageRoot.appendingPathComponent("Samples/astronaut_real.mp4").path
        let csv = folder.appendingPathComponent("v.csv").path
        let path = try write("inputs:\n  paths: [\(sample)]\nsampling:\n  frames: 4\noutputs:\n  csv: \(csv)\nrun:\n  jobs: 1\n")
        let finished = try ChildProcess.run(binary.path, ["run", path, "--frames", "3"])
        #expect(finished.succeeded, "\(finished.stderrText)")
        let rows = try ReportWriter.readCSV(at: URL(fileURLWithPath: csv))
        #expect(rows.map(\.path) == [sample])
        #expect(rows.first?.framesSampled == 3 && rows.first?.status == .ok)
    }
}

/// The `model` section's list form: several models, each with its own threshold.
@Suite struct PipelineModelListTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pipeline-models-\(UUID().uuidString)")

    func write(_ text: String) throws -> String {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("p.yml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func aListOfModelsWithThresholds() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try write("""
            outputs:
              csv: o.csv
            inputs:
              exclude: ["**/tmp/**", "*.part.mp4"]
              include: "*.mp4"
            model:
              model:
                - sbi-meso4
                - name: video-efficientnet-lite0
                  threshold: 0.6
              weights: [{file: w.safetensors, threshold: 0.25}]
              ensemble: mean
              ensemble-threshold: 0.55
            """)
        let file = try PipelineFile(path: path)
        #expect(file.arguments == ["--csv=o.csv", "--exclude=**/tmp/**", "--exclude=*.part.mp4", "--include=*.mp4",
                                   "--model=sbi-meso4", "--model=video-efficientnet-lite0@0.6",
                                   "--weights=w.safetensors@0.25", "--ensemble=mean", "--ensemble-threshold=0.55"])
        let command = try ScanCommand.parse(try Run.parse([path, "x.mp4"]).scanArguments().arguments)
        #expect(command.arguments.model == ["sbi-meso4", "video-efficientnet-lite0@0.6"] && command.arguments.modelCount == 3)
        #expect(command.arguments.exclude == ["**/tmp/**", "*.part.mp4"] && command.arguments.include == ["*.mp4"])
        // Models on the command line replace the file's (they would add up otherwise).
        let overridden = try ScanCommand.parse(try Run.parse([path, "x.mp4", "--model", "sbi-meso4", "--model=sbi-mesoinception4"])
            .scanArguments().arguments)
        #expect(overridden.arguments.model == ["sbi-meso4", "sbi-mesoinception4"] && overridden.arguments.weights.isEmpty)
        // The single-model form is as it was.
        let single = try write("outputs:\n  csv: o.csv\nmodel:\n  model: sbi-meso4\n  threshold: 0.7\n")
        #expect(try PipelineFile(path: single).arguments == ["--csv=o.csv", "--model=sbi-meso4", "--threshold=0.7"])
    }

    /// Values that start with '-' stay values (each option is one `--option=value` argument);
    /// an option given after the file replaces the file's that exclude it; paths after a `--`
    /// join the file's; a YAML error is one line.
    @Test func valuesOverridesAndPathsReachScanAsWritten() throws {
        let path = try write("""
            inputs:
              paths: [a.mp4]
              exclude: ['-draft*']
            sampling:
              keyframes: true
            outputs:
              csv: -x.csv
            run:
              rescan: true
            """)
        let file = try PipelineFile(path: path)
        #expect(file.arguments.contains("--exclude=-draft*") && file.arguments.contains("--csv=-x.csv"))
        let parsed = try ScanCommand.parse(try Run.parse([path, "--jobs", "1"]).scanArguments().arguments)
        #expect(parsed.arguments.exclude == ["-draft*"] && parsed.arguments.csv == "-x.csv")
        let overridden = try ScanCommand.parse(try Run.parse([path, "--resume", "--no-keyframes", "--", "-dash.mp4"])
            .scanArguments().arguments)
        #expect(overridden.arguments.resume && !overridden.arguments.rescan)
        #expect(!overridden.sampling.keyframes)
        // --frames with the file's keyframes: that many keyframes, as on the command line.
        let count = try ScanCommand.parse(try Run.parse([path, "--frames", "8"]).scanArguments().arguments)
        #expect(count.sampling.frames == 8 && count.sampling.keyframes)
        #expect(overridden.arguments.paths == ["a.mp4", "-dash.mp4"])
        // A negative number reaches scan's own check instead of reading as a missing value.
        let negative = try write("inputs:\n  paths: [a.mp4]\nsampling:\n  frames: -5\noutputs:\n  csv: o.csv\n")
        do {
            _ = try ScanCommand.parse(try Run.parse([negative]).scanArguments().arguments)
            Issue.record("frames: -5 was accepted")
        } catch {
            #expect(ScanCommand.message(for: error).contains("--frames must be 1…100000"))
        }
        let broken = try write("inputs:\n  paths: [a\n")
        #expect(throws: PipelineFile.Problem.self) { try PipelineFile(path: broken) }
        do { _ = try PipelineFile(path: broken) } catch { #expect(!"\(error)".contains("\n")) }
    }

    @Test(arguments: [
        ("outputs:\n  csv: o.csv\nmodel:\n  model:\n    - nam: x\n", ":5: unknown key 'nam' in a 'model' item"),
        ("outputs:\n  csv: o.csv\nmodel:\n  model:\n    - name: x\n      threshold: 2\n", ":6: 'threshold' must be a number within 0…1"),
        ("outputs:\n  csv: o.csv\nmodel:\n  model:\n    - threshold: 0.5\n", ":5: a 'model' item needs 'name'"),
        ("outputs:\n  csv: o.csv\nmodel:\n  weights:\n    - name: x\n", ":5: unknown key 'name' in a 'weights' item"),
    ])
    func badItemsNameTheirLine(_ text: String, _ expected: String) throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try write(text)
        #expect { try PipelineFile(path: path) } throws: { error in "\(error)".contains(expected) }
    }
}
