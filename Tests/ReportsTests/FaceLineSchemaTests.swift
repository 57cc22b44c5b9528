import Foundation
import Imaging
import Reports
import Testing

/// `scan --jsonl` (FaceRow) and `faces` (FaceCropLine) write one face-row schema: the same
/// location keys with the same values, each then with its own keys (docs/output-format.md).
@Suite struct FaceLineSchemaTests {
    static let box = FaceBox(x: 10.5, y: 20, width: 30.25, height: 40)

    func object(_ line: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test func bothWriteTheLocationKeysAlike() throws {
        let scored = try FaceRow(video: "a/v.mp4", frameIndex: 7, seconds: 0.28, track: 1, box: Self.box, pFake: 0.9).jsonLine()
        let cropped = try FaceCropLine(video: "a/v.mp4", frameIndex: 7, seconds: 0.28, track: 1, box: Self.box,
                                       landmarks: Array(repeating: [1, 2], count: 5), cropLandmarks: Array(repeating: [3, 4], count: 5),
                                       score: 0.98, crop: "v/f000007-t1.png").jsonLine()
        let (scan, faces) = (try object(scored), try object(cropped))
        let location = ["video", "frame_index", "seconds", "track", "box"]
        #expect(Set(scan.keys) == Set(location + ["p_fake"]))
        #expect(Set(faces.keys) == Set(location + ["landmarks", "crop_landmarks", "score", "crop"]))
        for key in location {
            #expect(try String(decoding: JSONSerialization.data(withJSONObject: scan[key]!, options: [.sortedKeys, .fragmentsAllowed]), as: UTF8.self)
                == String(decoding: JSONSerialization.data(withJSONObject: faces[key]!, options: [.sortedKeys, .fragmentsAllowed]), as: UTF8.self),
                "\(key)")
        }
        #expect(cropped.hasSuffix("}\n") && !cropped.dropLast().contains("\n"))
        #expect(try FaceCropLine.parseLines(cropped + "\n" + cropped).count == 2)
    }
}
