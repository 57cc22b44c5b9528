/// Progress of one `sample` call through its target frames.
struct SamplingRun {
    let targets: [Int]
    var next = 0
    var delivered = 0
    var decoded = 0
    var error: VideoDecodeError? = nil
    var firstMissed: Int? = nil
    var stopped = false
    /// The next frame out of the decoder is the first after a seek.
    var checkLanding = false
    /// A seek landed after the target; frames are ignored until the sampler seeks earlier.
    var overshot = false
    /// The number of the next picture, when pictures are counted rather than looked up by time.
    var countedIndex: Int? = nil

    init(targets: [Int]) { self.targets = targets }

    var isDone: Bool { stopped || next >= targets.count }

    /// The target being worked towards (the last one once all are done), to name in errors.
    var frameInProgress: Int { targets.isEmpty ? 0 : targets[min(next, targets.count - 1)] }

    mutating func note(_ problem: VideoDecodeError) {
        if error == nil { error = problem }
    }

    /// The decoder went past the target without producing it.
    mutating func skipTarget() {
        firstMissed = firstMissed ?? targets[next]
        next += 1
    }

    var missedError: VideoDecodeError? {
        firstMissed.map { .corruptData(frame: $0, reason: "the decoder produced no picture for it") }
    }
}
