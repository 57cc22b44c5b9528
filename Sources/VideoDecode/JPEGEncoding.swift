import Imaging

extension StillImage {
    /// The bytes of a baseline JPEG of `image` at a libjpeg-style `quality` (1–100), made by
    /// FFmpeg's mjpeg encoder. Sides that are not multiples of 16 are padded up to them by
    /// repeating the edge (see `JPEGRoundTrip.encode`), so pass 16-aligned sizes to keep them.
    public static func encodeJPEG(_ image: RGBImage, quality: Int) throws(VideoDecodeError) -> [UInt8] {
        try JPEGRoundTrip(quality: quality).encode(image)
    }
}
