import Foundation
import VideoDecode

// libFuzzer target for the container/decoder entry point (`make fuzz`, docs/fuzzing.md): the
// bytes are written to a file and opened, probed and sampled the way `scan` does it (frame
// table, exact frames evenly, every N seconds, keyframes). Errors are fine; traps are not.
// Built normally (without -DFUZZING) it is a replayer: `fuzz-decode FILE…` runs each file once.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecode(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let scratch = scratchPath
    do {
        try Data(bytes: data, count: size).write(to: URL(fileURLWithPath: scratch))
    } catch {
        fatalError("cannot write \(scratch): \(error)")
    }
    exerciseDecode(path: scratch)
    return 0
}

/// One scratch file per process, in memory when /dev/shm exists.
let scratchPath: String = {
    let folder = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    return "\(folder)/fuzz-decode-\(getpid()).bin"
}()

func exerciseDecode(path: String) {
    guard let reader = try? VideoReader(path: path, decodeThreads: 1) else { return }
    _ = String(describing: reader.info)
    for sampling in [FrameSampling.evenly(count: 3), .everySeconds(0.5), .keyframes] {
        var delivered = 0
        let outcome = reader.sample(sampling) { frame in
            precondition(frame.image.pixels.count == frame.image.width * frame.image.height * 3)
            delivered += 1
            return delivered < 4
        }
        precondition(outcome.framesDelivered == delivered)
    }
}

#if !FUZZING
@main
enum ReplayDecode {
    static func main() {
        for path in CommandLine.arguments.dropFirst() {
            exerciseDecode(path: path)
            print("ok \(path)")
        }
    }
}
#endif
