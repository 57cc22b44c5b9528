import Imaging

/// Settings of the face stage. The defaults are the project's (DESIGN.md "Faces").
public struct FaceAlignOptions: Sendable, Equatable {
    /// Long side (px) of the downscaled copy YuNet first looks at.
    public var detectSize: Int
    /// Long side of the retry when the first look finds nothing; nil = no retry.
    public var retrySize: Int?
    /// Between whole-frame searches, faces are looked for only around where they were in the
    /// previous sampled frame; a whole frame is searched at least every `searchEvery` sampled
    /// frames (1 = always), and whenever a face is lost.
    public var searchEvery: Int
    /// Face size (px) the region around a previous face is scaled to (the close look); the
    /// region is twice that. YuNet pads its input to a multiple of 32 px, so sizes on that grid
    /// cost least (docs/faces.md has the measured trade-off).
    public var hintFaceSize: Int
    /// Crop margin around the ArcFace template box (1.3 = 30 % larger).
    public var margin: Double
    /// Side of the square aligned crop.
    public var cropSize: Int
    /// Faces whose box is smaller than this (shorter side, in frame pixels) are dropped.
    public var minFaceSize: Double
    /// Faces below this detector confidence are dropped.
    public var scoreFloor: Double
    public var tracking: FaceTracker.Options

    public init(detectSize: Int = 320, retrySize: Int? = 640, searchEvery: Int = 4, hintFaceSize: Int = 72,
                margin: Double = 1.3, cropSize: Int = 256, minFaceSize: Double = 40, scoreFloor: Double = 0.6,
                tracking: FaceTracker.Options = FaceTracker.Options()) {
        self.detectSize = detectSize
        self.retrySize = retrySize
        self.searchEvery = searchEvery
        self.hintFaceSize = hintFaceSize
        self.margin = margin
        self.cropSize = cropSize
        self.minFaceSize = minFaceSize
        self.scoreFloor = scoreFloor
        self.tracking = tracking
    }
}

/// One face of one sampled frame, aligned and linked to a track.
public struct AlignedFace: Sendable, Equatable {
    public var frameIndex: Int
    /// Presentation time of the frame.
    public var seconds: Double
    /// Track within the video, 0-based in order of first appearance.
    public var trackID: Int
    /// Detector box in the original frame's pixels.
    public var box: FaceBox
    /// The 5 landmarks in the original frame's pixels (`FiveLandmarks` order).
    public var landmarks: FiveLandmarks
    /// Detector confidence in [0, 1].
    public var score: Double
    /// `cropSize`² RGB crop aligned to the template.
    public var crop: RGBImage
    /// The landmarks in crop pixels.
    public var cropLandmarks: FiveLandmarks

    public init(frameIndex: Int, seconds: Double, trackID: Int, box: FaceBox, landmarks: FiveLandmarks,
                score: Double, crop: RGBImage, cropLandmarks: FiveLandmarks) {
        self.frameIndex = frameIndex
        self.seconds = seconds
        self.trackID = trackID
        self.box = box
        self.landmarks = landmarks
        self.score = score
        self.crop = crop
        self.cropLandmarks = cropLandmarks
    }
}

/// The face stage for one video: detect → floor → track → align, frame after frame.
///
/// Not Sendable and stateful (tracks, detector buffers): make one per video (per worker) and
/// feed it that video's sampled frames in order.
public final class FaceExtractor {
    public let options: FaceAlignOptions
    private let locator: any FaceLocator
    private let aligner: FaceAligner
    private var tracker: FaceTracker
    /// Boxes kept in the previous sampled frame: where to look first in this one.
    private var previousBoxes: [FaceBox] = []
    private var framesSinceSearch = 0

    /// Uses `locator` instead of YuNet (tests, other detectors).
    public init(locator: any FaceLocator, options: FaceAlignOptions = FaceAlignOptions()) {
        precondition(options.scoreFloor >= 0 && options.minFaceSize >= 0, "floors must not be negative")
        precondition(options.searchEvery >= 1, "searchEvery must be at least 1")
        self.options = options
        self.locator = locator
        self.aligner = FaceAligner(template: FaceTemplate(cropSize: options.cropSize, margin: options.margin))
        self.tracker = FaceTracker(options: options.tracking)
    }

    /// YuNet with `options`' detection sizes; throws when libfacedetection is not installed.
    public convenience init(options: FaceAlignOptions = FaceAlignOptions()) throws {
        try self.init(locator: YuNetLocator(detectSize: options.detectSize, retrySize: options.retrySize,
                                            hintFaceSize: options.hintFaceSize),
                      options: options)
    }

    /// Tracks started so far in this video.
    public var trackCount: Int { tracker.trackCount }

    /// The faces of the next sampled frame, best score first. No face is an empty array.
    /// Call for every sampled frame in order (also those without faces: it ages the tracks).
    public func faces(in frame: VideoFrame) throws -> [AlignedFace] {
        let image = frame.image
        let kept = try locateFaces(in: image)
        previousBoxes = kept.map(\.box)
        let trackIDs = tracker.assign(previousBoxes)
        return zip(kept, trackIDs).compactMap { face, trackID in
            guard let alignment = aligner.align(face.landmarks, in: image) else { return nil }
            return AlignedFace(frameIndex: frame.index, seconds: frame.seconds, trackID: trackID, box: face.box,
                               landmarks: face.landmarks, score: face.score, crop: alignment.crop,
                               cropLandmarks: alignment.cropLandmarks)
        }
    }

    /// Faces above the floors, best score first. First a close look around each face of the
    /// previous sampled frame; when that finds them all, that is the answer, except every
    /// `searchEvery` frames, when a whole-frame search also runs for new faces. A whole-frame
    /// search only proposes faces (above the floors): each proposal that is not a face already
    /// found is looked at again close up, and that look must agree and gives score, box and
    /// landmarks. A coarse search alone gave a 0.6–0.7 "face" on a coffee cup
    /// (Samples/coffee_no_face.mp4) and landmarks quantised to the downscale step; a close look
    /// alone scores blurred background blobs above 0.6, so only known faces get one unasked.
    /// Known faces keep their close look on search frames too: the coarse search may score a
    /// half-hidden face below the floor (hands over a DFDC face: 0.46 at 284×160) that the
    /// close look still confirms (0.77).
    private func locateFaces(in image: RGBImage) throws -> [DetectedFace] {
        let known = previousBoxes.isEmpty ? [] : keep(try locator.detect(in: image, near: previousBoxes))
        if !previousBoxes.isEmpty && known.count >= previousBoxes.count && framesSinceSearch + 1 < options.searchEvery {
            framesSinceSearch += 1
            return known
        }
        framesSinceSearch = 0
        let proposals = keep(try locator.detect(in: image)).map(\.box)
            .filter { proposal in !known.contains { $0.box.iou(proposal) >= Self.sameFaceIoU } }
        guard !proposals.isEmpty else { return known }
        let new = keep(try locator.detect(in: image, near: proposals))
            .filter { face in !known.contains { $0.box.iou(face.box) >= Self.sameFaceIoU } }
        return (known + new).sorted { $0.score > $1.score }
    }

    /// Two boxes overlapping this much are taken for the same face (coarse and close-look
    /// boxes of one face overlap far more).
    static let sameFaceIoU = 0.3

    private func keep(_ faces: [DetectedFace]) -> [DetectedFace] {
        faces.filter { $0.score >= options.scoreFloor && min($0.box.width, $0.box.height) >= options.minFaceSize }
            .sorted { $0.score > $1.score }
    }
}
