import ArgumentParser
import Foundation
import Reports
import Scan

/// `deepfake-scan report`: the HTML report of an earlier scan, from its CSV and JSONL.
struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write an HTML report (summary, sortable table, a card per video) from a scan's CSV and JSONL.",
        discussion: """
        Face pictures are fetched again from the videos (a few frames per face track), so the \
        videos must still be where the CSV says; give the same face options as the scan. \
        See docs/report.md. Exit codes: 0 written, 2 usage, input or output error.
        """
    )

    @Argument(help: "The scan's CSV (standard layout).")
    var csv: String

    @Option(help: "The scan's JSONL (scan --jsonl): per-frame plots and face pictures.")
    var faces: String?

    @Option(help: "The HTML file to write.")
    var out: String

    @Option(help: "Title at the top of the report (default: from the CSV's file name).")
    var title: String?

    @Option(help: "Video cards kept in the HTML file itself (default: \(HTMLReportWriter.Settings().inlineCardLimit), and at most \(HTMLReportWriter.Settings().inlineBudgetBytes >> 20) MB of them); with more, the cards go to pages of 100 in a folder beside it (NAME_files/).")
    var inlineCards: Int?

    @Option(help: ArgumentHelp("The scan's --masks folder: its mask overlays are shown over the faces on hover.", valueName: "DIR"))
    var masks: String?

    @Option(help: ArgumentHelp("The scan's --attention folder (MAT): its attention maps are shown beside the faces.", valueName: "DIR"))
    var attention: String?

    @Flag(help: "Leave out the face pictures (no video is opened).")
    var noThumbnails = false

    @Option(name: .shortAndLong, help: "Videos whose faces are fetched at the same time (default: the number of cores).")
    var jobs: Int?

    @OptionGroup(title: "Faces (as the scan found them)") var faceOptions: FaceOptions

    /// The default title, the same for `scan --html` and `report`.
    static func title(csv: String) -> String {
        "deepfake-scan report: " + URL(fileURLWithPath: csv).lastPathComponent
    }

    func validate() throws {
        if let inlineCards, !(0...10_000_000).contains(inlineCards) { throw ValidationError("--inline-cards must be 0…10000000") }
        if let jobs, !(1...RunLimits.maximumJobs).contains(jobs) { throw ValidationError("--jobs must be 1…\(RunLimits.maximumJobs)") }
    }

    func run() async throws {
        let rows: [VideoRow]
        // By the exact bytes of the name: `café` composed and decomposed are two videos.
        var facesByVideo: [PathKey: [FaceRow]] = [:]
        do {
            try OutputPaths.check([PlannedOutput(option: "--out", path: out)], inputs: [csv] + (faces.map { [$0] } ?? []))
            rows = try ReportWriter.readCSV(at: URL(fileURLWithPath: csv))
            // Nor may it replace a video the report reads its faces from.
            try OutputPaths.check([PlannedOutput(option: "--out", path: out)], inputs: rows.map(\.path))
            if let faces {
                let text = try String(decoding: Data(contentsOf: URL(fileURLWithPath: faces)), as: UTF8.self)
                do {
                    facesByVideo = Dictionary(grouping: try FaceRow.parseLines(text), by: { PathKey($0.video) })
                } catch {
                    throw ValidationError("--faces \(faces): not the face rows of a scan's --jsonl (\(error))")
                }
            }
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(EntryPoint.usageErrorCode)
        }
        let job = HTMLReportJob(
            path: out, run: HTMLReportRun(title: title ?? Self.title(csv: csv), source: csv),
            thumbnails: noThumbnails ? nil : FaceThumbnails(options: faceOptions.alignOptions, masksDirectory: masks,
                                                           attentionDirectory: attention),
            jobs: jobs ?? RunLimits.defaultJobs,
            // A count given is the only rule: no size cap behind the user's back.
            settings: inlineCards.map { HTMLReportWriter.Settings(inlineCardLimit: $0, inlineBudgetBytes: .max) } ?? .init())
        let lookup = facesByVideo
        do {
            let files = try await job.write(rows: rows) { lookup[PathKey($0)] ?? [] }
            print("HTML: \(out) (\(files.bytes) bytes" + (files.pages.isEmpty ? ")"
                : "; cards on \(files.pages.count) pages in \(files.pages[0].deletingLastPathComponent().path))"))
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(EntryPoint.usageErrorCode)
        }
    }
}
