import Foundation
import VideoDecode

// make bench-decode: 32 exact frames per clip, three ways, as whole processes interleaved
// round by round (A B C A B C …) so drift on a noisy machine hits all three alike:
//   ours  — VideoReader, GOP-aware (decode forward, seek only past a keyframe)
//   floor — ffmpeg CLI decoding exactly the needed span (the whole clip: targets run 0…n−1)
//           and converting only the selected frames to RGB
//   naive — VideoReader seeking to the keyframe of every target (one run: it is slow)
// Usage: decode-bench [--rounds N] [--frames N] [--folder DIR] [--clip PATH]…
//        decode-bench sample PATH FRAMES gop|seek   (one sampling run; the timed child)

let arguments = Array(CommandLine.arguments.dropFirst())

/// Prints a whole line at once (unbuffered), so progress shows also through a pipe or file.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func sampleOnce(_ arguments: [String]) throws {
    guard arguments.count == 4, let count = Int(arguments[2]), ["gop", "seek"].contains(arguments[3]) else {
        throw BenchError.usage("usage: decode-bench sample PATH FRAMES gop|seek")
    }
    let reader = try VideoReader(path: arguments[1], decodeThreads: 2)
    let policy: SeekPolicy = arguments[3] == "gop" ? .gopAware : .seekPerFrame
    var checksum = 0
    let outcome = reader.sample(.evenly(count: count), seekPolicy: policy) { frame in
        checksum &+= Int(frame.image.pixels[frame.image.pixels.count / 2])
        return true
    }
    guard outcome.succeeded else { throw BenchError.usage("sampling failed: \(String(describing: outcome.error))") }
    say("delivered \(outcome.framesDelivered) decoded \(outcome.framesDecoded) checksum \(checksum)")
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func bench(_ arguments: [String]) throws {
    var rounds = 5, frames = 32, folder = "out/bench", extraClips: [String] = []
    var rest = arguments[...]
    while let flag = rest.popFirst() {
        guard let value = rest.popFirst() else { throw BenchError.usage("\(flag) needs a value") }
        switch flag {
        case "--rounds": rounds = max(1, Int(value) ?? rounds)
        case "--frames": frames = max(1, Int(value) ?? frames)
        case "--folder": folder = value
        case "--clip": extraClips.append(value)
        default: throw BenchError.usage("unknown option \(flag)")
        }
    }
    var clips: [String] = []
    for clip in BenchClip.all {
        try clip.make(in: folder)
        clips.append(clip.path(in: folder))
    }
    clips += extraClips
    let me = CommandLine.arguments[0]
    say("\(frames) exact frames per clip; ours and floor: \(rounds) interleaved rounds, medians of whole-process times")
    say("clip".padding(toLength: 22, withPad: " ", startingAt: 0)
          + "decoded  ours s  floor s  naive s  ours/floor  naive/floor  ours/floor cpu")
    var oursOverFloor: [Double] = []
    for clip in clips {
        let reader = try VideoReader(path: clip)
        let count = reader.info.frameCount
        let planned = reader.sample(.evenly(count: frames)) { _ in true }
        let select = (0..<frames).map { "eq(n\\,\(Int((Double($0) * Double(count - 1) / Double(frames - 1)).rounded())))" }
        let commands: [[String]] = [
            [me, "sample", clip, "\(frames)", "gop"],
            ["ffmpeg", "-nostdin", "-loglevel", "error", "-threads", "2", "-i", clip, "-map", "0:v:0",
             "-vf", "select=" + select.joined(separator: "+"), "-fps_mode", "passthrough",
             "-pix_fmt", "rgb24", "-f", "rawvideo", "-y", "/dev/null"],
            [me, "sample", clip, "\(frames)", "seek"],
        ]
        func measured(_ command: [String]) throws -> ProcessCost {
            let cost = try runMeasured(command)
            guard cost.exitStatus == 0 else { throw BenchError.commandFailed(command.joined(separator: " "), cost.exitStatus) }
            return cost
        }
        for command in commands.prefix(2) { _ = try measured(command) } // warm-up: page cache, lazy binding
        var wall = [[Double]](repeating: [], count: 2)
        var ratios: [Double] = [], cpuRatios: [Double] = []
        for _ in 0..<rounds {
            let ours = try measured(commands[0]), floor = try measured(commands[1])
            wall[0].append(ours.wallSeconds)
            wall[1].append(floor.wallSeconds)
            ratios.append(ours.wallSeconds / floor.wallSeconds)
            cpuRatios.append(ours.cpuSeconds / floor.cpuSeconds)
        }
        // The naive sampler is slow on long GOPs; one run is enough to show how slow.
        let naive = try measured(commands[2]).wallSeconds
        oursOverFloor.append(median(ratios))
        let name = URL(fileURLWithPath: clip).lastPathComponent
        say(name.padding(toLength: 22, withPad: " ", startingAt: 0)
              + String(format: "%7d  %6.3f  %7.3f  %7.3f  %9.2f×  %10.2f×  %13.2f×",
                       planned.framesDecoded, median(wall[0]), median(wall[1]), naive,
                       median(ratios), naive / median(wall[1]), median(cpuRatios)))
    }
    say(String(format: "median ours/floor over clips: %.2f× (goal ≤ 1.2×)", median(oursOverFloor)))
}

do {
    if arguments.first == "sample" { try sampleOnce(arguments) } else { try bench(arguments) }
} catch {
    FileHandle.standardError.write(Data("decode-bench: \(error)\n".utf8))
    exit(1)
}
