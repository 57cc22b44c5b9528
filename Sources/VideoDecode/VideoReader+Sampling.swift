import CFFmpeg
import Imaging

extension VideoReader {
    /// Decodes the frames `sampling` selects and hands them to `onFrame` one at a time in
    /// presentation order; `onFrame` returns false to stop early. Only returned frames are
    /// converted to RGB. Decoding problems do not throw: the outcome carries the first one,
    /// and the frames before it have been delivered. Only `onFrame`'s own error is thrown.
    @discardableResult
    public func sample<E: Error>(_ sampling: FrameSampling, seekPolicy: SeekPolicy = .gopAware,
                                 onFrame: (VideoFrame) throws(E) -> Bool) throws(E) -> SamplingOutcome {
        var run = SamplingRun(targets: sampling.targets(in: table, secondsPerTick: secondsPerTick))
        if sampling.decodesKeyframesOnly {
            try sampleKeyframes(&run, onFrame: onFrame)
        } else if table.presentationTimesKnown {
            try sampleTargets(&run, policy: seekPolicy, onFrame: onFrame)
        } else {
            try sampleByCounting(&run, onFrame: onFrame)
        }
        freshFromStart = false
        return SamplingOutcome(framesDelivered: run.delivered, framesRequested: run.targets.count,
                               framesDecoded: run.decoded, error: run.error ?? run.missedError, approximate: sampling.isApproximate)
    }

    /// All sampled frames at once (keeps them all in memory; prefer `sample` for long runs).
    public func frames(_ sampling: FrameSampling, seekPolicy: SeekPolicy = .gopAware)
        -> (frames: [VideoFrame], outcome: SamplingOutcome) {
        var frames: [VideoFrame] = []
        let outcome = sample(sampling, seekPolicy: seekPolicy) { frame in
            frames.append(frame)
            return true
        }
        return (frames, outcome)
    }

    /// Exact frames: decode forward, seeking to a target's keyframe when the policy says so.
    func sampleTargets<E: Error>(_ run: inout SamplingRun, policy: SeekPolicy,
                                 onFrame: (VideoFrame) throws(E) -> Bool) throws(E) {
        // The keyframe whose group of pictures the decoder is being fed; nil: position unknown.
        var feedingKeyframe: Int? = freshFromStart ? (table.keyframeIndices.first ?? -1) : nil
        var seekedForTarget: Int? = nil
        var lastSeekKeyframe = -1
        let wanted = Set(run.targets)
        while !run.isDone {
            let target = run.targets[run.next]
            if run.overshot {
                // The demuxer landed after the target: retry from the keyframe before.
                run.overshot = false
                guard lastSeekKeyframe > (table.keyframeIndices.first ?? 0) else { run.skipTarget(); continue }
                lastSeekKeyframe = table.keyframe(atOrBefore: lastSeekKeyframe - 1) ?? -1
                guard seek(toKeyframe: lastSeekKeyframe, &run) else { break }
                // Decoding forward from there passes the target's own keyframe: no new seek.
                feedingKeyframe = table.keyframe(atOrBefore: target) ?? -1
                continue
            }
            let keyframe = table.keyframe(atOrBefore: target) ?? -1
            let mustSeek: Bool
            switch policy {
            case .gopAware: mustSeek = feedingKeyframe.map { keyframe > $0 } ?? true
            case .seekPerFrame: mustSeek = seekedForTarget != run.next
            }
            if mustSeek {
                guard seek(toKeyframe: keyframe, &run) else { break }
                feedingKeyframe = keyframe
                seekedForTarget = run.next
                lastSeekKeyframe = keyframe
            }
            let status = input.readPacket()
            if status < 0 {
                if status != ffmpegEndOfFile {
                    run.note(.corruptData(frame: target, reason: ffmpegErrorMessage(status)))
                }
                try feed(nil, &run, onFrame: onFrame)
                // The end came before any picture since the last seek: it landed too late.
                if status == ffmpegEndOfFile && run.checkLanding && !run.isDone {
                    run.overshot = true
                    continue
                }
                break
            }
            let packet = input.packet
            guard packet.pointee.stream_index == streamIndex else { continue }
            let index = packetTime(packet).map(table.index(atOrBefore:))
            if let index, (packet.pointee.flags & AV_PKT_FLAG_KEY) != 0 {
                feedingKeyframe = max(feedingKeyframe ?? -1, index)
            }
            // Pictures that are neither wanted nor referenced need not be decoded at all.
            decoder.skipsNonReferenceFrames = policy == .gopAware && !(index.map(wanted.contains) ?? true)
            try feed(packet, &run, onFrame: onFrame)
        }
        decoder.skipsNonReferenceFrames = false
        while !run.isDone { run.skipTarget() } // the file ended before them
    }

    /// Without presentation times: decode everything from the start and number the pictures
    /// as they come out, which is what "frame K" means to ffmpeg too. No seeking, no skipping.
    func sampleByCounting<E: Error>(_ run: inout SamplingRun,
                                    onFrame: (VideoFrame) throws(E) -> Bool) throws(E) {
        if !freshFromStart {
            guard seek(toKeyframe: -1, &run) else { return }
        }
        run.countedIndex = 0
        while !run.isDone {
            let status = input.readPacket()
            if status < 0 {
                if status != ffmpegEndOfFile {
                    run.note(.corruptData(frame: run.frameInProgress, reason: ffmpegErrorMessage(status)))
                }
                try feed(nil, &run, onFrame: onFrame)
                break
            }
            guard input.packet.pointee.stream_index == streamIndex else { continue }
            try feed(input.packet, &run, onFrame: onFrame)
        }
        while !run.isDone { run.skipTarget() }
    }

    /// Keyframes only: each keyframe packet is decoded on its own and drained at once, so a
    /// frame-threaded decoder never waits for packets that will not come. Keyframes that no
    /// target names are read but not decoded.
    private func sampleKeyframes<E: Error>(_ run: inout SamplingRun,
                                           onFrame: (VideoFrame) throws(E) -> Bool) throws(E) {
        if !freshFromStart {
            guard seek(toKeyframe: -1, &run) else { return }
        }
        let wanted = Set(run.targets)
        while !run.isDone {
            let status = input.readPacket()
            if status < 0 {
                if status != ffmpegEndOfFile {
                    run.note(.corruptData(frame: run.frameInProgress, reason: ffmpegErrorMessage(status)))
                }
                break
            }
            let packet = input.packet
            guard packet.pointee.stream_index == streamIndex, (packet.pointee.flags & AV_PKT_FLAG_KEY) != 0 else {
                continue
            }
            if let time = packetTime(packet), !wanted.contains(table.index(atOrBefore: time)) { continue }
            try feed(packet, &run, onFrame: onFrame)
            try feed(nil, &run, onFrame: onFrame)
            decoder.flush()
        }
    }

    /// Flushes the decoder and moves the demuxer to `keyframe` (-1: the start of the stream).
    private func seek(toKeyframe keyframe: Int, _ run: inout SamplingRun) -> Bool {
        decoder.flush()
        run.checkLanding = true
        if keyframe <= (table.keyframeIndices.first ?? 0) {
            if Self.rewind(input, streamIndex: streamIndex, firstTime: table.presentationTimes[0]) { return true }
        } else if av_seek_frame(input.format, streamIndex, seekTime(ofKeyframe: keyframe), AVSEEK_FLAG_BACKWARD) >= 0 {
            return true
        }
        run.note(.seekFailed(reason: "cannot seek to frame \(max(0, keyframe))"))
        return false
    }

    /// Indexed containers seek by presentation time; MPEG-TS/PS bisect the file by decode
    /// time, where a keyframe's presentation time would land on the pictures after it.
    private func seekTime(ofKeyframe keyframe: Int) -> Int64 {
        let bisectsByDecodeTime = (input.format.pointee.iformat.pointee.flags & AVFMT_TS_DISCONT) != 0
        return bisectsByDecodeTime ? (table.keyframeDecodeTimes[keyframe] ?? table.presentationTimes[keyframe])
            : table.presentationTimes[keyframe]
    }

    /// Sends one packet (nil: drain) and offers every frame that comes out.
    private func feed<E: Error>(_ packet: UnsafeMutablePointer<AVPacket>?, _ run: inout SamplingRun,
                                onFrame: (VideoFrame) throws(E) -> Bool) throws(E) {
        while true {
            let sent = decoder.send(packet)
            if sent == ffmpegAgain {
                // The decoder's output is full: take frames out, then send again.
                let received = try receiveAll(&run, onFrame: onFrame)
                if run.isDone || received == 0 { return }
                continue
            }
            if sent < 0 && sent != ffmpegEndOfFile {
                let index = packet.flatMap(packetTime).map(table.index(atOrBefore:)) ?? run.frameInProgress
                run.note(.corruptData(frame: index, reason: ffmpegErrorMessage(sent)))
            }
            break
        }
        _ = try receiveAll(&run, onFrame: onFrame)
    }

    /// Takes every frame the decoder has ready; returns how many came out.
    private func receiveAll<E: Error>(_ run: inout SamplingRun,
                                      onFrame: (VideoFrame) throws(E) -> Bool) throws(E) -> Int {
        var received = 0
        while !run.isDone {
            let status = decoder.receive()
            if status == ffmpegAgain || status == ffmpegEndOfFile { break }
            if status < 0 {
                run.note(.corruptData(frame: run.frameInProgress, reason: ffmpegErrorMessage(status)))
                break
            }
            received += 1
            run.decoded += 1
            try offerFrame(&run, onFrame: onFrame)
        }
        return received
    }

    /// Delivers the decoder's current frame when it is the next target.
    private func offerFrame<E: Error>(_ run: inout SamplingRun,
                                             onFrame: (VideoFrame) throws(E) -> Bool) throws(E) {
        let pts = decoder.framePresentationTime
        let index: Int
        if let counted = run.countedIndex {
            index = counted
            run.countedIndex = counted + 1
        } else {
            index = table.index(atOrBefore: pts)
        }
        if run.overshot { return }
        if run.checkLanding {
            run.checkLanding = false
            if index > run.targets[run.next] { run.overshot = true; return }
        }
        while !run.isDone, run.targets[run.next] < index { run.skipTarget() }
        guard !run.isDone, run.targets[run.next] == index else { return }
        run.next += 1
        if decoder.frameIsDamaged { run.note(.corruptData(frame: index, reason: "the decoder concealed errors")) }
        let image: RGBImage
        do {
            image = try converter.convert(decoder.frame).rotated(quarterTurns: quarterTurns)
        } catch {
            run.note(error)
            return
        }
        run.delivered += 1
        // Counted pictures may come without a timestamp: take the table's (decode-order) time.
        let time = run.countedIndex == nil ? pts : table.presentationTimes[min(index, table.count - 1)]
        let frame = VideoFrame(index: index, seconds: secondsSinceStart(time), image: image, pts: time,
                               isKeyframe: table.isKeyframe(index))
        if try !onFrame(frame) { run.stopped = true }
    }

    private func packetTime(_ packet: UnsafeMutablePointer<AVPacket>) -> Int64? {
        let time = packet.pointee.pts != ffmpegNoTimestamp ? packet.pointee.pts : packet.pointee.dts
        return time == ffmpegNoTimestamp ? nil : time
    }
}
