import Foundation
import Imaging
import Testing
import Aggregate
@testable import Reports

@Suite struct ReportWriterTests {
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("reports-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func row(_ path: String, _ pFake: Double?, status: ScanStatus = .ok) -> VideoRow {
        VideoRow(
            path: path, status: status, pFake: pFake,
            verdict: Aggregation.verdict(pFake: pFake, threshold: 0.5), threshold: 0.5, model: "meso4",
            aggregator: "mean", framesSampled: 32, framesWithFace: pFake == nil ? 0 : 30,
            faceTracks: pFake == nil ? 0 : 1, durationSeconds: 3.5, width: 640, height: 480, codec: "h264",
            elapsedSeconds: 1.25, error: status == .error ? "not a video: bad header, \"moov\" missing" : nil)
    }

    @Test func headerIsTheContractAndAlwaysPresent() {
        let header = "path,status,p_fake,verdict,threshold,model,aggregator,frames_sampled,frames_with_face,"
            + "face_tracks,duration_s,width,height,codec,elapsed_s,error\r\n"
        #expect(ReportWriter.csv([]) == header)
        #expect(ReportWriter.csv([], layout: .kaggle) == "filename,label\r\n")
    }

    @Test func rowCellsFollowTheContract() {
        let text = ReportWriter.csv([Self.row("/v/a.mp4", 0.87654321)])
        let line = text.split(separator: "\r\n").last.map(String.init)
        #expect(line == "/v/a.mp4,ok,0.876543,fake,0.5,meso4,mean,32,30,1,3.500,640,480,h264,1.250,")
        let noFace = VideoRow(
            path: "b.mp4", status: .noFace, pFake: nil, verdict: .unknown, threshold: 0.62, model: "meso4",
            aggregator: "confident", framesSampled: 32)
        #expect(noFace.csvFields.joined(separator: "|") == "b.mp4|no_face||unknown|0.62|meso4|confident|32|0|0|||||0.000|")
    }

    @Test func awkwardNamesSurviveAFileRoundTrip() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let rows = CSVTests.awkwardNames.enumerated().map { i, name in
            Self.row("/videos/" + name, i.isMultiple(of: 3) ? nil : Double(i) / 20, status: i.isMultiple(of: 3) ? .error : .ok)
        }
        let url = directory.appendingPathComponent("out.csv")
        try ReportWriter.writeCSV(rows, to: url)
        #expect(try ReportWriter.readCSV(at: url) == rows)
        // No temp files are left beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["out.csv"])
    }

    @Test func atomicWriteReplacesAnExistingFile() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("out.csv")
        try ReportWriter.writeCSV([Self.row("old.mp4", 0.1)], to: url)
        try ReportWriter.writeCSV([Self.row("new.mp4", 0.9), Self.row("n2.mp4", 0.2)], to: url)
        #expect(try ReportWriter.readCSV(at: url).map(\.path) == ["new.mp4", "n2.mp4"])
        #expect(throws: ReportError.self) {
            try ReportWriter.writeCSV([], to: directory.appendingPathComponent("missing/dir/out.csv"))
        }
    }

    @Test func aFailedStreamingWriteLeavesTheOldFile() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("faces.jsonl")
        let face = FaceRow(video: "v.mp4", frameIndex: 1, seconds: 0.04, track: 0, box: FaceBox(x: 0, y: 0, width: 1, height: 1), pFake: 0.5)
        try ReportWriter.writeJSONL([face], to: url)
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try ReportWriter.writeJSONL(to: url) { emit in
                try emit([face, face])
                throw Boom()
            }
        }
        #expect(try FaceRow.parseLines(String(contentsOf: url, encoding: .utf8)) == [face])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["faces.jsonl"])
    }

    @Test func kaggleLayoutUsesFileNamesAndHalfForUnknown() throws {
        let text = ReportWriter.csv(
            [Self.row("/d/aaa.mp4", 0.25), Self.row("/d/bbb.mp4", nil, status: .noFace), Self.row("c,d.mp4", 1)],
            layout: .kaggle)
        #expect(try CSV.parse(text) == [
            ["filename", "label"], ["aaa.mp4", "0.250000"], ["bbb.mp4", "0.500000"], ["c,d.mp4", "1.000000"],
        ])
    }

    @Test func jsonlAppendsOneLinePerFace() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("faces.jsonl")
        let box = FaceBox(x: 10, y: 20.5, width: 64, height: 80)
        let first = [
            FaceRow(video: "a\nb,\"c\".mp4", frameIndex: 0, seconds: 0, track: 0, box: box, pFake: 0.25),
            FaceRow(video: "a\nb,\"c\".mp4", frameIndex: 9, seconds: 0.3, track: 1, box: box, pFake: 0.75),
        ]
        let second = [FaceRow(video: "東京.mp4", frameIndex: 3, seconds: 0.1, track: 0, box: box, pFake: 1)]
        do {
            let appender = try JSONLAppender(url: url)
            try appender.append(first)
        }
        do {
            // A second run appends rather than truncating.
            let appender = try JSONLAppender(url: url)
            try appender.append(second)
        }
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text.split(separator: "\n").count == 3)
        #expect(try FaceRow.parseLines(text) == first + second)
        #expect(try first[0].jsonLine().contains("\"frame_index\":0"))
        #expect(try first[0].jsonLine().contains("\"box\":{\"h\":80,\"w\":64,\"x\":10,\"y\":20.5}"))
    }

    @Test func summaryCountsAndRanks() {
        var rows = (0..<12).map { Self.row("v\($0).mp4", Double($0) / 12) }
        rows.append(Self.row("none.mp4", nil, status: .noFace))
        rows.append(Self.row("bad.mp4", nil, status: .error))
        rows.append(Self.row("tie-a.mp4", 11.0 / 12))
        let summary = RunSummary(rows: rows)
        #expect(summary.total == 15)
        #expect(summary.verdictCounts == [.fake: 7, .real: 6, .unknown: 2])
        #expect(summary.statusCounts == [.ok: 13, .noFace: 1, .error: 1])
        #expect(summary.mostSuspicious.count == 10)
        #expect(summary.mostSuspicious.prefix(3).map(\.path) == ["tie-a.mp4", "v11.mp4", "v10.mp4"])
        let text = summary.text
        #expect(text.contains("Verdicts: fake 7, real 6, unknown 2"))
        #expect(text.contains("Status:   ok 13, no_face 1, error 1"))
        #expect(text.contains("  1. 0.917  fake  tie-a.mp4"))
        #expect(!text.contains("v1.mp4"))
    }

    @Test func summaryKeepsOneLinePerVideo() {
        let text = RunSummary(rows: [Self.row("new\nline.mp4", 0.9)]).text
        #expect(text.contains("  1. 0.900  fake  new\\nline.mp4\n"))
    }
}

/// The manipulation columns of a model with classes come after the contract's; without classes
/// the CSV is the contract's, byte for byte, whatever the rows hold.
@Suite struct ManipulationCSVTests {
    static func row(_ manipulation: String?, _ p: Double?) -> VideoRow {
        var row = VideoRow(path: "/v/a.mp4", status: .ok, pFake: 0.75, verdict: .fake, threshold: 0.5, model: "amtennet",
                           aggregator: "mean", framesSampled: 8, framesWithFace: 8, faceTracks: 1, durationSeconds: 2,
                           width: 64, height: 48, codec: "h264", elapsedSeconds: 0.5)
        row.manipulation = manipulation
        row.manipulationP = p
        return row
    }

    @Test func withoutClassesTheContractOnly() {
        let contract = "path,status,p_fake,verdict,threshold,model,aggregator,frames_sampled,frames_with_face,face_tracks,duration_s,width,height,codec,elapsed_s,error\r\n"
            + "/v/a.mp4,ok,0.750000,fake,0.5,amtennet,mean,8,8,1,2.000,64,48,h264,0.500,\r\n"
        #expect(ReportWriter.csv([Self.row("lip_sync", 0.5)]) == contract)
        #expect(ReportWriter.csv([Self.row(nil, nil)], manipulation: false) == contract)
    }

    @Test func withClassesTwoColumnsAfterTheContractAndBack() throws {
        let text = ReportWriter.csv([Self.row("cross_blend", 0.71), Self.row(nil, nil)], models: ["a", "b"], manipulation: true)
        let lines = text.components(separatedBy: "\r\n")
        #expect(lines[0].hasSuffix(",error,manipulation,manipulation_p,p_fake.a,verdict.a,p_fake.b,verdict.b"))
        #expect(lines[1].hasSuffix(",0.500,,cross_blend,0.710000,,unknown,,unknown"))
        #expect(lines[2].hasSuffix(",0.500,,,,,unknown,,unknown"))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("manipulation-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        try ReportWriter.writeCSV([Self.row("cross_blend", 0.71)], manipulation: true, to: url)
        let back = try ReportWriter.readCSV(at: url)
        #expect(back.map(\.manipulation) == ["cross_blend"] && back.map(\.manipulationP) == [0.71])
    }
}
