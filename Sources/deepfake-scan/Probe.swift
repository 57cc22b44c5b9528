import ArgumentParser
import Foundation
import VideoDecode

/// `deepfake-scan probe VIDEO…`: stream facts without decoding a picture.
struct Probe: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show container, codec, size, rotation, duration, frame rates, counted frames and keyframe interval.")

    @Argument(help: "Video files.")
    var videos: [String] = []

    @Flag(help: "One JSON object per video and line, for machines.")
    var json = false

    func validate() throws {
        if videos.isEmpty { throw ValidationError("give at least one video file") }
    }

    func run() throws {
        var anyFailed = false
        for path in videos {
            let result = Result { () throws(VideoDecodeError) in try VideoReader(path: path, decodeThreads: 1).info }
            if case .failure = result { anyFailed = true }
            if json {
                print(try ProbeLine(path: path, result: result).jsonText())
            } else {
                switch result {
                case let .success(info): print(ProbeTable.text(path: path, info: info))
                case let .failure(error): FileHandle.standardError.write(Data("\(path): \(error)\n".utf8))
                }
            }
        }
        if anyFailed { throw ExitCode(1) }
    }
}

/// The JSON line of one probed video: path, every `VideoInfo` field, or the error.
struct ProbeLine: Encodable {
    var path: String
    var result: Result<VideoInfo, VideoDecodeError>

    private enum Keys: String, CodingKey { case path, error, frameCountWasCounted }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(path, forKey: .path)
        switch result {
        case let .success(info):
            try info.encode(to: encoder)
            try container.encode(info.frameCountWasCounted, forKey: .frameCountWasCounted)
        case let .failure(error):
            try container.encode(error.description, forKey: .error)
        }
    }

    func jsonText() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}

/// A short block of aligned lines per video, for people.
enum ProbeTable {
    static func text(path: String, info: VideoInfo) -> String {
        var rows: [(String, String)] = [("container", info.container)]
        let profile = info.profile.map { " (\($0))" } ?? ""
        rows.append(("video", "\(info.codec)\(profile), \(info.pixelFormat), \(info.width)×\(info.height)"
            + (info.rotationDegrees != 0 ? ", rotated \(info.rotationDegrees)° for display" : "")))
        rows.append(("duration", info.durationSeconds.map { String(format: "%.3f s", $0) } ?? "unknown"))
        rows.append(("frame rate", "\(rate(info.averageFrameRate)) average, \(rate(info.realFrameRate)) real"))
        let header = info.containerFrameCount.map { "header says \($0)" } ?? "header silent"
        rows.append(("frames", "\(info.frameCount) (\(info.frameCountWasCounted ? "counted; " + header : "counted, matches header"))"))
        rows.append(("bit rate", info.bitRate.map { String(format: "%.0f kb/s", Double($0) / 1000) } ?? "unknown"))
        rows.append(("keyframes", info.keyframeIntervalEstimate.map { "every ~\($0) frames" } ?? "only one"))
        return ([path] + rows.map { "  " + $0.0.padding(toLength: 11, withPad: " ", startingAt: 0) + $0.1 })
            .joined(separator: "\n")
    }

    private static func rate(_ value: Double?) -> String {
        value.map { String(format: "%.3f fps", $0) } ?? "unknown"
    }
}
