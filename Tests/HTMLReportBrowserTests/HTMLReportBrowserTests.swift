import Foundation
import Imaging
import Reports
import Testing
import TestSupport

/// The HTML report in a real browser: Debian's chromium, headless, driven over the DevTools
/// protocol by Tests/Browser/report_browser.py (real mouse and keyboard events). Skipped, with
/// the reason, where chromium, python3, YuNet or the binary is missing (`make setup` installs them).
@Suite(.serialized) struct HTMLReportBrowserTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let driver = packageRoot.appendingPathComponent("Tests/Browser/report_browser.py")
    static let yuface = packageRoot.appendingPathComponent(".deps/yuface/libfacedetection.so")

    static var chromium: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return (path.split(separator: ":").map(String.init) + ["/usr/bin"]).lazy
            .map { $0 + "/chromium" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// `.build/<config>/deepfake-scan`, next to the test bundle.
    static var binary: URL? { BuiltProgram.deepfakeScan }

    static var missing: String? {
        if chromium == nil { return "no chromium (apt-get install chromium, or make setup)" }
        if !FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") { return "no /usr/bin/python3" }
        if binary == nil { return "deepfake-scan not built" }
        return nil
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let finished = try ChildProcess.run(executable, arguments, directory: packageRoot)
        return (finished.status, finished.stdoutText, finished.stderrText)
    }

    /// What the driver saw, decoded.
    static func browse(_ report: URL, _ extra: [String]) throws -> [String: Any] {
        let result = try run("/usr/bin/python3", [driver.path, report.path, "--chromium", chromium!] + extra)
        #expect(result.status == 0, "driver failed: \(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)")
    }

    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("report-browser-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// `scan Samples --html`, then in chromium: no console error, every card and face picture
    /// loads, the headers sort and the filters filter when clicked and typed into, a row's link
    /// opens its card, and a screenshot lands in out/report-samples.png.
    @Test(.disabled(if: missing != nil || !FileManager.default.fileExists(atPath: yuface.path),
                    "\(missing ?? "no YuNet (make setup-yuface)")"))
    func theSamplesReportWorksInChromium() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let html = folder.appendingPathComponent("samples.html")
        let scan = try Self.run(Self.binary!.path, [
            "scan", "Samples", "--frames", "8", "--jobs", "2", "--csv", folder.appendingPathComponent("samples.csv").path,
            "--jsonl", folder.appendingPathComponent("samples.jsonl").path, "--html", html.path])
        #expect(scan.status == 1, "truncated.mp4 errors, so the scan exits 1: \(scan.stderr)")
        let screenshot = Self.packageRoot.appendingPathComponent("out/report-samples.png")
        try FileManager.default.createDirectory(at: screenshot.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? FileManager.default.removeItem(at: screenshot)
        let seen = try Self.browse(html, ["--scenario", "--screenshot", screenshot.path])

        #expect((seen["console_errors"] as? [String]) == [], "\(seen["console_errors"] ?? "")")
        #expect(seen["rows"] as? Int == 5 && seen["cards"] as? Int == 5)
        // 3 tracks with a face (the pair has 2) × 4 pictures; none broken.
        #expect(seen["images"] as? Int == 16 && seen["broken_images"] as? Int == 0, "\(seen)")
        #expect((seen["paint_ms"] as? [String: Double])?["firstContentfulPaint"] != nil)

        let steps = try #require(seen["steps"] as? [String: Any])
        func step(_ name: String) -> [String: Any] { steps[name] as? [String: Any] ?? [:] }
        func names(_ name: String) -> [String] {
            ((step(name)["paths"] as? [String]) ?? []).map { URL(fileURLWithPath: $0).lastPathComponent }
        }
        let byName = ["astronaut_blended.mp4", "astronaut_pair_one_blended.mp4", "astronaut_real.mp4", "coffee_no_face.mp4", "truncated.mp4"]
        #expect(names("initial").prefix(2).sorted() == ["astronaut_blended.mp4", "astronaut_pair_one_blended.mp4"])
        #expect(names("initial")[2] == "astronaut_real.mp4" && names("initial")[3] == "truncated.mp4")
        #expect(names("path_ascending") == byName)
        #expect(names("path_descending") == byName.reversed())
        #expect(names("p_ascending").first == "astronaut_real.mp4" && names("p_ascending").suffix(2).sorted() == ["coffee_no_face.mp4", "truncated.mp4"])
        #expect(names("path_filter").sorted() == ["astronaut_blended.mp4", "astronaut_pair_one_blended.mp4"])
        #expect(step("path_filter")["count"] as? String == "2 of 5 videos match")
        #expect(names("reset").count == 5)
        #expect(names("p_from_half").sorted() == ["astronaut_blended.mp4", "astronaut_pair_one_blended.mp4"])
        #expect(step("verdict")["value"] as? String == "real" && names("verdict") == ["astronaut_real.mp4"])
        // The lowest score's row, clicked, opens its card (rank 3 in the report's order).
        #expect(steps["card_target"] as? String == "#v3")

        let png = try Data(contentsOf: screenshot)
        #expect(png.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        // Width and height from the IHDR chunk: the 1280×1600 viewport.
        let width = png.subdata(in: 16..<20).reduce(0) { $0 << 8 | Int($1) }, height = png.subdata(in: 20..<24).reduce(0) { $0 << 8 | Int($1) }
        #expect(width == 1280 && height == 1600)
        #expect(png.count > 100_000 && png.count < 5_000_000, "a page of faces and plots, not a blank one: \(png.count) bytes")
    }

    /// File names with markup, quotes, newlines and bytes that are not UTF-8 appear in the
    /// browser as the very text they are: nothing runs, no element appears.
    @Test(.disabled(if: missing != nil, "\(missing ?? "")"))
    func hostileNamesAreTextInChromium() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Lowest score first, so the open comment comes last in the report and hides nothing after it.
        let paths = [
            "/v/<!-- open comment.mp4", "/v/<script>window.pwned=1</script>.mp4", "/v/</script><script>window.pwned=2</script>.mp4",
            "/v/<img src=x onerror=\"window.pwned=3\">.mp4", "/v/a & b \"double\" 'single'.mp4",
            "/v/two\nlines.mp4", "file:///v/bad_%FF%FE.mp4",
        ]
        let rows = paths.enumerated().map { index, path in
            VideoRow(path: path, status: .ok, pFake: Double(index + 1) / 10, verdict: .real, threshold: 0.9, model: "<b>m</b>",
                     aggregator: "mean", framesSampled: 2, framesWithFace: 2, faceTracks: 1, durationSeconds: 1,
                     error: index == 3 ? "<img src=y onerror=\"window.pwned=4\">" : nil)
        }
        let faces = rows.flatMap { row in
            (0..<2).map { FaceRow(video: row.path, frameIndex: $0, seconds: Double($0) / 2, track: 0,
                                  box: FaceBox(x: 0, y: 0, width: 10, height: 10), pFake: row.pFake!) }
        }
        let csv = folder.appendingPathComponent("scan.csv"), jsonl = folder.appendingPathComponent("scan.jsonl")
        try ReportWriter.writeCSV(rows, to: csv)
        try ReportWriter.writeJSONL(faces, to: jsonl)
        let html = folder.appendingPathComponent("report.html")
        let made = try Self.run(Self.binary!.path, ["report", csv.path, "--faces", jsonl.path, "--out", html.path, "--no-thumbnails"])
        #expect(made.status == 0, "\(made.stderr)")

        let seen = try Self.browse(html, ["--eval", "typeof window.pwned",
                                          "--eval", "Array.from(document.querySelectorAll('#videos a.path')).map(a => a.textContent)",
                                          "--eval", "Array.from(document.querySelectorAll('article.card p.path')).map(p => p.textContent)",
                                          "--eval", "document.querySelectorAll('script').length + ' ' + document.images.length",
                                          "--eval", "Array.from(document.querySelectorAll('pre.error')).map(p => p.textContent)"])
        #expect((seen["console_errors"] as? [String]) == [], "\(seen["console_errors"] ?? "")")
        let values = try #require(seen["eval"] as? [Any])
        #expect(values[0] as? String == "undefined")
        #expect(Set(values[1] as? [String] ?? []) == Set(paths))
        #expect(Set(values[2] as? [String] ?? []) == Set(paths))
        #expect(values[3] as? String == "2 0")
        #expect(values[4] as? [String] == ["<img src=y onerror=\"window.pwned=4\">"])
    }

    /// A model with manipulation classes: the table's manipulation column sorts (videos without a
    /// class last either way) and its filter filters; the card's class bars have a width.
    @Test(.disabled(if: missing != nil, "\(missing ?? "")"))
    func theManipulationColumnSortsAndFiltersInChromium() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        func row(_ name: String, _ p: Double?, _ manipulation: String?) -> VideoRow {
            var row = VideoRow(path: "/v/" + name, status: p == nil ? .noFace : .ok, pFake: p, verdict: p == nil ? .unknown : p! >= 0.5 ? .fake : .real,
                               threshold: 0.5, model: "amtennet", aggregator: "mean", framesSampled: 2, framesWithFace: p == nil ? 0 : 2,
                               faceTracks: p == nil ? 0 : 1, durationSeconds: 1)
            row.manipulation = manipulation
            row.manipulationP = manipulation == nil ? nil : 0.5
            return row
        }
        let rows = [row("swap.mp4", 0.8, "face_swap"), row("lips.mp4", 0.2, "lip_sync"), row("empty.mp4", nil, nil),
                    row("blend.mp4", 0.6, "cross_blend")]
        let faces = rows.filter { $0.pFake != nil }.flatMap { row in
            (0..<2).map { FaceRow(video: row.path, frameIndex: $0, seconds: Double($0) / 2, track: 0,
                                  box: FaceBox(x: 0, y: 0, width: 10, height: 10), pFake: row.pFake!,
                                  manipulationProbabilities: ["real": 1 - row.pFake!, row.manipulation!: row.pFake!]) }
        }
        let csv = folder.appendingPathComponent("scan.csv"), jsonl = folder.appendingPathComponent("scan.jsonl")
        try ReportWriter.writeCSV(rows, manipulation: true, to: csv)
        try ReportWriter.writeJSONL(faces, to: jsonl)
        let html = folder.appendingPathComponent("report.html")
        let made = try Self.run(Self.binary!.path, ["report", csv.path, "--faces", jsonl.path, "--out", html.path, "--no-thumbnails"])
        #expect(made.status == 0, "\(made.stderr)")

        let names = "Array.from(document.querySelectorAll('#videos tbody tr a.path')).map(a => a.textContent.slice(3))"
        let seen = try Self.browse(html, [
            "--eval", "Array.from(document.querySelectorAll('#videos tbody tr')).map(tr => tr.children[3].textContent)",
            "--eval", "(() => { document.querySelector('th button[data-key=manipulation]').click(); return \(names); })()",
            "--eval", "(() => { document.querySelector('th button[data-key=manipulation]').click(); return \(names); })()",
            "--eval", "(() => { const s = document.getElementById('f-manipulation'); s.value = 'lip_sync';"
                + " s.dispatchEvent(new Event('input')); return [\(names), document.getElementById('count').textContent]; })()",
            "--eval", "Array.from(document.querySelectorAll('ul.bars .cbar')).map(b => b.getBoundingClientRect().width)",
        ])
        #expect((seen["console_errors"] as? [String]) == [], "\(seen["console_errors"] ?? "")")
        let values = try #require(seen["eval"] as? [Any])
        #expect(values[0] as? [String] == ["face_swap 0.50", "cross_blend 0.50", "lip_sync 0.50", "–"])
        #expect(values[1] as? [String] == ["blend.mp4", "swap.mp4", "lips.mp4", "empty.mp4"])
        #expect(values[2] as? [String] == ["lips.mp4", "swap.mp4", "blend.mp4", "empty.mp4"])
        let filtered = values[3] as? [Any]
        #expect(filtered?.first as? [String] == ["lips.mp4"] && filtered?.last as? String == "1 of 4 videos match")
        // Three cards with two classes each; the longest bar (p 0.8 of 120 px) is 96 px wide.
        let widths = values[4] as? [Double] ?? []
        #expect(widths.count == 6 && widths.max() == 96, "\(widths)")
    }
}
