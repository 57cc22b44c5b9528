import Foundation
import Testing
import Aggregate
import Imaging
import Reports
@testable import Scan

/// A model with manipulation classes (AMTENnet) on text "videos": the CSV's `manipulation` and
/// `manipulation_p` columns after the contract's, the crops' class probabilities in the JSONL,
/// the store, and a byte-identical CSV for models without classes.
@Suite struct ManipulationColumnsTests {
    static let classes = ["real", "self_blend", "lip_sync"]

    /// Each crop's probabilities from its p_fake: 1 − p_fake real, the rest lip_sync on track 0
    /// and mostly self_blend on other tracks.
    struct ClassAnalyzer: VideoAnalyzer {
        let text = TextAnalyzer()

        func analyze(path: String) async throws -> AnalyzedVideo {
            var video = try await text.analyze(path: path)
            video.faces = video.faces.map { face in
                let p = face.score.pFake
                var scored = face
                scored.classProbabilities = face.score.trackID == 0 ? [1 - p, 0.25 * p, 0.75 * p] : [1 - p, 0.6 * p, 0.4 * p]
                return scored
            }
            return video
        }
    }

    func run<Analyzer: VideoAnalyzer>(_ fixture: TextVideoFixture, classes: [String]?, analyzer: Analyzer,
                                      name: String) async throws -> String {
        var configuration = RunConfiguration(model: "m", frames: 8, aggregator: .mean, threshold: 0.5)
        configuration.manipulationClasses = classes
        let csv = fixture.root + "/\(name).csv"
        let request = ScanRequest(
            paths: [fixture.videos], options: ScanOptions(configuration: configuration, jobs: 2), csvPath: csv,
            jsonlPath: fixture.root + "/\(name).jsonl", storePath: fixture.root + "/\(name).sqlite")
        _ = try await ScanJob(request: request, analyzer: analyzer).run()
        return csv
    }

    @Test func classesAddTwoColumnsAfterTheContractAndProbabilitiesPerCrop() async throws {
        let fixture = try TextVideoFixture()
        defer { fixture.remove() }
        let csv = try await run(fixture, classes: Self.classes, analyzer: ClassAnalyzer(), name: "classes")
        let records = try ShardTests.timeless(csv)
        #expect(records[0] == VideoRow.csvHeader + ["manipulation", "manipulation_p"])
        let rows = try ReportWriter.readCSV(at: URL(fileURLWithPath: csv))
        let fake = try #require(rows.first { $0.path.hasSuffix("12 fake.mp4") })
        // Its worst track is track 0 at p_fake 0.8: lip_sync 0.75 · 0.8.
        #expect(fake.manipulation == "lip_sync" && abs(fake.manipulationP! - 0.6) < 1e-9)
        #expect(try String(contentsOfFile: csv, encoding: .utf8).contains(",lip_sync,0.600000\r\n"))
        for row in rows where row.status != .ok { #expect(row.manipulation == nil && row.manipulationP == nil, "\(row.path)") }
        let faces = try FaceRow.parseLines(String(contentsOfFile: fixture.root + "/classes.jsonl", encoding: .utf8))
        #expect(!faces.isEmpty && faces.allSatisfy { face in
            let p = face.manipulationProbabilities!
            return Set(p.keys) == Set(Self.classes) && abs(p["real"]! - (1 - face.pFake)) < 1e-12
        })

        // Resumed from the store: the same columns and probabilities without analysing again.
        let again = ClassAnalyzer()
        let resumed = try await run(fixture, classes: Self.classes, analyzer: again, name: "classes")
        #expect(again.text.calls.byPath.keys.allSatisfy { $0.hasSuffix("09 broken.mp4") }, "\(again.text.calls.byPath)")
        #expect(try ShardTests.timeless(resumed) == records)
        #expect(try FaceRow.parseLines(String(contentsOfFile: fixture.root + "/classes.jsonl", encoding: .utf8)) == faces)
    }

    /// Without classes the CSV is the contract's, byte for byte what it was: the same records
    /// as a run with classes less its two manipulation cells, and no key added to the face rows.
    @Test func withoutClassesTheCSVIsTheContractOnly() async throws {
        let fixture = try TextVideoFixture()
        defer { fixture.remove() }
        let plain = try await run(fixture, classes: nil, analyzer: TextAnalyzer(), name: "plain")
        let withClasses = try await run(fixture, classes: Self.classes, analyzer: ClassAnalyzer(), name: "classes")
        let stripped = try ShardTests.timeless(withClasses).map { Array($0.prefix(VideoRow.csvHeader.count)) }
        #expect(try ShardTests.timeless(plain) == stripped)
        #expect(try ShardTests.timeless(plain)[0] == VideoRow.csvHeader)
        let jsonl = try String(contentsOfFile: fixture.root + "/plain.jsonl", encoding: .utf8)
        #expect(!jsonl.isEmpty && !jsonl.contains("manipulation"))
    }

    /// The class of the worst track, its crops' mean; nothing without a scored track or classes.
    @Test func videoClassIsTheWorstTracksMean() {
        func face(_ track: Int, _ probabilities: [Double]) -> ScoredFace {
            ScoredFace(score: FrameScore(frameIndex: 0, seconds: 0, trackID: track, pFake: 1 - probabilities[0]),
                       box: FaceBox(x: 0, y: 0, width: 1, height: 1), classProbabilities: probabilities)
        }
        let faces = [face(0, [0.2, 0.5, 0.3]), face(0, [0.4, 0.1, 0.5]), face(1, [0.9, 0.1, 0.0])]
        let guess = VideoManipulation.mostLikely(faces, track: 0, classes: Self.classes)
        #expect(guess?.name == "lip_sync" && abs(guess!.probability - 0.4) < 1e-12)
        #expect(VideoManipulation.mostLikely(faces, track: 1, classes: Self.classes)?.name == "self_blend")
        #expect(VideoManipulation.mostLikely(faces, track: nil, classes: Self.classes) == nil)
        #expect(VideoManipulation.mostLikely(faces, track: 0, classes: []) == nil)
    }
}
