import ArgumentParser
import Foundation
import Imaging
import VideoDecode

/// `deepfake-scan frames VIDEO --out DIR`: the sampled frames as PNG files plus frames.jsonl.
struct Frames: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the sampled frames of a video as PNG (frame-%05d.png by frame index) with frames.jsonl.")

    @Argument(help: "A video file.")
    var video: String

    @Option(help: "Folder for the PNG files and frames.jsonl (created when missing).")
    var out: String

    @OptionGroup var sampling: SamplingOptions

    func run() throws {
        let reader: VideoReader
        do {
            reader = try VideoReader(path: video, decodeThreads: sampling.decodeThreadCount(jobs: 1))
        } catch {
            throw failure("\(video): \(error)")
        }
        let listPath = try OutputFolder.prepare(out, listFile: "frames.jsonl", inputs: [video])
        guard FileManager.default.createFile(atPath: listPath, contents: nil),
              let list = FileHandle(forWritingAtPath: listPath) else { throw failure("cannot write \(listPath)") }
        defer { try? list.close() }
        let approximate = sampling.keyframes
        let outcome = try reader.sample(sampling.sampling) { (frame: VideoFrame) throws -> Bool in
            let name = String(format: "frame-%05d.png", frame.index)
            try StillImage.writePNG(frame.image, to: out + "/" + name)
            try list.write(contentsOf: Data((Self.jsonLine(frame, file: name, approximate: approximate) + "\n").utf8))
            return true
        }
        print("\(video): wrote \(outcome.framesDelivered) of \(outcome.framesRequested) frames to \(out)")
        if let error = outcome.error { throw failure("\(video): \(error)") }
    }

    static func jsonLine(_ frame: VideoFrame, file: String, approximate: Bool) -> String {
        "{\"index\":\(frame.index),\"pts\":\(frame.pts),\"seconds\":\(frame.seconds),"
            + "\"keyframe\":\(frame.isKeyframe),\"approximate\":\(approximate),\"file\":\"\(file)\"}"
    }

    private func failure(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        return ExitCode(1)
    }
}
