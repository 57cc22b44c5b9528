import CFFmpeg
import Foundation

/// An opened video: probe facts in `info`, frames through `sample(_:seekPolicy:onFrame:)`.
///
/// Opening reads every packet of the video stream once (demux only, no decoding) to count
/// the frames and find the keyframes. Holds FFmpeg contexts, so it is not Sendable: use it on
/// one thread and hand the Sendable `VideoFrame`s onwards. Memory stays at a few frames.
public final class VideoReader {
    public let info: VideoInfo

    let input: MediaInput
    let decoder: StreamDecoder
    let converter = RGBConverter()
    let streamIndex: Int32
    let table: FrameTable
    let timeBase: AVRational
    /// Seconds per tick of the stream's time base.
    let secondsPerTick: Double
    let quarterTurns: Int
    /// Nothing was read since the frame count pass rewound the file.
    var freshFromStart = true

    public convenience init(path: String, decodeThreads: Int = 2) throws(VideoDecodeError) {
        try self.init(fileSystemPath: Array(path.utf8), decodeThreads: decodeThreads)
    }

    /// Opens the file whose path is these exact bytes: a Linux name need not be UTF-8.
    public init(fileSystemPath: [UInt8], decodeThreads: Int = 2) throws(VideoDecodeError) {
        let input = try MediaInput(fileSystemPath: fileSystemPath)
        let streamIndex = try Self.videoStreamIndex(in: input)
        let stream = input.stream(streamIndex)
        let parameters = stream.pointee.codecpar.pointee
        let codec = String(cString: avcodec_get_name(parameters.codec_id))
        if Self.isImageDemuxer(input.containerName) { throw .stillImage(codec: codec) }
        let decoder = try StreamDecoder(stream: stream, threads: decodeThreads)
        // Audio, subtitles and other video streams are never read from the file.
        for other in 0..<Int32(input.format.pointee.nb_streams) where other != streamIndex {
            input.stream(other).pointee.discard = AVDISCARD_ALL
        }

        let (table, readError) = FrameTable.scan(input, streamIndex: streamIndex)
        if table.count == 0 {
            if let readError { throw .damagedContainer(format: input.containerName, reason: ffmpegErrorMessage(readError)) }
            throw .noVideoStream(found: "a video stream without frames")
        }
        guard Self.rewind(input, streamIndex: streamIndex, firstTime: table.presentationTimes[0]) else {
            throw .seekFailed(reason: "cannot return to the start after counting frames")
        }

        let timeBase = stream.pointee.time_base
        self.input = input
        self.decoder = decoder
        self.streamIndex = streamIndex
        self.table = table
        self.timeBase = timeBase
        self.secondsPerTick = av_q2d(timeBase)
        self.quarterTurns = Self.clockwiseQuarterTurns(stream)
        self.info = Self.describe(input: input, stream: stream, codec: codec, table: table,
                                  quarterTurns: quarterTurns)
    }

    /// Seconds from the first frame to `pts`, divided exactly (0.48, not 0.48000000000000004).
    /// Hostile timestamps (near ±2^63) overflow the exact product: then in floating point.
    func secondsSinceStart(_ pts: Int64) -> Double {
        let first = table.presentationTimes[0]
        let (ticks, overflowed) = pts.subtractingReportingOverflow(first)
        let (scaled, overflowedAgain) = ticks.multipliedReportingOverflow(by: Int64(timeBase.num))
        if !overflowed && !overflowedAgain { return Double(scaled) / Double(timeBase.den) }
        return (Double(pts) - Double(first)) * Double(timeBase.num) / Double(timeBase.den)
    }

    /// Moves the demuxer back to the first packet. MPEG-TS/PS find timestamps by bisecting the
    /// file and can land after the start, so they go back by byte position; indexed containers
    /// (MP4, Matroska, AVI …) by timestamp, and by byte only when that fails.
    static func rewind(_ input: MediaInput, streamIndex: Int32, firstTime: Int64) -> Bool {
        let flags = input.format.pointee.iformat.pointee.flags
        if (flags & AVFMT_TS_DISCONT) != 0 && av_seek_frame(input.format, -1, 0, AVSEEK_FLAG_BYTE) >= 0 {
            return true
        }
        if av_seek_frame(input.format, streamIndex, firstTime, AVSEEK_FLAG_BACKWARD) >= 0 { return true }
        return (flags & AVFMT_NO_BYTE_SEEK) == 0 && av_seek_frame(input.format, -1, 0, AVSEEK_FLAG_BYTE) >= 0
    }

    /// The video stream to analyse, or why there is none: FFmpeg's best video stream
    /// (`av_find_best_stream`: streams with several frames first, then the higher bit rate),
    /// never a cover picture (attached picture), and with the "default" flag not counted:
    /// muxers set it on the first video track whatever it holds, so a small thumbnail track
    /// written first would win. Where no candidate has a bit rate (Matroska), the larger
    /// picture stands in for it.
    private static func videoStreamIndex(in input: MediaInput) throws(VideoDecodeError) -> Int32 {
        var kinds: [String] = []
        var candidates: [Int32] = []
        for index in 0..<Int32(input.format.pointee.nb_streams) {
            let stream = input.stream(index)
            let type = stream.pointee.codecpar.pointee.codec_type
            let isCover = (stream.pointee.disposition & AV_DISPOSITION_ATTACHED_PIC) != 0
            if type == AVMEDIA_TYPE_VIDEO && !isCover {
                candidates.append(index)
            } else {
                let name = isCover ? "cover picture" : (av_get_media_type_string(type).map { String(cString: $0) } ?? "data")
                if !kinds.contains(name) { kinds.append(name) }
            }
        }
        guard let first = candidates.first else {
            throw .noVideoStream(found: kinds.isEmpty ? "no streams" : kinds.joined(separator: ", "))
        }
        if candidates.count == 1 { return first }
        let chosen = withStreamsRankedForScanning(input, candidates: candidates) {
            av_find_best_stream(input.format, AVMEDIA_TYPE_VIDEO, -1, -1, nil, 0)
        }
        return candidates.contains(chosen) ? chosen : first
    }

    /// Runs `body` with the stream fields `videoStreamIndex` adjusts changed, then restores them:
    /// other video streams (covers) typed "unknown", the candidates' "default" flags cleared, and
    /// their bit rates replaced by the picture size when none has one.
    private static func withStreamsRankedForScanning(
        _ input: MediaInput, candidates: [Int32], _ body: () -> Int32
    ) -> Int32 {
        let streams = (0..<Int32(input.format.pointee.nb_streams)).map { input.stream($0) }
        let parameters: [UnsafeMutablePointer<AVCodecParameters>] = streams.map { $0.pointee.codecpar! }
        let saved = zip(streams, parameters).map { ($1.pointee.codec_type, $0.pointee.disposition, $1.pointee.bit_rate) }
        defer {
            for (index, (type, disposition, bitRate)) in saved.enumerated() {
                parameters[index].pointee.codec_type = type
                streams[index].pointee.disposition = disposition
                parameters[index].pointee.bit_rate = bitRate
            }
        }
        let noBitRates = candidates.allSatisfy { parameters[Int($0)].pointee.bit_rate <= 0 }
        for (index, (stream, parameters)) in zip(streams, parameters).enumerated() {
            if candidates.contains(Int32(index)) {
                stream.pointee.disposition &= ~AV_DISPOSITION_DEFAULT
                if noBitRates { parameters.pointee.bit_rate = Int64(parameters.pointee.width) * Int64(parameters.pointee.height) }
            } else if parameters.pointee.codec_type == AVMEDIA_TYPE_VIDEO {
                parameters.pointee.codec_type = AVMEDIA_TYPE_UNKNOWN
            }
        }
        return body()
    }

    /// image2 and the per-format "*_pipe" demuxers read single pictures.
    private static func isImageDemuxer(_ name: String) -> Bool {
        name == "image2" || name.hasSuffix("_pipe")
    }

    /// FFmpeg stores the counter-clockwise angle; frames are turned clockwise by its negation.
    private static func clockwiseQuarterTurns(_ stream: UnsafeMutablePointer<AVStream>) -> Int {
        let counterClockwise = cffmpeg_stream_display_rotation(stream)
        guard counterClockwise.isFinite else { return 0 }
        let turns = Int((-counterClockwise / 90).rounded())
        return ((turns % 4) + 4) % 4
    }

    private static func describe(input: MediaInput, stream: UnsafeMutablePointer<AVStream>, codec: String,
                                 table: FrameTable, quarterTurns: Int) -> VideoInfo {
        let parameters = stream.pointee.codecpar.pointee
        let sideways = quarterTurns % 2 == 1
        let width = Int(parameters.width), height = Int(parameters.height)
        let format = input.format.pointee
        var duration: Double? = nil
        if stream.pointee.duration > 0 && stream.pointee.duration != ffmpegNoTimestamp {
            duration = Double(stream.pointee.duration) * av_q2d(stream.pointee.time_base)
        } else if format.duration > 0 {
            duration = Double(format.duration) / Double(AV_TIME_BASE)
        }
        let profile = avcodec_profile_name(parameters.codec_id, parameters.profile).map { String(cString: $0) }
        let bitRate = format.bit_rate > 0 ? Int(format.bit_rate) : (parameters.bit_rate > 0 ? Int(parameters.bit_rate) : nil)
        return VideoInfo(
            container: input.containerName,
            codec: codec,
            profile: profile,
            pixelFormat: pixelFormatName(AVPixelFormat(rawValue: parameters.format)),
            width: sideways ? height : width,
            height: sideways ? width : height,
            rotationDegrees: quarterTurns * 90,
            durationSeconds: duration,
            averageFrameRate: rate(stream.pointee.avg_frame_rate),
            realFrameRate: rate(stream.pointee.r_frame_rate),
            frameCount: table.count,
            containerFrameCount: stream.pointee.nb_frames > 0 ? Int(stream.pointee.nb_frames) : nil,
            bitRate: bitRate,
            keyframeIntervalEstimate: table.keyframeIntervalEstimate)
    }

    private static func rate(_ value: AVRational) -> Double? {
        value.num > 0 && value.den > 0 ? av_q2d(value) : nil
    }
}
