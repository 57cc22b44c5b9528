import ArgumentParser
import Detectors
import Dispatch
import Foundation
import Imaging
import Synchronization
import Tensor

/// Throughput of one detector on fixed inputs: `workers` threads, each with its own model
/// instance (one BLAS thread each), scoring batches of `batch` crops for `seconds`.
/// Prints one JSON line; Training/bench/bench_engine.py runs it beside ONNX Runtime.
@main
struct EngineBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine-bench", abstract: "Images/s of a detector on raw RGB24 256×256 inputs (one JSON line).")

    @Option(help: "Model weights (safetensors with a model card).") var weights: String
    @Option(help: "Raw uint8 file of N×256×256×3 RGB images.") var inputs: String
    @Option(help: "Crops per pFake call.") var batch: Int = 1
    @Option(help: "Worker threads, each with its own model instance.") var workers: Int = 1
    @Option(help: "Seconds to measure (after one warm-up batch per worker).") var seconds: Double = 3
    @Option(help: "Score exactly this many batches per worker instead of timing (for whole-process timers).")
    var iterations: Int?
    @Flag(help: "Also compute the manipulation masks (ClassNSeg's segmentation branch).") var masks = false

    /// ArgumentParser's `main()`, after choosing OpenBLAS' kernels as the CLI does, so the
    /// bench measures what `deepfake-scan` runs.
    static func main() {
        BLASCore.relaunchWithPreferredCoreIfNeeded()
        let command = parseOrExit()
        do {
            try command.run()
        } catch {
            exit(withError: error)
        }
    }

    func validate() throws {
        guard batch > 0, workers > 0, seconds > 0 else { throw ValidationError("batch, workers and seconds must be positive") }
    }

    func run() throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: inputs)))
        let imageBytes = 256 * 256 * 3
        guard !bytes.isEmpty, bytes.count % imageBytes == 0 else { throw ValidationError("\(inputs) is not N×256×256×3 bytes") }
        let images = (0..<(bytes.count / imageBytes)).map {
            RGBImage(width: 256, height: 256, pixels: Array(bytes[($0 * imageBytes)..<(($0 + 1) * imageBytes)]))
        }
        let crops = (0..<batch).map { images[$0 % images.count] }
        let url = URL(fileURLWithPath: weights)
        let results = Mutex<[(images: Int, seconds: Double, firstScores: [Float])]>([])
        let failure = Mutex<String?>(nil)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            do {
                let loaded = try DetectorRegistry.load(weights: url)
                guard !masks || loaded is any MaskingDetector else { throw ValidationError("--masks: this model makes no masks") }
                let score: ([RGBImage]) throws -> [Float] = masks
                    ? { try (loaded as! any MaskingDetector).pFakeAndMasks(crops: $0).map(\.pFake) }
                    : { try loaded.pFake(crops: $0) }
                let firstScores = try score(crops)  // warm-up, also the scores we report
                var done = 0
                let start = DispatchTime.now().uptimeNanoseconds
                var elapsed = 0.0
                while iterations.map({ done < $0 * crops.count }) ?? (elapsed < seconds) {
                    _ = try score(crops)
                    done += crops.count
                    elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                }
                results.withLock { $0.append((done, elapsed, firstScores)) }
            } catch {
                failure.withLock { $0 = "\(error)" }
            }
        }
        if let message = failure.withLock({ $0 }) { throw ValidationError(message) }
        let runs = results.withLock { $0 }
        let rate = runs.reduce(0) { $0 + Double($1.images) / $1.seconds }
        let scores = runs[0].firstScores.map { String(format: "%.6f", $0) }.joined(separator: ",")
        print("{\"images_per_s\": \(String(format: "%.2f", rate)), \"batch\": \(batch), \"workers\": \(workers), " +
              "\"masks\": \(masks), \"blas_core\": \"\(BLASCore.activeCore)\", " +
              "\"avx512_kernels\": \(WideKernels.available), \"p_fake\": [\(scores)]}")
    }
}
