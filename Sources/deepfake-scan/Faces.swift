import ArgumentParser
import FaceAlign
import Foundation
import Imaging
import Reports
import VideoDecode

/// `deepfake-scan faces VIDEO|IMAGE… --out DIR`: aligned face crops as PNG plus faces.jsonl.
/// Training builds its datasets with it, so training and scanning see identical crops.
struct Faces: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Detect, align and track faces; write the crops as PNG (one folder per input) and faces.jsonl.")

    @Argument(help: "Video or image files (images: .png .jpg .jpeg .bmp .webp .tif .tiff).")
    var inputs: [String] = []

    @Option(help: "Folder for the crops and faces.jsonl (created when missing).")
    var out: String

    @OptionGroup var faceOptions: FaceOptions
    @OptionGroup var sampling: SamplingOptions

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("give at least one video or image") }
    }

    func run() throws {
        let options = faceOptions.alignOptions
        do {
            _ = try YuNetLocator(detectSize: options.detectSize)
        } catch {
            throw failure("\(error)", code: 2)
        }
        let listPath = try OutputFolder.prepare(out, listFile: "faces.jsonl", inputs: inputs)
        guard FileManager.default.createFile(atPath: listPath, contents: nil),
              let list = FileHandle(forWritingAtPath: listPath) else { throw failure("cannot write \(listPath)") }
        defer { try? list.close() }

        var folders = CropFolders()
        var anyFailed = false
        for input in inputs {
            let folder = folders.claim(for: input)
            do {
                try FileManager.default.createDirectory(atPath: out + "/" + folder, withIntermediateDirectories: true)
                let summary = try extract(input, options: options) { face in
                    let file = folder + "/" + String(format: "f%06d-t%d.png", face.frameIndex, face.trackID)
                    try StillImage.writePNG(face.crop, to: out + "/" + file)
                    try list.write(contentsOf: Data(FaceCropLine(video: input, face: face, cropFile: file).jsonLine().utf8))
                }
                print("\(input): \(summary)")
            } catch {
                anyFailed = true
                FileHandle.standardError.write(Data("\(input): \(error)\n".utf8))
            }
        }
        if anyFailed { throw ExitCode(1) }
    }

    /// Runs one input through a fresh extractor (tracks are per input), handing each face to
    /// `write`. Returns a one-line summary; throws when the input cannot be read to the end.
    private func extract(_ input: String, options: FaceAlignOptions,
                         write: (AlignedFace) throws -> Void) throws -> String {
        let extractor = try FaceExtractor(options: options)
        var counts = (frames: 0, withFace: 0, faces: 0)
        func take(_ frame: VideoFrame) throws {
            let faces = try extractor.faces(in: frame)
            counts.frames += 1
            counts.withFace += faces.isEmpty ? 0 : 1
            counts.faces += faces.count
            try faces.forEach(write)
        }
        if Self.isImage(input) {
            try take(VideoFrame(index: 0, seconds: 0, image: StillImage.read(path: input)))
        } else {
            let reader = try VideoReader(path: input, decodeThreads: sampling.decodeThreadCount(jobs: 1))
            let outcome = try reader.sample(sampling.sampling) { (frame: VideoFrame) throws -> Bool in
                try take(frame)
                return true
            }
            if let error = outcome.error { throw error }
        }
        return "\(counts.frames) frame(s), \(counts.withFace) with a face, \(counts.faces) crop(s), "
            + "\(extractor.trackCount) track(s)"
    }

    static func isImage(_ path: String) -> Bool {
        ["png", "jpg", "jpeg", "bmp", "webp", "tif", "tiff"].contains((path as NSString).pathExtension.lowercased())
    }

    private func failure(_ message: String, code: Int32 = 1) -> ExitCode {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        return ExitCode(code)
    }
}

/// One folder of crops per input, named after the file; repeated names get -2, -3 ….
struct CropFolders {
    private var used: Set<String> = []

    mutating func claim(for input: String) -> String {
        let stem = ((input as NSString).lastPathComponent as NSString).deletingPathExtension
        let base = stem.isEmpty ? "input" : stem
        var name = base, n = 1
        while used.contains(name) {
            n += 1
            name = "\(base)-\(n)"
        }
        used.insert(name)
        return name
    }
}

extension FaceCropLine {
    /// The line of one aligned face: pixel coordinates rounded to 0.01, seconds to 1 µs.
    init(video: String, face: AlignedFace, cropFile: String) {
        func r(_ v: Double) -> Double { (v * 100).rounded() / 100 }
        self.init(video: video, frameIndex: face.frameIndex, seconds: (face.seconds * 1e6).rounded() / 1e6,
                  track: face.trackID,
                  box: FaceBox(x: r(face.box.x), y: r(face.box.y), width: r(face.box.width), height: r(face.box.height)),
                  landmarks: face.landmarks.map { [r($0.x), r($0.y)] },
                  cropLandmarks: face.cropLandmarks.map { [r($0.x), r($0.y)] }, score: r(face.score), crop: cropFile)
    }
}
