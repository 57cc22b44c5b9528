import Imaging

/// Finds faces in a frame. A protocol so that another detector can replace YuNet without
/// touching callers. Instances may keep scratch buffers: use one per thread.
public protocol FaceLocator: AnyObject {
    /// Every face the detector reports in `image` (no score or size floor applied beyond the
    /// detector's own), in `image` pixel coordinates. No face is an empty array, not an error.
    func detect(in image: RGBImage) throws -> [DetectedFace]

    /// Faces near `hints` only — boxes where faces were in the previous sampled frame. Cheaper
    /// than a whole-frame search and may give finer landmarks, but misses faces elsewhere, so
    /// callers still search whole frames now and then.
    func detect(in image: RGBImage, near hints: [FaceBox]) throws -> [DetectedFace]
}

extension FaceLocator {
    /// Locators without a local search look at the whole frame.
    public func detect(in image: RGBImage, near hints: [FaceBox]) throws -> [DetectedFace] {
        try detect(in: image)
    }
}
