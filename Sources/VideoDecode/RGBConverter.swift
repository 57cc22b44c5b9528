import CFFmpeg
import Imaging

/// Converts decoded frames to packed RGB24 with a reused swscale context; frees in deinit.
///
/// Set up like FFmpeg's own `scale` filter (bicubic, the frame's colour matrix and range), so
/// the pixels equal `ffmpeg -sws_flags bicubic -pix_fmt rgb24` byte for byte.
final class RGBConverter {
    private var context: OpaquePointer? = nil
    /// swscale writes into this aligned buffer (as in ffmpeg), then rows are packed tightly.
    private let aligned: UnsafeMutablePointer<AVFrame>

    init() {
        aligned = av_frame_alloc()!
    }

    deinit {
        sws_freeContext(context)
        var frame: UnsafeMutablePointer<AVFrame>? = aligned
        av_frame_free(&frame)
    }

    func convert(_ frame: UnsafePointer<AVFrame>) throws(VideoDecodeError) -> RGBImage {
        let width = Int(frame.pointee.width), height = Int(frame.pointee.height)
        let source = AVPixelFormat(rawValue: frame.pointee.format)
        context = sws_getCachedContext(context, Int32(width), Int32(height), source,
                                       Int32(width), Int32(height), AV_PIX_FMT_RGB24,
                                       SWS_BICUBIC, nil, nil, nil)
        guard let context else {
            throw .unsupportedCodec("pixel format \(pixelFormatName(source)) cannot be converted to RGB")
        }
        applyColorDetails(of: frame, to: context)
        try prepareAlignedBuffer(width: width, height: height)
        let scaled = sws_scale(context, cffmpeg_frame_planes(frame), cffmpeg_frame_linesizes(frame), 0,
                               Int32(height), cffmpeg_frame_planes_mutable(aligned),
                               cffmpeg_frame_linesizes(aligned))
        guard scaled == Int32(height) else { throw .unsupportedCodec("RGB conversion of \(pixelFormatName(source)) failed") }
        let rowBytes = width * 3
        let stride = Int(cffmpeg_frame_linesize(aligned, 0))
        let source0 = cffmpeg_frame_plane(aligned, 0)!
        let pixels = [UInt8](unsafeUninitializedCapacity: rowBytes * height) { buffer, count in
            for row in 0..<height {
                (buffer.baseAddress! + row * rowBytes).update(from: source0 + row * stride, count: rowBytes)
            }
            count = rowBytes * height
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// The frame's colour matrix and range, as vf_scale sets them ("auto" input matrix).
    private func applyColorDetails(of frame: UnsafePointer<AVFrame>, to context: OpaquePointer) {
        var inverse: UnsafeMutablePointer<Int32>? = nil, table: UnsafeMutablePointer<Int32>? = nil
        var sourceFull: Int32 = 0, destinationFull: Int32 = 0
        var brightness: Int32 = 0, contrast: Int32 = 0, saturation: Int32 = 0
        guard sws_getColorspaceDetails(context, &inverse, &sourceFull, &table, &destinationFull,
                                       &brightness, &contrast, &saturation) >= 0 else { return }
        let coefficients = sws_getCoefficients(Int32(frame.pointee.colorspace.rawValue))
        if frame.pointee.color_range != AVCOL_RANGE_UNSPECIFIED {
            sourceFull = frame.pointee.color_range == AVCOL_RANGE_JPEG ? 1 : 0
        }
        sws_setColorspaceDetails(context, coefficients, sourceFull, coefficients, destinationFull,
                                 brightness, contrast, saturation)
    }

    private func prepareAlignedBuffer(width: Int, height: Int) throws(VideoDecodeError) {
        if aligned.pointee.width == Int32(width) && aligned.pointee.height == Int32(height) { return }
        av_frame_unref(aligned)
        aligned.pointee.width = Int32(width)
        aligned.pointee.height = Int32(height)
        aligned.pointee.format = AV_PIX_FMT_RGB24.rawValue
        guard av_frame_get_buffer(aligned, 0) >= 0 else { throw .unreadable(reason: "out of memory") }
    }
}

func pixelFormatName(_ format: AVPixelFormat) -> String {
    guard let name = av_get_pix_fmt_name(format) else { return "unknown" }
    return String(cString: name)
}
