import Imaging

extension VideoReader {
    /// Decodes the frames at `indices` (positions in presentation order, as `sample` numbers
    /// them; out-of-range ones are skipped) and hands them to `onFrame` in ascending order.
    /// The HTML report uses it to fetch again the few frames a scan chose to show.
    @discardableResult
    public func sample<E: Error>(indices: [Int], onFrame: (VideoFrame) throws(E) -> Bool) throws(E) -> SamplingOutcome {
        var run = SamplingRun(targets: Array(Set(indices.filter { $0 >= 0 && $0 < table.count })).sorted())
        if table.presentationTimesKnown {
            try sampleTargets(&run, policy: .gopAware, onFrame: onFrame)
        } else {
            try sampleByCounting(&run, onFrame: onFrame)
        }
        freshFromStart = false
        return SamplingOutcome(framesDelivered: run.delivered, framesRequested: run.targets.count,
                               framesDecoded: run.decoded, error: run.error ?? run.missedError, approximate: false)
    }
}
