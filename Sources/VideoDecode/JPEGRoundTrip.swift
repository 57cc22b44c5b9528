import CFFmpeg
import Imaging

/// Encodes a picture as a baseline JPEG (4:2:0, like Pillow's default) at a libjpeg-style
/// quality and decodes it back, with FFmpeg's mjpeg codec: the loss a frame suffers when a
/// video is re-compressed. Holds C state (codec contexts, frames, swscale); frees in deinit.
///
/// Quality means what it means to libjpeg and Pillow (1–100): FFmpeg's encoder is given
/// libjpeg's quantisation tables scaled for that quality, at quantiser scale 8, where
/// FFmpeg uses a custom table unchanged for the AC coefficients. (DC stays at FFmpeg's 8.)
public final class JPEGRoundTrip {
    public let quality: Int
    private var encoder: UnsafeMutablePointer<AVCodecContext>?
    private let decoder: UnsafeMutablePointer<AVCodecContext>
    private let yuv: UnsafeMutablePointer<AVFrame>
    private let decoded: UnsafeMutablePointer<AVFrame>
    private let packet: UnsafeMutablePointer<AVPacket>
    private var toYUV: OpaquePointer? = nil
    private let toRGB = RGBConverter()

    public init(quality: Int) throws(VideoDecodeError) {
        precondition((1...100).contains(quality), "JPEG quality must be 1…100, got \(quality)")
        FFmpegLog.silenceUnlessChosen()
        self.quality = quality
        guard let codec = avcodec_find_decoder(AV_CODEC_ID_MJPEG), let decoder = avcodec_alloc_context3(codec) else {
            throw .unsupportedCodec("mjpeg decoder missing")
        }
        var owned: UnsafeMutablePointer<AVCodecContext>? = decoder
        let opened = avcodec_open2(decoder, codec, nil)
        guard opened >= 0, let yuv = av_frame_alloc(), let decoded = av_frame_alloc(), let packet = av_packet_alloc() else {
            avcodec_free_context(&owned)
            throw .unsupportedCodec("mjpeg decoder (\(ffmpegErrorMessage(opened)))")
        }
        self.decoder = decoder
        self.yuv = yuv
        self.decoded = decoded
        self.packet = packet
    }

    deinit {
        sws_freeContext(toYUV)
        var packet: UnsafeMutablePointer<AVPacket>? = self.packet
        av_packet_free(&packet)
        var yuv: UnsafeMutablePointer<AVFrame>? = self.yuv
        av_frame_free(&yuv)
        var decoded: UnsafeMutablePointer<AVFrame>? = self.decoded
        av_frame_free(&decoded)
        var decoder: UnsafeMutablePointer<AVCodecContext>? = self.decoder
        avcodec_free_context(&decoder)
        avcodec_free_context(&encoder)
    }

    /// The picture after one JPEG encode and decode.
    public func apply(_ image: RGBImage) throws(VideoDecodeError) -> RGBImage {
        let decoded = try decode(encode(image))
        return decoded.width == image.width && decoded.height == image.height ? decoded
            : decoded.cropped(width: image.width, height: image.height)
    }

    /// The JPEG file's bytes, of the picture padded to whole 16×16 blocks by repeating its last
    /// column and row (as libjpeg pads): FFmpeg's encoder would read whatever memory lies
    /// beyond the edge, and through the DCT that would leak into the visible pixels.
    func encode(_ image: RGBImage) throws(VideoDecodeError) -> [UInt8] {
        let padded = image.paddedByRepeatingEdges(toMultipleOf: 16)
        let encoder = try encoderFor(width: padded.width, height: padded.height)
        try convertToYUV(padded)
        yuv.pointee.quality = Int32(8 * FF_QP2LAMBDA)
        var status = avcodec_send_frame(encoder, yuv)
        guard status >= 0 else { throw .encodeFailed(reason: "JPEG: \(ffmpegErrorMessage(status))") }
        status = avcodec_receive_packet(encoder, packet)
        guard status >= 0 else { throw .encodeFailed(reason: "JPEG: \(ffmpegErrorMessage(status))") }
        defer { av_packet_unref(packet) }
        return Array(UnsafeBufferPointer(start: packet.pointee.data, count: Int(packet.pointee.size)))
    }

    func decode(_ bytes: [UInt8]) throws(VideoDecodeError) -> RGBImage {
        guard av_new_packet(packet, Int32(bytes.count)) >= 0 else { throw .corruptData(frame: 0, reason: "out of memory") }
        defer { av_packet_unref(packet) }
        bytes.withUnsafeBufferPointer { packet.pointee.data.update(from: $0.baseAddress!, count: bytes.count) }
        var status = avcodec_send_packet(decoder, packet)
        guard status >= 0 else { throw .corruptData(frame: 0, reason: "JPEG: \(ffmpegErrorMessage(status))") }
        status = avcodec_receive_frame(decoder, decoded)
        guard status >= 0 else { throw .corruptData(frame: 0, reason: "JPEG: \(ffmpegErrorMessage(status))") }
        defer { av_frame_unref(decoded) }
        return try toRGB.convert(decoded)
    }

    /// An encoder for this size (a JPEG encoder's size is fixed once opened; frames of one
    /// video share theirs, so this reopens only when the size changes).
    private func encoderFor(width: Int, height: Int) throws(VideoDecodeError) -> UnsafeMutablePointer<AVCodecContext> {
        if let encoder, encoder.pointee.width == Int32(width), encoder.pointee.height == Int32(height) { return encoder }
        avcodec_free_context(&encoder)
        guard let codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG), let context = avcodec_alloc_context3(codec) else {
            throw .encodeFailed(reason: "no JPEG (mjpeg) encoder")
        }
        encoder = context
        context.pointee.width = Int32(width)
        context.pointee.height = Int32(height)
        context.pointee.pix_fmt = AV_PIX_FMT_YUVJ420P
        context.pointee.time_base = AVRational(num: 1, den: 25)
        context.pointee.flags |= Int32(AV_CODEC_FLAG_QSCALE)
        context.pointee.global_quality = Int32(8 * FF_QP2LAMBDA)
        // The codec context owns (and frees) matrices allocated with av_malloc.
        context.pointee.intra_matrix = Self.matrix(JPEGTables.luminance, quality: quality)
        context.pointee.chroma_intra_matrix = Self.matrix(JPEGTables.chrominance, quality: quality)
        let opened = avcodec_open2(context, codec, nil)
        guard opened >= 0 else { throw .encodeFailed(reason: "JPEG encoder: \(ffmpegErrorMessage(opened))") }
        av_frame_unref(yuv)
        yuv.pointee.width = Int32(width)
        yuv.pointee.height = Int32(height)
        yuv.pointee.format = AV_PIX_FMT_YUVJ420P.rawValue
        guard av_frame_get_buffer(yuv, 0) >= 0 else { throw .encodeFailed(reason: "out of memory") }
        return context
    }

    private func convertToYUV(_ image: RGBImage) throws(VideoDecodeError) {
        toYUV = sws_getCachedContext(toYUV, Int32(image.width), Int32(image.height), AV_PIX_FMT_RGB24,
                                     Int32(image.width), Int32(image.height), AV_PIX_FMT_YUVJ420P,
                                     SWS_BICUBIC, nil, nil, nil)
        guard let toYUV, av_frame_make_writable(yuv) >= 0 else { throw .encodeFailed(reason: "no RGB → YUV conversion") }
        let converted = image.pixels.withUnsafeBufferPointer { pixels -> Int32 in
            var planes: [UnsafePointer<UInt8>?] = [pixels.baseAddress, nil, nil, nil]
            var strides: [Int32] = [Int32(image.rowBytes), 0, 0, 0]
            return sws_scale(toYUV, &planes, &strides, 0, Int32(image.height),
                             cffmpeg_frame_planes_mutable(yuv), cffmpeg_frame_linesizes(yuv))
        }
        guard converted == Int32(image.height) else { throw .encodeFailed(reason: "RGB → YUV conversion failed") }
    }

    /// A 64-entry table in natural (row) order scaled as libjpeg's `jpeg_set_quality` does,
    /// clamped to baseline's 1…255, in memory the codec context may free.
    static func matrix(_ base: [UInt16], quality: Int) -> UnsafeMutablePointer<UInt16> {
        let table = av_malloc(64 * MemoryLayout<UInt16>.size)!.bindMemory(to: UInt16.self, capacity: 64)
        for (index, value) in JPEGTables.scaled(base, quality: quality).enumerated() { table[index] = value }
        return table
    }
}

/// The example quantisation tables of the JPEG standard (ITU-T T.81 Annex K), which libjpeg
/// scales by quality.
enum JPEGTables {
    static let luminance: [UInt16] = [
        16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55,
        14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
        18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
        49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
    ]
    static let chrominance: [UInt16] = [
        17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99,
        24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99,
    ] + [UInt16](repeating: 99, count: 32)

    /// libjpeg: scale = 5000/q below 50, 200 − 2q from 50; entry = (base·scale + 50)/100 in 1…255.
    static func scaled(_ base: [UInt16], quality: Int) -> [UInt16] {
        let q = min(max(quality, 1), 100)
        let scale = q < 50 ? 5000 / q : 200 - 2 * q
        return base.map { UInt16(min(max((Int($0) * scale + 50) / 100, 1), 255)) }
    }
}

extension RGBImage {
    /// The image grown to multiples of `block` in both directions, new pixels copying the
    /// nearest edge pixel.
    func paddedByRepeatingEdges(toMultipleOf block: Int) -> RGBImage {
        let newWidth = (width + block - 1) / block * block, newHeight = (height + block - 1) / block * block
        if newWidth == width && newHeight == height { return self }
        var out = [UInt8](repeating: 0, count: newWidth * newHeight * 3)
        for y in 0..<newHeight {
            let source = min(y, height - 1) * rowBytes
            let target = y * newWidth * 3
            for x in 0..<newWidth {
                let from = source + min(x, width - 1) * 3
                out[target + x * 3] = pixels[from]
                out[target + x * 3 + 1] = pixels[from + 1]
                out[target + x * 3 + 2] = pixels[from + 2]
            }
        }
        return RGBImage(width: newWidth, height: newHeight, pixels: out)
    }

    /// The top-left `width`×`height` part.
    func cropped(width newWidth: Int, height newHeight: Int) -> RGBImage {
        var out: [UInt8] = []
        out.reserveCapacity(newWidth * newHeight * 3)
        for y in 0..<newHeight { out += pixels[(y * rowBytes)..<(y * rowBytes + newWidth * 3)] }
        return RGBImage(width: newWidth, height: newHeight, pixels: out)
    }
}
