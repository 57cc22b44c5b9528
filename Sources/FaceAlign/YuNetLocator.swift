import Imaging

/// YuNet (libfacedetection) as a `FaceLocator`, made cheap by detecting on a downscaled copy.
///
/// The frame is reduced so its long side is at most `detectSize` and detected once; only when
/// that finds nothing is it tried again at `retrySize` (small faces in large frames). Boxes and
/// landmarks are mapped back to the frame's pixels. Holds its scratch buffers: one instance per
/// thread (it is not Sendable); the loaded library itself is shared.
public final class YuNetLocator: FaceLocator {
    /// Long side of the first detection, in pixels.
    public let detectSize: Int
    /// Long side of the second try when the first finds no face; nil = no retry.
    public let retrySize: Int?

    private let library: YuFaceLibrary
    private let resultBuffer: UnsafeMutablePointer<UInt8>
    private var input = DetectorInput()

    /// Throws `FaceAlignError.detectorLibraryMissing` (with the command to run) when
    /// `make setup-yuface` has not been run.
    public init(detectSize: Int = 384, retrySize: Int? = 768) throws {
        precondition(detectSize >= 32, "detectSize must be at least 32 px")
        self.detectSize = detectSize
        self.retrySize = retrySize.flatMap { $0 > detectSize ? $0 : nil }
        self.library = try YuFaceLibrary.shared.get()
        self.resultBuffer = .allocate(capacity: YuFaceLibrary.resultBufferSize)
    }

    deinit { resultBuffer.deallocate() }

    /// Path of the loaded libfacedetection.so (for logs and reports).
    public var libraryPath: String { library.path }

    public func detect(in image: RGBImage) throws -> [DetectedFace] {
        let first = detect(in: image, longSide: detectSize)
        guard first.isEmpty, let retrySize, max(image.width, image.height) > detectSize else { return first }
        return detect(in: image, longSide: retrySize)
    }

    /// One detection with the long side limited to `longSide`.
    public func detect(in image: RGBImage, longSide: Int) -> [DetectedFace] {
        let size = DetectorInput.size(of: image, longSide: longSide)
        input.fill(from: image, width: size.width, height: size.height)
        library.limitOpenMPToOneThread()
        let (width, height) = (Int32(input.width), Int32(input.height))
        let result = input.withBGR { bgr in
            library.detect(resultBuffer, bgr, width, height, width * 3)
        }
        guard let result else { return [] }
        // Separate factors per axis: rounding the small size makes them differ slightly.
        let fx = Double(image.width) / Double(input.width), fy = Double(image.height) / Double(input.height)
        return Self.parse(result, scaleX: fx, scaleY: fy)
    }

    /// Layout (facedetectcnn.h / the library README): int32 face count, then per face 16
    /// int16: confidence × 100, box x, y, w, h, then 5 landmark (x, y) pairs.
    /// A small-image pixel centre c covers source pixels [c·f, (c+1)·f), whose centre is
    /// (c + 0.5)·f − 0.5; box edges scale plainly.
    static func parse(_ result: UnsafeMutablePointer<Int32>, scaleX fx: Double, scaleY fy: Double) -> [DetectedFace] {
        let count = Int(result.pointee)
        guard count > 0 else { return [] }
        let values = UnsafeRawPointer(result + 1).assumingMemoryBound(to: Int16.self)
        return (0..<min(count, 1024)).map { i in
            let face = values + 16 * i
            let box = BoundingBox(x: Double(face[1]) * fx, y: Double(face[2]) * fy,
                                  width: Double(face[3]) * fx, height: Double(face[4]) * fy)
            let landmarks = (0..<5).map { k in
                Point(x: (Double(face[5 + 2 * k]) + 0.5) * fx - 0.5, y: (Double(face[6 + 2 * k]) + 0.5) * fy - 0.5)
            }
            return DetectedFace(box: box, landmarks: landmarks, score: Double(face[0]) / 100)
        }
    }
}
