import Foundation
import Aggregate
import Imaging
import Reports
@testable import Scan

/// A real analyzer for tests: reads a video's "analysis" from a small text file.
///
///     probe 3.5 640 480 h264       duration, size, codec
///     frames 8                     frames sampled
///     face 10 0 0.25               frame index, track, p_fake (seconds = frame / 25)
///     error some reason            the analysis fails with this message
///     hang                         never finishes on its own (only cancellation ends it)
///     grow                         appends "grown" to the file, as a writer would, unless a
///                                  "grown" line is already there
struct TextAnalyzer: VideoAnalyzer {
    let calls = CallLog()
    /// Requests `stop` once this many analyses have finished (a kill at a chosen point).
    var stopAfter: (count: Int, stop: StopSignal)?

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    func analyze(path: String) async throws -> AnalyzedVideo {
        defer {
            let finished = calls.record(path)
            if let stopAfter, finished >= stopAfter.count { stopAfter.stop.request("test stop") }
        }
        // Opened by the exact bytes the PathText stands for, as the FFmpeg source does;
        // O_NONBLOCK so that a FIFO reaching the analyzer fails a test instead of hanging it.
        let fd = PathText.withCPath(path) { open($0, O_RDONLY | O_NONBLOCK) }
        guard fd >= 0 else { throw Failure(description: String(cString: strerror(errno)).lowercased()) }
        let text = String(decoding: FileHandle(fileDescriptor: fd, closeOnDealloc: true).readDataToEndOfFile(), as: UTF8.self)
        var probe = VideoProbe()
        var frames = 0
        var faces: [ScoredFace] = []
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ").map(String.init)
            switch words.first {
            case "probe":
                probe = VideoProbe(durationSeconds: Double(words[1]), width: Int(words[2]), height: Int(words[3]), codec: words[4])
            case "frames":
                frames = Int(words[1])!
            case "face":
                let frame = Int(words[1])!
                faces.append(ScoredFace(
                    score: FrameScore(frameIndex: frame, seconds: Double(frame) / 25, trackID: Int(words[2])!, pFake: Double(words[3])!),
                    box: FaceBox(x: Double(frame), y: 5, width: 50, height: 60)))
            case "error":
                throw Failure(description: words.dropFirst().joined(separator: " "))
            case "grow" where !text.contains("\ngrown\n"):
                let appender = PathText.withCPath(path) { open($0, O_WRONLY | O_APPEND) }
                defer { close(appender) }
                _ = "grown\n".withCString { write(appender, $0, 6) }
            case "hang":
                try await Task.sleep(for: .seconds(3600))
            default:
                continue
            }
        }
        return AnalyzedVideo(probe: probe, framesSampled: frames, faces: faces)
    }
}

/// How many times each path was analysed (thread-safe).
final class CallLog: @unchecked Sendable {
    // `lock` guards `counts` and `total`.
    private let lock = NSLock()
    private var counts: [String: Int] = [:]
    private var total = 0

    /// Records one finished call and returns how many calls have finished.
    func record(_ path: String) -> Int {
        lock.lock()
        defer { lock.unlock() }
        counts[path, default: 0] += 1
        total += 1
        return total
    }

    var byPath: [String: Int] {
        lock.lock()
        defer { lock.unlock() }
        return counts
    }
}

/// A directory of text "videos" with awkward names, as the runner tests use them.
struct TextVideoFixture {
    let root: String

    static let names = [
        "01 plain.mp4", "02 comma, in name.mp4", "03 \"quoted\".mp4", "04 new\nline.mp4", "05 東京 ünï 😀.mp4",
        "06 =formula.mp4", "07 two tracks.mp4", "08 no face.mp4", "09 broken.mp4", "10 confident.mp4",
        "11 real.mp4", "12 fake.mp4",
    ]

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("scan-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/videos", withIntermediateDirectories: true)
        for (i, name) in Self.names.enumerated() {
            try Self.content(i, name).write(toFile: root + "/videos/" + name, atomically: true, encoding: .utf8)
        }
    }

    static func content(_ i: Int, _ name: String) -> String {
        var lines = ["probe \(Double(i) + 0.5) 640 480 h264", "frames 8"]
        switch name {
        case let n where n.contains("no face"): break
        case let n where n.contains("broken"): lines = ["error moov atom not found, \"truncated\""]
        case let n where n.contains("two tracks"):
            lines += (0..<4).map { "face \($0 * 10) 0 0.1" } + (0..<4).map { "face \($0 * 10) 1 0.9" }
        case let n where n.contains("fake"): lines += (0..<8).map { "face \($0 * 10) 0 0.8" }
        default: lines += (0..<8).map { "face \($0 * 10) 0 \(Double(($0 + i) % 10) / 10)" }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    var videos: String { root + "/videos" }

    func remove() { try? FileManager.default.removeItem(atPath: root) }
}

extension VideoRow {
    /// The row without its timing, which differs between runs.
    var timeless: VideoRow {
        var copy = self
        copy.elapsedSeconds = 0
        return copy
    }
}
