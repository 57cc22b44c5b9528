import CFFmpeg
import Foundation
import Imaging

/// Single pictures (PNG, JPEG, BMP, WebP …) read and written with FFmpeg's own codecs, for
/// the stages that work on photos (face tests, training crops) and for `frames --out`.
public enum StillImage {
    /// Decodes the first picture of `path` to RGB.
    public static func read(path: String) throws(VideoDecodeError) -> RGBImage {
        let input = try MediaInput(path: path)
        let streamIndex = av_find_best_stream(input.format, AVMEDIA_TYPE_VIDEO, -1, -1, nil, 0)
        guard streamIndex >= 0 else { throw .noVideoStream(found: "no picture") }
        let decoder = try StreamDecoder(stream: input.stream(streamIndex), threads: 1)
        var lastProblem = "no picture decoded"
        while true {
            let status = input.readPacket()
            let packet: UnsafeMutablePointer<AVPacket>? = status < 0 ? nil : input.packet
            if let packet, packet.pointee.stream_index != streamIndex { continue }
            let sent = decoder.send(packet)
            if sent < 0 && sent != ffmpegEndOfFile { lastProblem = ffmpegErrorMessage(sent) }
            let received = decoder.receive()
            if received >= 0 { return try RGBConverter().convert(decoder.frame) }
            if received != ffmpegAgain { lastProblem = received == ffmpegEndOfFile ? lastProblem : ffmpegErrorMessage(received) }
            if packet == nil { break }
        }
        throw .corruptData(frame: 0, reason: lastProblem)
    }

    /// Writes `image` as a PNG file with FFmpeg's PNG encoder.
    public static func writePNG(_ image: RGBImage, to path: String) throws(VideoDecodeError) {
        let data = try encodePNG(image)
        guard FileManager.default.createFile(atPath: path, contents: data) else {
            throw .encodeFailed(reason: "cannot create \(path)")
        }
    }

    /// The PNG bytes of `image`.
    public static func encodePNG(_ image: RGBImage) throws(VideoDecodeError) -> Data {
        let encoder = try PNGEncoder(width: image.width, height: image.height)
        return try encoder.encode(image)
    }
}

/// FFmpeg's PNG encoder with its input frame and output packet; frees in deinit.
private final class PNGEncoder {
    private let context: UnsafeMutablePointer<AVCodecContext>
    private let frame: UnsafeMutablePointer<AVFrame>
    private let packet: UnsafeMutablePointer<AVPacket>

    init(width: Int, height: Int) throws(VideoDecodeError) {
        FFmpegLog.silenceUnlessChosen()
        guard let codec = avcodec_find_encoder(AV_CODEC_ID_PNG),
              let context = avcodec_alloc_context3(codec) else { throw .encodeFailed(reason: "no PNG encoder") }
        context.pointee.width = Int32(width)
        context.pointee.height = Int32(height)
        context.pointee.pix_fmt = AV_PIX_FMT_RGB24
        context.pointee.time_base = AVRational(num: 1, den: 25)
        var owned: UnsafeMutablePointer<AVCodecContext>? = context
        let opened = avcodec_open2(context, codec, nil)
        guard opened >= 0, let frame = av_frame_alloc(), let packet = av_packet_alloc() else {
            avcodec_free_context(&owned)
            throw .encodeFailed(reason: ffmpegErrorMessage(opened))
        }
        self.context = context
        self.frame = frame
        self.packet = packet
        frame.pointee.width = Int32(width)
        frame.pointee.height = Int32(height)
        frame.pointee.format = AV_PIX_FMT_RGB24.rawValue
        guard av_frame_get_buffer(frame, 0) >= 0 else { throw .encodeFailed(reason: "out of memory") }
    }

    deinit {
        var packet: UnsafeMutablePointer<AVPacket>? = self.packet
        av_packet_free(&packet)
        var frame: UnsafeMutablePointer<AVFrame>? = self.frame
        av_frame_free(&frame)
        var context: UnsafeMutablePointer<AVCodecContext>? = self.context
        avcodec_free_context(&context)
    }

    func encode(_ image: RGBImage) throws(VideoDecodeError) -> Data {
        let stride = Int(cffmpeg_frame_linesize(frame, 0))
        let destination = cffmpeg_frame_plane(frame, 0)!
        image.pixels.withUnsafeBufferPointer { pixels in
            for row in 0..<image.height {
                (destination + row * stride).update(from: pixels.baseAddress! + row * image.rowBytes,
                                                    count: image.rowBytes)
            }
        }
        let sent = avcodec_send_frame(context, frame)
        guard sent >= 0 else { throw .encodeFailed(reason: ffmpegErrorMessage(sent)) }
        let received = avcodec_receive_packet(context, packet)
        guard received >= 0 else { throw .encodeFailed(reason: ffmpegErrorMessage(received)) }
        defer { av_packet_unref(packet) }
        return Data(bytes: packet.pointee.data, count: Int(packet.pointee.size))
    }
}
