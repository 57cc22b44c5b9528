import ArgumentParser
import FaceAlign
import Foundation
import Imaging
import VideoDecode

/// Times the face stage against plain YuNet use on the same decoded frames, one video at a time.
///
/// "ours": `FaceExtractor` (detect at `--detect-size`, retry at `--retry-size` only when nothing
/// is found, score/size floors, tracks, every kept face aligned). "plain": the reference
/// pipeline's way (shared/bench): shrink to ≤ 640 px, detect once, keep the best face with
/// score ≥ 0.5, align it. Decoding is not timed. Times are CPU time of the calling thread (the
/// detector runs on it alone: one OpenMP thread), so other load on a shared machine inflates
/// them far less than wall time. Run it pinned to one core (`make bench-faces`).
@main
struct FaceBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "face-bench",
        abstract: "ms per frame of face detection + alignment, ours vs plain YuNet at ≤ 640 px, and face recall.")

    @Argument(help: "Video files.")
    var videos: [String]

    @Option(help: "Evenly spaced frames per video.")
    var frames = 32

    @Option(help: "Long side of our first detection.")
    var detectSize = FaceAlignOptions().detectSize

    @Option(help: "Search whole frames at least every N sampled frames (1 = every frame).")
    var searchEvery = FaceAlignOptions().searchEvery

    @Option(help: "Long side of our retry when nothing is found (0 = none).")
    var retrySize = FaceAlignOptions().retrySize ?? 0

    @Option(help: "Face size (px) of our close look around known faces.")
    var hintFaceSize = FaceAlignOptions().hintFaceSize

    @Option(help: "Long side of the plain reference detection.")
    var referenceSize = 640

    @Option(help: "Also compare close-look landmarks at these face sizes (px, comma-separated), not timed.")
    var compareLandmarks: String?

    func validate() throws {
        if videos.isEmpty { throw ValidationError("give at least one video") }
        if frames < 1 { throw ValidationError("--frames must be positive") }
        if hintFaceSize < 16 { throw ValidationError("--hint-face-size must be at least 16") }
        if let compareLandmarks, landmarkSizes(compareLandmarks).count < 2 {
            throw ValidationError("--compare-landmarks needs two or more sizes ≥ 16, e.g. 64,72,128")
        }
    }

    func run() throws {
        let options = FaceAlignOptions(detectSize: detectSize, retrySize: retrySize > 0 ? retrySize : nil,
                                       searchEvery: searchEvery, hintFaceSize: hintFaceSize)
        print("face-bench: ours = detect \(detectSize) px, retry \(retrySize > 0 ? "\(retrySize) px" : "none"), "
            + "whole-frame search every \(searchEvery) frames, else near the previous faces at \(options.hintFaceSize) px, "
            + "floors score \(options.scoreFloor) / \(Int(options.minFaceSize)) px; plain = ≤\(referenceSize) px, "
            + "best face ≥ 0.5; \(frames) frames per video; threads in process at start: \(threadCount())")
        print(BenchRow.header)
        var rows: [BenchRow] = []
        let landmarks = try compareLandmarks.map { try LandmarkComparison(faceSizes: landmarkSizes($0)) }
        for path in videos {
            do {
                let row = try measure(path: path, options: options, landmarks: landmarks)
                rows.append(row)
                print(row.line)
            } catch {
                print("\((path as NSString).lastPathComponent): skipped (\(error))")
            }
        }
        print("threads in process at end: \(threadCount()) (no OpenMP team: one detector thread)")
        BenchSummary(rows: rows).print()
        landmarks?.print()
    }

    private func landmarkSizes(_ list: String) -> [Int] {
        list.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.filter { $0 >= 16 }
    }

    private func measure(path: String, options: FaceAlignOptions, landmarks: LandmarkComparison?) throws -> BenchRow {
        let reader = try VideoReader(path: path, decodeThreads: 1)
        let extractor = try FaceExtractor(options: options)
        let plain = try YuNetLocator(detectSize: referenceSize, retrySize: nil)
        let aligner = FaceAligner()
        var row = BenchRow(name: (path as NSString).lastPathComponent)
        reader.sample(.evenly(count: frames)) { frame in
            row.width = frame.image.width
            row.height = frame.image.height
            var oursFaces: [AlignedFace] = []
            row.ours += threadCPUMilliseconds {
                oursFaces = (try? extractor.faces(in: frame)) ?? []
            }
            try? landmarks?.add(oursFaces, in: frame.image)
            var plainFound = false
            row.plain += threadCPUMilliseconds {
                let best = plain.detect(in: frame.image, longSide: referenceSize)
                    .filter { $0.score >= 0.5 }.max { $0.score < $1.score }
                if let best, aligner.align(best.landmarks, in: frame.image) != nil { plainFound = true }
            }
            row.frames += 1
            if oursFaces.isEmpty { row.oursMissed.append(frame.index) } else { row.oursWithFace += 1 }
            if plainFound { row.plainWithFace += 1 }
            return true
        }
        row.tracks = extractor.trackCount
        return row
    }

    /// CPU milliseconds the calling thread spent in `work`.
    private func threadCPUMilliseconds(_ work: () -> Void) -> Double {
        func now() -> Double {
            var spec = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
            return Double(spec.tv_sec) * 1000 + Double(spec.tv_nsec) / 1e6
        }
        let start = now()
        work()
        return now() - start
    }

    private func threadCount() -> String {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        return status.split(separator: "\n").first { $0.hasPrefix("Threads:") }
            .map { $0.dropFirst("Threads:".count).trimmingCharacters(in: .whitespaces) } ?? "?"
    }
}
