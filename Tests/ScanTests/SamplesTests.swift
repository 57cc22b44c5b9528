import Foundation
import Testing
@testable import Scan

/// The committed sample videos are what Samples/README.md promises and discovery finds them.
@Suite struct SamplesTests {
    static let samples = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Samples").path

    @Test func discoveryFindsTheFiveSamplesInNameOrder() throws {
        let items = try Discovery().discover(paths: [Self.samples])
        #expect(items.map { URL(fileURLWithPath: $0.path).lastPathComponent } == [
            "astronaut_blended.mp4", "astronaut_pair_one_blended.mp4", "astronaut_real.mp4", "coffee_no_face.mp4",
            "truncated.mp4",
        ])
        #expect(items.allSatisfy { $0.problem == nil })
    }

    @Test func samplesAreSmallAndTheTruncatedOneIsHalfTheRealOne() throws {
        func size(_ name: String) throws -> Int {
            try #require(FileManager.default.attributesOfItem(atPath: Self.samples + "/" + name)[.size] as? Int)
        }
        for name in ["astronaut_real.mp4", "astronaut_blended.mp4", "astronaut_pair_one_blended.mp4", "coffee_no_face.mp4"] {
            #expect(try size(name) < 1_000_000)
        }
        #expect(try size("truncated.mp4") == (try size("astronaut_real.mp4")) / 2)
        // An MP4 starts with its ftyp box; the truncated copy keeps the start but lost the moov at the end.
        let real = try Data(contentsOf: URL(fileURLWithPath: Self.samples + "/astronaut_real.mp4"))
        let truncated = try Data(contentsOf: URL(fileURLWithPath: Self.samples + "/truncated.mp4"))
        #expect(real.subdata(in: 4..<8) == Data("ftyp".utf8))
        #expect(truncated == real.prefix(truncated.count))
        #expect(real.range(of: Data("moov".utf8)) != nil)
        #expect(truncated.range(of: Data("moov".utf8)) == nil)
    }
}
