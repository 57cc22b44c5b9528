import ArgumentParser
import FaceAlign
import Imaging
import Foundation
import Reports
import Scan
import Testing
import VideoDecode
@testable import deepfake_scan
import TestSupport

/// `faces` and `FaceOptions` on the committed sample videos and the FaceAlign test fixture.
@Suite struct FacesCommandTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let realVideo = root.appendingPathComponent("Samples/astronaut_real.mp4").path
    static let noFaceVideo = root.appendingPathComponent("Samples/coffee_no_face.mp4").path
    static let portrait = root.appendingPathComponent("Tests/FaceAlignTests/Fixtures/astronaut-256.png").path
    static let haveYuFace = FileManager.default.fileExists(
        atPath: root.appendingPathComponent(".deps/yuface/libfacedetection.so").path)

    private func temporaryFolder() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("faces-\(UUID().uuidString)").path
    }

    private func records(in out: String) throws -> [FaceCropLine] {
        let text = try String(contentsOfFile: out + "/faces.jsonl", encoding: .utf8)
        return try FaceCropLine.parseLines(text)
    }

    @Test(.enabled(if: haveYuFace, "needs `make setup-yuface`"))
    func videoGivesOneAlignedCropPerSampledFrameInOneTrack() throws {
        let out = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: out) }
        try Faces.parse([Self.realVideo, "--out", out, "--frames", "4"]).run()
        let lines = try records(in: out)
        #expect(lines.count == 4)
        #expect(lines.map(\.track) == [0, 0, 0, 0])
        #expect(lines.map(\.frameIndex) == lines.map(\.frameIndex).sorted())
        let first = try #require(lines.first)
        #expect(first.video == Self.realVideo)
        #expect(first.crop == "astronaut_real/f000000-t0.png")
        #expect(first.box.width > 0 && first.landmarks.count == 5 && first.cropLandmarks.count == 5)
        #expect(first.score >= 0.6)
        let crop = try StillImage.read(path: out + "/" + first.crop)
        #expect(crop.width == 256 && crop.height == 256)
        // The scan's face-row keys (docs/output-format.md): it wrote source, frame and box as a list.
        let text = try String(contentsOfFile: out + "/faces.jsonl", encoding: .utf8)
        let raw = try #require(JSONSerialization.jsonObject(with: Data(text.split(separator: "\n")[0].utf8)) as? [String: Any])
        #expect(Set(raw.keys) == ["video", "frame_index", "seconds", "track", "box", "landmarks", "crop_landmarks", "score", "crop"])
        #expect((raw["box"] as? [String: Double]).map { Set($0.keys) } == ["x", "y", "w", "h"])
        for (got, want) in zip(first.cropLandmarks, FaceTemplate().points) {
            #expect(abs(got[0] - want.x) < 12 && abs(got[1] - want.y) < 12)
        }
    }

    @Test(.enabled(if: haveYuFace, "needs `make setup-yuface`"))
    func imagesAndFaceFreeVideosAreInputsToo() throws {
        let out = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: out) }
        try Faces.parse([Self.portrait, Self.noFaceVideo, "--out", out, "--frames", "3", "--crop-size", "112",
                         "--margin", "1"]).run()
        let lines = try records(in: out)
        #expect(lines.count == 1, "the portrait has one face, the coffee cup none")
        let face = try #require(lines.first)
        #expect(face.frameIndex == 0 && face.seconds == 0 && face.crop == "astronaut-256/f000000-t0.png")
        let crop = try StillImage.read(path: out + "/" + face.crop)
        #expect(crop.width == 112)
    }

    /// The zooming coffee cup looks face-like to a coarse search (0.6–0.7); the close look
    /// must reject it on every one of 32 frames.
    @Test(.enabled(if: haveYuFace, "needs `make setup-yuface`"))
    func theCoffeeCupIsNoFace() throws {
        let out = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: out) }
        try Faces.parse([Self.noFaceVideo, "--out", out, "--frames", "32"]).run()
        #expect(try records(in: out).isEmpty)
    }

    @Test(.enabled(if: haveYuFace, "needs `make setup-yuface`"))
    func anUnreadableInputFailsWithExitOneAfterTheOthers() throws {
        let out = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let missing = out + "-missing.mp4"
        #expect(throws: ExitCode(1)) {
            try Faces.parse([missing, Self.portrait, "--out", out]).run()
        }
        #expect(try records(in: out).count == 1)
    }

    /// The real binary, with the library pointed at an empty folder: exit 2 and the command to run.
    @Test func missingDetectorLibraryExitsTwoNamingTheSetupCommand() throws {
        let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("deepfake-scan")
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "deepfake-scan not built beside the tests")
        let out = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let faces = try ChildProcess.run(binary.path, ["faces", Self.portrait, "--out", out],
                                         environment: ["DEEPFAKE_SCAN_YUFACE": out + "/none"], stdout: .discard)
        #expect(faces.status == 2)
        #expect(faces.stderrText.contains("make setup-yuface"))
    }

    /// The adapter the scan pipeline uses: one tracker per video, crops with frame, track and box.
    @Test(.enabled(if: haveYuFace, "needs `make setup-yuface`"))
    func faceStageFeedsTheScanPipeline() throws {
        let image = try StillImage.read(path: Self.portrait)
        let tracker = try FaceStage(options: FaceAlignOptions()).makeTracker()
        let first = try tracker.faces(in: VideoFrame(index: 3, seconds: 0.12, image: image))
        let second = try tracker.faces(in: VideoFrame(index: 9, seconds: 0.36, image: image))
        #expect(first.count == 1 && second.count == 1)
        let crop = try #require(first.first)
        #expect(crop.frameIndex == 3 && crop.seconds == 0.12 && crop.trackID == 0)
        #expect(crop.crop.width == 256 && crop.crop.height == 256)
        #expect(crop.box.width > 40 && crop.box.x > 0 && crop.box.x + crop.box.width < 256)
        #expect(second.first?.trackID == 0)
    }

    @Test func cropFoldersAreUniquePerInput() {
        var folders = CropFolders()
        #expect(folders.claim(for: "a/clip.mp4") == "clip")
        #expect(folders.claim(for: "b/clip.mov") == "clip-2")
        #expect(folders.claim(for: "c/clip.mp4") == "clip-3")
        #expect(folders.claim(for: "other.png") == "other")
    }

    @Test func faceOptionsDefaultsAndMapping() throws {
        let defaults = try FaceOptions.parse([]).alignOptions
        #expect(defaults == FaceAlignOptions())
        let custom = try FaceOptions.parse(["--detect-size", "480", "--retry-size", "0", "--search-every", "1",
                                            "--margin", "1.5", "--min-size", "24", "--score-floor", "0.8"]).alignOptions
        #expect(custom.detectSize == 480 && custom.retrySize == nil && custom.searchEvery == 1)
        #expect(custom.margin == 1.5 && custom.minFaceSize == 24 && custom.scoreFloor == 0.8)
    }

    @Test(arguments: [["--detect-size", "8"], ["--retry-size", "100"], ["--search-every", "0"], ["--margin", "0.5"],
                      ["--crop-size", "4"], ["--min-size", "-1"], ["--score-floor", "1.5"]])
    func outOfRangeFaceOptionsAreRejected(arguments: [String]) {
        #expect(throws: (any Error).self) { try FaceOptions.parse(arguments) }
    }

    @Test func facesNeedsAnInput() {
        #expect(throws: (any Error).self) { try Faces.parse(["--out", "x"]) }
    }
}
