import Foundation
import Imaging
import Reports
import FaceAlign
@testable import Scan

/// What the fake decode and face stages of one analysis did, shared between their threads.
final class StageLedger: @unchecked Sendable {
    // `lock` guards every stored property.
    private let lock = NSLock()
    private var produced = 0
    private var consumed: [Int] = []
    private var mostInFlight = 0
    private var returned = false

    func produce() {
        lock.withLock {
            produced += 1
            mostInFlight = max(mostInFlight, produced - consumed.count)
        }
    }

    func consume(_ index: Int) { lock.withLock { consumed.append(index) } }
    func sourceReturned() { lock.withLock { returned = true } }

    var framesProduced: Int { lock.withLock { produced } }
    var framesConsumed: [Int] { lock.withLock { consumed } }
    /// Most frames made by the source and not yet taken by the face stage at any moment.
    var largestBacklog: Int { lock.withLock { mostInFlight } }
    var hasSourceReturned: Bool { lock.withLock { returned } }
}

/// Frames 0, 1, 2 … of 2×2 pixels, `count` of them (endless when nil) unless told to stop;
/// throws `Failure` instead of frame `failAt`; after the last frame reports `warning` as a
/// decode problem that kept the frames, like `VideoFileSource` does.
struct CountingSource: FrameSource {
    struct Failure: Error, Equatable {}

    let ledger: StageLedger
    var count: Int?
    var failAt: Int?
    var warning: String?
    /// Called with each frame's index just before it is handed over.
    var willHandOver: (@Sendable (Int) -> Void)?

    func sampleFrames(path: String, onFrame: (VideoFrame) throws -> Bool) throws -> (probe: VideoProbe, framesSampled: Int) {
        defer { ledger.sourceReturned() }
        var delivered = 0
        while count.map({ delivered < $0 }) ?? true {
            if delivered == failAt { throw Failure() }
            let image = RGBImage(width: 2, height: 2, pixels: [UInt8](repeating: UInt8(delivered % 256), count: 12))
            ledger.produce()
            willHandOver?(delivered)
            guard try onFrame(VideoFrame(index: delivered, seconds: Double(delivered) / 10, image: image)) else { break }
            delivered += 1
        }
        return (VideoProbe(width: 2, height: 2, codec: "counting", decodeWarning: warning), delivered)
    }
}

/// One face per frame (track 0); `onFrame` runs first and may throw or wait.
struct LedgerTrackers: FaceTrackerFactory {
    let ledger: StageLedger
    var onFrame: (@Sendable (Int) throws -> Void)?

    func makeTracker() throws -> any FaceTracking { LedgerTracker(ledger: ledger, onFrame: onFrame) }
}

final class LedgerTracker: FaceTracking {
    let ledger: StageLedger
    let onFrame: (@Sendable (Int) throws -> Void)?

    init(ledger: StageLedger, onFrame: (@Sendable (Int) throws -> Void)?) {
        self.ledger = ledger
        self.onFrame = onFrame
    }

    func faces(in frame: VideoFrame) throws -> [AlignedFace] {
        ledger.consume(frame.index)
        try onFrame?(frame.index)
        return [.fake(in: frame, trackID: 0, box: FaceBox(x: 0, y: 0, width: 2, height: 2), crop: frame.image)]
    }
}

/// Blocks the calling (non-async) thread until `semaphore` is signalled; false after 10 s,
/// which only a broken pipeline takes.
func arrives(_ semaphore: DispatchSemaphore) -> Bool {
    semaphore.wait(timeout: .now() + 10) == .success
}

extension AlignedFace {
    /// A face a fake tracker "found": no landmarks, full confidence.
    static func fake(in frame: VideoFrame, trackID: Int, box: FaceBox, crop: RGBImage) -> AlignedFace {
        AlignedFace(frameIndex: frame.index, seconds: frame.seconds, trackID: trackID, box: box,
                    landmarks: [], score: 1, crop: crop, cropLandmarks: [])
    }
}
