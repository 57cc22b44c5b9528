import Imaging

/// YuNet (libfacedetection) as a `FaceLocator`, made cheap by detecting on small copies.
///
/// Whole frame: reduced so its long side is at most `detectSize` and its short side a multiple
/// of 32 (see `networkGrid`), detected once; only when that finds nothing, again at
/// `retrySize` (small faces in large frames). Near hints: a square around each hinted box
/// (twice its size), reduced so the face is about `hintFaceSize` px — a fraction of the pixels
/// of a whole-frame search, and landmarks from a larger face image.
/// Results are mapped back to frame pixels. Holds scratch buffers: one instance per thread
/// (not Sendable); the loaded library itself is shared.
public final class YuNetLocator: FaceLocator {
    /// Long side of the whole-frame detection, in pixels.
    public let detectSize: Int
    /// Long side of the second try when the first finds no face; nil = no retry.
    public let retrySize: Int?
    /// Face size (px) a hinted region is scaled to. The region is twice that (see
    /// `hintRegionGrowth`). Default 72 (144 px, paid as 160): the bundled model was trained on
    /// crops aligned from 72 px close looks, and a smaller look moves the landmarks enough to
    /// cost it video AUC (docs/faces.md).
    public let hintFaceSize: Int

    /// libfacedetection pads its input up to a multiple of 32 px on each side, and padding
    /// costs as much as picture (timings in docs/faces.md), so inputs are sized on this grid.
    static let networkGrid = 32

    /// The region searched around a hint, as a multiple of the hinted box's longer side: room
    /// for a head that moved half a face width between sampled frames, and context enough for
    /// the close look to reject face-like objects. (A tighter region is cheaper but took the cup
    /// in Samples/coffee_no_face.mp4 for a face; docs/faces.md.)
    static let hintRegionGrowth = 2.0

    private let library: YuFaceLibrary
    private let resultBuffer: UnsafeMutablePointer<UInt8>
    private var input = DetectorInput()

    /// Throws `FaceAlignError.detectorLibraryMissing` (with the command to run) when
    /// `make setup-yuface` has not been run.
    public init(detectSize: Int = 320, retrySize: Int? = 640, hintFaceSize: Int = 72) throws {
        precondition(detectSize >= 32 && hintFaceSize >= 16, "detection sizes too small")
        self.detectSize = detectSize
        self.retrySize = retrySize.flatMap { $0 > detectSize ? $0 : nil }
        self.hintFaceSize = hintFaceSize
        self.library = try YuFaceLibrary.shared.get()
        self.resultBuffer = .allocate(capacity: YuFaceLibrary.resultBufferSize)
    }

    deinit { resultBuffer.deallocate() }

    /// Path of the loaded libfacedetection.so (for logs and reports).
    public var libraryPath: String { library.path }

    public func detect(in image: RGBImage) throws -> [DetectedFace] {
        let first = detect(in: image, fittingGridAt: detectSize)
        guard first.isEmpty, let retrySize, max(image.width, image.height) > detectSize else { return first }
        return detect(in: image, fittingGridAt: retrySize)
    }

    /// One whole-frame detection with the long side limited to `longSide` (exactly as asked:
    /// the plain reference use in `make bench-faces`).
    public func detect(in image: RGBImage, longSide: Int) -> [DetectedFace] {
        detect(in: image, region: .whole(image), longSide: longSide)
    }

    /// A whole-frame detection at `longSide` shrunk further, aspect kept, until the short side
    /// is a multiple of `networkGrid`: a 16:9 frame at 320 becomes 284×160 instead of 320×180,
    /// which saves the padding's cost for a slightly smaller image (the retry catches faces
    /// this loses).
    private func detect(in image: RGBImage, fittingGridAt longSide: Int) -> [DetectedFace] {
        let region = PixelRegion.whole(image)
        let size = DetectorInput.size(of: region, longSide: longSide, shortSideMultipleOf: Self.networkGrid)
        return detect(in: image, region: region, size: size)
    }

    public func detect(in image: RGBImage, near hints: [FaceBox]) throws -> [DetectedFace] {
        var found: [DetectedFace] = []
        for hint in hints {
            guard let region = PixelRegion.around(hint, grownBy: Self.hintRegionGrowth, in: image) else { continue }
            let longSide = Int(Double(hintFaceSize) * Self.hintRegionGrowth)
            for face in detect(in: image, region: region, size: DetectorInput.size(of: region, longSide: longSide))
            where Self.isWhole(face.box, in: region, of: image) && !found.contains(where: { $0.box.iou(face.box) > 0.5 }) {
                found.append(face)
            }
        }
        return found
    }

    /// False when the box runs over a region edge that is not the frame's edge: the face was
    /// cut by the search window (it moved further than expected), so its landmarks are not
    /// trusted and the caller falls back to a whole-frame search.
    static func isWhole(_ box: FaceBox, in region: PixelRegion, of image: RGBImage) -> Bool {
        let slack = 0.02 * Double(max(region.width, region.height))
        let (left, top) = (Double(region.x), Double(region.y))
        let (right, bottom) = (left + Double(region.width), top + Double(region.height))
        return (region.x == 0 || box.x >= left - slack)
            && (region.y == 0 || box.y >= top - slack)
            && (region.x + region.width == image.width || box.x + box.width <= right + slack)
            && (region.y + region.height == image.height || box.y + box.height <= bottom + slack)
    }

    private func detect(in image: RGBImage, region: PixelRegion, longSide: Int) -> [DetectedFace] {
        detect(in: image, region: region, size: DetectorInput.size(of: region, longSide: longSide))
    }

    private func detect(in image: RGBImage, region: PixelRegion, size: (width: Int, height: Int)) -> [DetectedFace] {
        input.fill(from: image, region: region, width: size.width, height: size.height)
        library.limitOpenMPToOneThread()
        let (width, height) = (Int32(input.width), Int32(input.height))
        let result = input.withBGR { bgr in
            library.detect(resultBuffer, bgr, width, height, width * 3)
        }
        guard let result else { return [] }
        return Self.parse(result, from: region, scaleX: Double(region.width) / Double(input.width),
                          scaleY: Double(region.height) / Double(input.height))
    }

    /// Layout (facedetectcnn.h / the library README): int32 face count, then per face 16
    /// int16: confidence × 100, box x, y, w, h, then 5 landmark (x, y) pairs.
    /// A small-image pixel c covers region pixels [c·f, (c+1)·f), whose centre is
    /// (c + 0.5)·f − 0.5; box edges scale plainly; then shift by the region's origin.
    static func parse(_ result: UnsafeMutablePointer<Int32>, from region: PixelRegion,
                      scaleX fx: Double, scaleY fy: Double) -> [DetectedFace] {
        let count = Int(result.pointee)
        guard count > 0 else { return [] }
        let values = UnsafeRawPointer(result + 1).assumingMemoryBound(to: Int16.self)
        let ox = Double(region.x), oy = Double(region.y)
        return (0..<min(count, 1024)).map { i in
            let face = values + 16 * i
            let box = FaceBox(x: ox + Double(face[1]) * fx, y: oy + Double(face[2]) * fy,
                                  width: Double(face[3]) * fx, height: Double(face[4]) * fy)
            let landmarks = (0..<5).map { k in
                Point(x: ox + (Double(face[5 + 2 * k]) + 0.5) * fx - 0.5,
                      y: oy + (Double(face[6 + 2 * k]) + 0.5) * fy - 0.5)
            }
            return DetectedFace(box: box, landmarks: landmarks, score: Double(face[0]) / 100)
        }
    }
}
