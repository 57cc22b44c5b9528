import Imaging
/// Links faces across the sampled frames of one video into tracks.
///
/// Each new face joins the track whose last box overlaps it most (IoU), or failing any overlap
/// whose last centre is close relative to the face size — sampled frames can be a second
/// apart, so a moving head may no longer overlap its previous box. Matching is greedy, best
/// pair first, one face per track per frame. Tracks unseen for more than `maxMissedFrames`
/// sampled frames are closed, so a face that reappears much later starts a new track.
public struct FaceTracker: Sendable {
    public struct Options: Sendable, Equatable {
        /// Overlap that links a face to a track outright.
        public var minIoU: Double
        /// Without overlap: the largest centre distance, in units of the track box's longer side.
        public var maxCentreShift: Double
        /// Box sizes may differ by at most this factor between linked faces.
        public var maxSizeRatio: Double
        /// Sampled frames a track may miss and still continue.
        public var maxMissedFrames: Int

        public init(minIoU: Double = 0.2, maxCentreShift: Double = 0.75, maxSizeRatio: Double = 2,
                    maxMissedFrames: Int = 4) {
            self.minIoU = minIoU
            self.maxCentreShift = maxCentreShift
            self.maxSizeRatio = maxSizeRatio
            self.maxMissedFrames = maxMissedFrames
        }
    }

    private struct Track {
        var id: Int
        var box: FaceBox
        var lastFrame: Int
    }

    public let options: Options
    private var tracks: [Track] = []
    private var nextID = 0
    private var framesSeen = 0

    public init(options: Options = Options()) {
        self.options = options
    }

    /// Number of tracks started so far.
    public var trackCount: Int { nextID }

    /// Track ids for the faces of the next sampled frame, in the order of `boxes`.
    /// Call once per sampled frame, faces or not, so missed frames are counted.
    public mutating func assign(_ boxes: [FaceBox]) -> [Int] {
        let frame = framesSeen
        framesSeen += 1
        tracks.removeAll { frame - $0.lastFrame > options.maxMissedFrames + 1 }

        var candidates: [(affinity: Double, face: Int, track: Int)] = []
        for (f, box) in boxes.enumerated() {
            for (t, track) in tracks.enumerated() {
                if let affinity = affinity(track.box, box) { candidates.append((affinity, f, t)) }
            }
        }
        candidates.sort { ($0.affinity, $1.face, $1.track) > ($1.affinity, $0.face, $0.track) }

        var ids = [Int?](repeating: nil, count: boxes.count)
        var trackTaken = [Bool](repeating: false, count: tracks.count)
        for candidate in candidates where ids[candidate.face] == nil && !trackTaken[candidate.track] {
            ids[candidate.face] = tracks[candidate.track].id
            trackTaken[candidate.track] = true
            tracks[candidate.track].box = boxes[candidate.face]
            tracks[candidate.track].lastFrame = frame
        }
        return boxes.indices.map { f in
            if let id = ids[f] { return id }
            let id = nextID
            nextID += 1
            tracks.append(Track(id: id, box: boxes[f], lastFrame: frame))
            return id
        }
    }

    /// How well `box` continues a track ending in `last`: IoU in (0, 1] when they overlap
    /// enough, else a negative value growing with the centre distance; nil = not linkable.
    private func affinity(_ last: FaceBox, _ box: FaceBox) -> Double? {
        let sizeRatio = max(last.area, box.area) / max(min(last.area, box.area), 1e-9)
        guard sizeRatio <= options.maxSizeRatio * options.maxSizeRatio else { return nil }
        let iou = last.iou(box)
        if iou >= options.minIoU { return iou }
        let a = last.center, b = box.center
        let shift = ((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)).squareRoot()
            / max(last.width, last.height, 1e-9)
        return shift <= options.maxCentreShift ? -shift : nil
    }
}
