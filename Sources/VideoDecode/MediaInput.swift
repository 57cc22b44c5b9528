import CFFmpeg
import Foundation

/// An opened container (AVFormatContext) and one packet buffer; closes both in deinit.
/// Not Sendable: FFmpeg contexts belong to the thread that uses them.
final class MediaInput {
    let format: UnsafeMutablePointer<AVFormatContext>
    let packet: UnsafeMutablePointer<AVPacket>

    /// Opens `path` and reads its stream parameters, mapping every failure to a typed error.
    convenience init(path: String) throws(VideoDecodeError) {
        try self.init(fileSystemPath: Array(path.utf8))
    }

    /// Opens the file whose path is these exact bytes (Linux names need not be UTF-8).
    init(fileSystemPath bytes: [UInt8]) throws(VideoDecodeError) {
        FFmpegLog.silenceUnlessChosen()
        let path = bytes.map { CChar(bitPattern: $0) } + [0]
        try Self.checkReadable(path)
        var context: UnsafeMutablePointer<AVFormatContext>? = nil
        let opened = avformat_open_input(&context, path, nil, nil)
        guard opened >= 0, let context else {
            throw Self.openError(path: path, code: opened)
        }
        let found = Self.findStreamInfo(context)
        if found < 0 {
            var doomed: UnsafeMutablePointer<AVFormatContext>? = context
            avformat_close_input(&doomed)
            throw .notAVideo(reason: ffmpegErrorMessage(found))
        }
        guard let packet = av_packet_alloc() else {
            var doomed: UnsafeMutablePointer<AVFormatContext>? = context
            avformat_close_input(&doomed)
            throw .unreadable(reason: "out of memory")
        }
        self.format = context
        self.packet = packet
    }

    deinit {
        var packet: UnsafeMutablePointer<AVPacket>? = self.packet
        av_packet_free(&packet)
        var context: UnsafeMutablePointer<AVFormatContext>? = format
        avformat_close_input(&context)
    }

    /// Short demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2" or "matroska,webm".
    var containerName: String { String(cString: format.pointee.iformat.pointee.name) }

    func stream(_ index: Int32) -> UnsafeMutablePointer<AVStream> {
        format.pointee.streams[Int(index)]!
    }

    /// Reads the next packet into `packet` (unreferencing the previous one).
    /// Returns 0, `ffmpegEndOfFile`, or another negative AVERROR.
    func readPacket() -> Int32 {
        av_packet_unref(packet)
        return av_read_frame(format, packet)
    }

    /// avformat_find_stream_info decodes a first picture of streams whose parameters the
    /// header leaves open (PNG's pixel format, for one): its decoders get the same pixel limit
    /// as ours, or a 16000 × 16000 RGBA picture (1 GB) is decoded before StreamDecoder refuses it.
    private static func findStreamInfo(_ context: UnsafeMutablePointer<AVFormatContext>) -> Int32 {
        let streams = (0..<Int(context.pointee.nb_streams)).map { context.pointee.streams[$0]!.pointee.codecpar! }
        let headerSizes = streams.map { ($0.pointee.width, $0.pointee.height) }
        var options = [OpaquePointer?](repeating: nil, count: streams.count)
        for index in options.indices { av_dict_set(&options[index], "max_pixels", String(StreamDecoder.maxPixels), 0) }
        defer { for index in options.indices { av_dict_free(&options[index]) } }
        let found = options.withUnsafeMutableBufferPointer { avformat_find_stream_info(context, $0.baseAddress) }
        // A decoder refusing the size sets it to 0 × 0: put the header's back, so that opening
        // the stream says "frames too large" rather than "corrupt data".
        for (parameters, (width, height)) in zip(streams, headerSizes)
        where parameters.pointee.width == 0 && Int(width) * Int(height) > StreamDecoder.maxPixels {
            parameters.pointee.width = width
            parameters.pointee.height = height
        }
        return found
    }

    private static func checkReadable(_ path: [CChar]) throws(VideoDecodeError) {
        var status = stat()
        guard stat(path, &status) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { throw .notFound }
            throw .unreadable(reason: String(cString: strerror(errno)))
        }
        if (status.st_mode & S_IFMT) == S_IFDIR { throw .unreadable(reason: "is a directory") }
        if status.st_size == 0 { throw .emptyFile }
        guard access(path, R_OK) == 0 else { throw .unreadable(reason: String(cString: strerror(errno))) }
    }

    /// Tells "nothing recognisable" from "a known container that is damaged" by probing the
    /// first bytes on their own: an MP4 without its moov box still probes as mov/mp4.
    private static func openError(path: [CChar], code: Int32) -> VideoDecodeError {
        let reason = ffmpegErrorMessage(code)
        if code == cffmpeg_error_from_errno(EACCES) { return .unreadable(reason: reason) }
        var io: UnsafeMutablePointer<AVIOContext>? = nil
        guard avio_open(&io, path, AVIO_FLAG_READ) >= 0, let io else { return .unreadable(reason: reason) }
        defer { var doomed: UnsafeMutablePointer<AVIOContext>? = io; avio_closep(&doomed) }
        var guessed: UnsafePointer<AVInputFormat>? = nil
        let score = av_probe_input_buffer2(io, &guessed, path, nil, 0, 0)
        if let guessed, score >= AVPROBE_SCORE_MAX / 4 {
            let name = String(cString: guessed.pointee.name).split(separator: ",").first.map(String.init) ?? "media"
            return .damagedContainer(format: name, reason: reason)
        }
        return .notAVideo(reason: reason)
    }
}
