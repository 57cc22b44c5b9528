/// Why the face stage could not run at all. (No face in a frame is not an error.)
public enum FaceAlignError: Error, Equatable, CustomStringConvertible {
    /// libfacedetection.so was not found in any of `searched`.
    case detectorLibraryMissing(searched: [String])
    /// The library was found but could not be loaded or lacks the expected symbol.
    case detectorLibraryUnusable(path: String, reason: String)
    /// The CPU lacks instructions the library is compiled for (`missing`: cpuinfo flag names).
    case detectorNeedsCPU(missing: [String])

    public var description: String {
        switch self {
        case let .detectorLibraryMissing(searched):
            return "libfacedetection (YuNet) not found; run `make setup-yuface` in the deepfake-scan "
                + "source folder (or set DEEPFAKE_SCAN_YUFACE to the folder holding libfacedetection.so). "
                + "Looked in: \(searched.joined(separator: ", "))"
        case let .detectorNeedsCPU(missing):
            return "the face detector (libfacedetection, from the yuface wheel) is built for CPUs with AVX and FMA, "
                + "and this one lacks \(missing.map { $0.uppercased() }.joined(separator: " and ")): "
                + "faces cannot be found on it"
        case let .detectorLibraryUnusable(path, reason):
            return "cannot use \(path): \(reason); run `make setup-yuface` again to reinstall it"
        }
    }
}
