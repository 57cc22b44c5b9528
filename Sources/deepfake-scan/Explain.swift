import ArgumentParser
import Detectors
import FaceAlign
import Foundation
import Imaging
import NN
import VideoDecode

/// `deepfake-scan explain IMAGE… --out DIR`: one photo in, a verdict per face out, and for
/// models with masks (classnseg) the mask overlay, so a user can see why a face was called fake.
struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score the faces of still images; with a masking model (classnseg) write each face's mask overlay.",
        discussion: """
        Prints one line per face: p_fake, the verdict at the model card's threshold (0.5 when it has \
        none) and, for models with masks, the fraction of the aligned face flagged manipulated (mask \
        probability ≥ 0.5) and the overlay PNG (the aligned face beside its mask-tinted copy). Exit \
        codes: 0 done, 1 some image could not be read, 2 usage or configuration error.
        """)

    @Argument(help: "Image files (.png .jpg .jpeg .bmp .webp .tif .tiff).")
    var images: [String] = []

    @Option(help: "Folder for the overlays (created when missing).")
    var out: String

    @Option(help: "Bundled model (card name, or architecture when one bundled model has it); with --weights: the architecture to load them as.")
    var model: String?

    @Option(help: "Detector weights (.safetensors with a model card).")
    var weights: String?

    @Flag(help: "The images are already aligned face crops (as `faces` writes them): score each whole image, no face search.")
    var aligned = false

    @OptionGroup(title: "Faces") var faceOptions: FaceOptions

    func validate() throws {
        if images.isEmpty { throw ValidationError("give at least one image") }
        if let bad = images.first(where: { !Faces.isImage($0) }) { throw ValidationError("not an image file: \(bad)") }
    }

    func run() throws {
        let detector: any Detector
        var extractor: FaceExtractor?
        do {
            let choice = try ModelLocation.choose(weights: weights, model: model)
            detector = if let name = choice.architecture { try DetectorRegistry.load(name: name, weights: choice.weights) }
                       else { try DetectorRegistry.load(weights: choice.weights) }
            if !aligned { extractor = try FaceExtractor(options: faceOptions.alignOptions) }
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(EntryPoint.usageErrorCode)
        }
        try OutputFolder.create(out)
        let threshold = detector.card.threshold ?? 0.5
        var names = CropFolders()
        var anyFailed = false
        for path in images {
            do {
                let image = try StillImage.read(path: path)
                let crops = try extractor.map { try $0.faces(in: VideoFrame(index: 0, seconds: 0, image: image)).map(\.crop) } ?? [image]
                if crops.isEmpty { print("\(path): no face found") }
                let stem = names.claim(for: path)
                for line in try explain(crops, detector: detector, threshold: threshold, stem: stem) {
                    print("\(path) \(line)")
                }
            } catch {
                anyFailed = true
                FileHandle.standardError.write(Data("\(path): \(error)\n".utf8))
            }
        }
        if anyFailed { throw ExitCode(1) }
    }

    /// One text line per crop; writes the overlays of a masking detector.
    func explain(_ crops: [RGBImage], detector: any Detector, threshold: Double, stem: String) throws -> [String] {
        guard !crops.isEmpty else { return [] }
        func verdict(_ index: Int, _ p: Float) -> String {
            "face \(index): p_fake " + String(format: "%.4f", p) + " → \(Double(p) >= threshold ? "fake" : "real") "
                + "(threshold " + String(format: "%.4f", threshold) + ")"
        }
        guard let masking = detector as? any MaskingDetector else {
            return try detector.pFake(crops: crops).enumerated().map { verdict($0, $1) }
        }
        let size = detector.card.inputSize
        let inputs = crops.map { $0.width == size && $0.height == size ? $0 : $0.resampled(width: size, height: size) }
        return try masking.pFakeAndMasks(crops: inputs).enumerated().map { index, result in
            let file = out + "/" + (crops.count == 1 ? stem : "\(stem)-face\(index)") + "-mask.png"
            try StillImage.writePNG(result.mask.overlay(on: inputs[index]), to: file)
            return verdict(index, result.pFake)
                + String(format: "; mask flags %.1f %% of the face (mean %.3f) → ", 100 * result.mask.flaggedFraction,
                         result.mask.meanProbability) + file
        }
    }
}
