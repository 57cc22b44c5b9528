import CFFmpeg

/// A decoder (AVCodecContext) for one stream plus a reusable output frame; frees in deinit.
final class StreamDecoder {
    let context: UnsafeMutablePointer<AVCodecContext>
    let frame: UnsafeMutablePointer<AVFrame>

    /// The largest picture decoded, in pixels: DCI 8K (8192 × 4320) with a little room, in
    /// either orientation. A 1 MB PNG or FFV1 stream can hold a 16000 × 16000 frame: decoded and
    /// turned to RGB it took 1.8 GB, which `--jobs` multiplies; a scan of an 8K clip peaks near
    /// 700 MB already. Larger streams are refused before decoding, and the decoder refuses
    /// larger frames met later (a stream whose size changes).
    static let maxPixels = 8192 * 4352

    init(stream: UnsafeMutablePointer<AVStream>, threads: Int) throws(VideoDecodeError) {
        let parameters = stream.pointee.codecpar!
        let codecName = String(cString: avcodec_get_name(parameters.pointee.codec_id))
        let width = Int(parameters.pointee.width), height = Int(parameters.pointee.height)
        if width * height > Self.maxPixels { throw .frameTooLarge(width: width, height: height) }
        guard let codec = avcodec_find_decoder(parameters.pointee.codec_id) else {
            throw .unsupportedCodec(codecName)
        }
        guard let context = avcodec_alloc_context3(codec) else { throw .unreadable(reason: "out of memory") }
        var owned: UnsafeMutablePointer<AVCodecContext>? = context
        guard avcodec_parameters_to_context(context, parameters) >= 0 else {
            avcodec_free_context(&owned)
            throw .unsupportedCodec(codecName)
        }
        context.pointee.pkt_timebase = stream.pointee.time_base
        context.pointee.thread_count = Int32(max(1, threads))
        context.pointee.thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE
        context.pointee.max_pixels = Int64(Self.maxPixels)
        let opened = avcodec_open2(context, codec, nil)
        guard opened >= 0, let frame = av_frame_alloc() else {
            avcodec_free_context(&owned)
            throw .unsupportedCodec("\(codecName) (\(ffmpegErrorMessage(opened)))")
        }
        self.context = context
        self.frame = frame
    }

    deinit {
        var frame: UnsafeMutablePointer<AVFrame>? = self.frame
        av_frame_free(&frame)
        var context: UnsafeMutablePointer<AVCodecContext>? = self.context
        avcodec_free_context(&context)
    }

    /// Sends a packet, or nil to start draining. Returns 0 or a negative AVERROR.
    func send(_ packet: UnsafeMutablePointer<AVPacket>?) -> Int32 {
        avcodec_send_packet(context, packet)
    }

    /// Receives the next frame into `frame`: 0, `ffmpegAgain`, `ffmpegEndOfFile` or an error.
    func receive() -> Int32 {
        avcodec_receive_frame(context, frame)
    }

    /// Forgets buffered frames (after a seek, or to leave draining mode).
    func flush() {
        avcodec_flush_buffers(context)
    }

    /// Whether packets sent from now on may skip pictures no other picture refers to
    /// (AVDISCARD_NONREF): the sampler's frames between targets that nothing depends on.
    /// Frame threads copy the setting when each packet is submitted, so it applies per packet.
    var skipsNonReferenceFrames: Bool {
        get { context.pointee.skip_frame == AVDISCARD_NONREF }
        set { context.pointee.skip_frame = newValue ? AVDISCARD_NONREF : AVDISCARD_DEFAULT }
    }

    /// The timestamp of the frame just received, in the stream's time base.
    var framePresentationTime: Int64 {
        let pts = frame.pointee.pts
        return pts != ffmpegNoTimestamp ? pts : frame.pointee.best_effort_timestamp
    }

    /// Whether the decoder concealed errors in the frame just received.
    var frameIsDamaged: Bool {
        frame.pointee.decode_error_flags != 0 || (frame.pointee.flags & cffmpeg_frame_flag_corrupt()) != 0
    }
}
