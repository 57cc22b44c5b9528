import CFFmpeg

/// Every frame of the video stream, learnt in one demux-only pass (no decoding): presentation
/// times in presentation order and which frames are keyframes.
///
/// It is the ground truth for frame indices ("frame K" = the K-th smallest presentation time),
/// the frame count when the container is silent or wrong, and where the keyframes are.
struct FrameTable: Sendable {
    /// Presentation timestamps (stream time base), ascending; index = frame number.
    let presentationTimes: [Int64]
    /// Frame numbers of the keyframes, ascending.
    let keyframeIndices: [Int]
    /// Decode timestamp of each keyframe (its presentation time when the packet had none).
    let keyframeDecodeTimes: [Int: Int64]
    /// False when some packets carry no presentation time (e.g. MPEG-4 with B-frames in AVI):
    /// then times are in decode order and frame K can only be found by counting from the start.
    let presentationTimesKnown: Bool

    var count: Int { presentationTimes.count }

    /// `keyframes` holds (presentation, decode) times of the keyframe packets.
    init(presentationTimes: [Int64], keyframes: [(pts: Int64, dts: Int64)], presentationTimesKnown: Bool = true) {
        self.presentationTimes = presentationTimes
        self.presentationTimesKnown = presentationTimesKnown
        var decodeTimes: [Int: Int64] = [:]
        for keyframe in keyframes {
            if let index = Self.exactIndex(of: keyframe.pts, in: presentationTimes) { decodeTimes[index] = keyframe.dts }
        }
        self.keyframeDecodeTimes = decodeTimes
        self.keyframeIndices = decodeTimes.keys.sorted()
    }

    /// Reads every packet of `streamIndex` once. Packets the demuxer marks as discarded
    /// (before an edit list's start) are skipped, as the decoder drops them too.
    static func scan(_ input: MediaInput, streamIndex: Int32) -> (table: FrameTable, readError: Int32?) {
        var times: [Int64] = []
        var keyframes: [(pts: Int64, dts: Int64)] = []
        var readError: Int32? = nil
        var synthetic: Int64 = 0
        var everyPacketHasPresentationTime = true
        while true {
            let status = input.readPacket()
            if status == ffmpegEndOfFile { break }
            if status < 0 { readError = status; break }
            let packet = input.packet.pointee
            guard packet.stream_index == streamIndex, (packet.flags & AV_PKT_FLAG_DISCARD) == 0 else { continue }
            everyPacketHasPresentationTime = everyPacketHasPresentationTime && packet.pts != ffmpegNoTimestamp
            var time = packet.pts != ffmpegNoTimestamp ? packet.pts : packet.dts
            if time == ffmpegNoTimestamp { time = synthetic } // raw streams without timestamps
            let (next, overflowed) = time.addingReportingOverflow(max(1, packet.duration))
            synthetic = overflowed ? .max : next  // a hostile timestamp near 2^63 must not trap
            times.append(time)
            if (packet.flags & AV_PKT_FLAG_KEY) != 0 {
                keyframes.append((time, packet.dts != ffmpegNoTimestamp ? packet.dts : time))
            }
        }
        av_packet_unref(input.packet)
        times.sort()
        let table = FrameTable(presentationTimes: times, keyframes: keyframes,
                               presentationTimesKnown: everyPacketHasPresentationTime)
        return (table, readError)
    }

    /// The frame shown at `time`: the last frame whose presentation time is ≤ `time`
    /// (the first frame for earlier times). Requires a non-empty table.
    func index(atOrBefore time: Int64) -> Int {
        var low = 0, high = presentationTimes.count // first index with time > `time`
        while low < high {
            let middle = (low + high) / 2
            if presentationTimes[middle] <= time { low = middle + 1 } else { high = middle }
        }
        return max(0, low - 1)
    }

    /// The keyframe a decoder must start from to reach frame `index`: the last keyframe at or
    /// before it, or nil when none precedes it (a stream that does not start with a keyframe).
    func keyframe(atOrBefore index: Int) -> Int? {
        let after = positionOfFirstKeyframe(after: index)
        return after == 0 ? nil : keyframeIndices[after - 1]
    }

    /// The keyframe closest to frame `index` (the earlier one on a tie); nil without keyframes.
    func keyframe(nearest index: Int) -> Int? {
        let position = positionOfFirstKeyframe(after: index)
        let before = position > 0 ? keyframeIndices[position - 1] : nil
        let after = position < keyframeIndices.count ? keyframeIndices[position] : nil
        guard let before, let after else { return before ?? after }
        return index - before <= after - index ? before : after
    }

    /// Where in `keyframeIndices` the first keyframe after frame `index` is (its count if none).
    private func positionOfFirstKeyframe(after index: Int) -> Int {
        var low = 0, high = keyframeIndices.count
        while low < high {
            let middle = (low + high) / 2
            if keyframeIndices[middle] <= index { low = middle + 1 } else { high = middle }
        }
        return low
    }

    func isKeyframe(_ index: Int) -> Bool {
        keyframe(atOrBefore: index) == index
    }

    /// The median distance between keyframes in frames; nil with fewer than two keyframes.
    var keyframeIntervalEstimate: Int? {
        guard keyframeIndices.count >= 2 else { return nil }
        let gaps = zip(keyframeIndices.dropFirst(), keyframeIndices).map { $0 - $1 }.sorted()
        return gaps[gaps.count / 2]
    }

    private static func exactIndex(of time: Int64, in times: [Int64]) -> Int? {
        var low = 0, high = times.count
        while low < high {
            let middle = (low + high) / 2
            if times[middle] < time { low = middle + 1 } else { high = middle }
        }
        return low < times.count && times[low] == time ? low : nil
    }
}
