import CPUFeatures
import Foundation

/// libfacedetection (YuNet CNN, BSD-3-Clause) loaded at run time from the yuface wheel's
/// files that `make setup-yuface` unpacks into `.deps/yuface/`.
///
/// Loaded once per process (`shared`): dlopen handles are process-wide anyway, and the first
/// call of `facedetect_cnn` fills the library's static network parameters without a lock, so
/// that warm-up call happens here, inside Swift's once-only static initialisation, before any
/// thread can call the detector. After it, concurrent calls with separate buffers are safe
/// (the network's working blobs are locals of each call; FaceAlignTests checks that two
/// threads get the same answers as one).
final class YuFaceLibrary: @unchecked Sendable {
    // @unchecked: only immutable C function pointers and handles, never written after init.

    /// `int* facedetect_cnn(unsigned char* result, unsigned char* bgr, int w, int h, int step)`
    typealias DetectFunction = @convention(c) (
        UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt8>?, Int32, Int32, Int32
    ) -> UnsafeMutablePointer<Int32>?
    typealias SetThreadsFunction = @convention(c) (Int32) -> Void

    /// Result buffer size the library documents (DETECT_BUFFER_SIZE in facedetectcnn.h): an
    /// int32 count then at most 1024 faces of 16 int16 each.
    static let resultBufferSize = 0x9000
    static let mangledDetectSymbol = "_Z14facedetect_cnnPhS_iii"

    let path: String
    let detect: DetectFunction
    /// Whether YuNet's convolutions run on the project's kernels (YuNetKernels).
    let usesProjectKernels: Bool
    /// omp_set_num_threads of every libgomp copy in the process (bundled and system).
    private let setThreadFunctions: [SetThreadsFunction]

    static let shared: Result<YuFaceLibrary, FaceAlignError> = {
        do throws(FaceAlignError) { return .success(try locateAndLoad()) } catch { return .failure(error) }
    }()

    private init(path: String, detect: @escaping DetectFunction, usesProjectKernels: Bool,
                 setThreadFunctions: [SetThreadsFunction]) {
        self.path = path
        self.detect = detect
        self.usesProjectKernels = usesProjectKernels
        self.setThreadFunctions = setThreadFunctions
    }

    /// One OpenMP thread for the calling thread. libgomp keeps the thread count per calling
    /// thread (a thread's first write copies the global default), so every worker thread has to
    /// set it for itself; it is a cheap store, done before each detection. Several workers each
    /// spawning a full OpenMP team made every call orders of magnitude slower.
    func limitOpenMPToOneThread() {
        for setThreads in setThreadFunctions { setThreads(1) }
    }

    /// Folders searched, in order: $DEEPFAKE_SCAN_YUFACE alone when set (a wrong setting should
    /// fail, not silently fall back), else `.deps/yuface` in the folders above the running
    /// executable (a SwiftPM build lives in `<package>/.build/…`), then in the current
    /// directory and its parents.
    static func candidateFolders(environment: [String: String] = ProcessInfo.processInfo.environment)
        -> [String]
    {
        if let override = environment["DEEPFAKE_SCAN_YUFACE"], !override.isEmpty {
            return [override.hasSuffix(".so") ? (override as NSString).deletingLastPathComponent : override]
        }
        var folders: [String] = []
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let starts = [executable.deletingLastPathComponent(),
                      URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
        for start in starts {
            var folder = start.standardizedFileURL
            while true {
                folders.append(folder.appendingPathComponent(".deps/yuface").path)
                let parent = folder.deletingLastPathComponent()
                if parent.path == folder.path { break }
                folder = parent
            }
        }
        var seen = Set<String>()
        return folders.filter { seen.insert($0).inserted }
    }

    private static func locateAndLoad() throws(FaceAlignError) -> YuFaceLibrary {
        // Checked before dlopen: on such a CPU, loading the library dies of SIGILL.
        try requireCPU(flags: CPUFeatures.machine())
        let folders = candidateFolders()
        guard let folder = folders.first(where: {
            FileManager.default.fileExists(atPath: $0 + "/libfacedetection.so")
        }) else { throw FaceAlignError.detectorLibraryMissing(searched: folders) }
        return try load(folder: folder)
    }

    static func requireCPU(flags: Set<String>) throws(FaceAlignError) {
        let missing = CPUFeatures.missing(CPUFeatures.faceDetectorNeeds, from: flags)
        if !missing.isEmpty { throw .detectorNeedsCPU(missing: missing) }
    }

    private static func load(folder: String) throws(FaceAlignError) -> YuFaceLibrary {
        let path = folder + "/libfacedetection.so"
        func unusable(_ reason: String) -> FaceAlignError {
            .detectorLibraryUnusable(path: path, reason: reason)
        }
        // The .so names its bundled libgomp by soname with an RPATH of ../yuface.libs, which
        // the flat unpacked folder lacks; loading that copy first, globally, satisfies it.
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        var gompHandles: [UnsafeMutableRawPointer] = []
        for name in files.sorted() where name.hasPrefix("libgomp") && name.contains(".so") {
            guard let handle = dlopen(folder + "/" + name, RTLD_NOW | RTLD_GLOBAL) else {
                throw unusable("loading \(name): \(lastDLError())")
            }
            gompHandles.append(handle)
        }
        guard let library = dlopen(path, RTLD_NOW | RTLD_LOCAL) else { throw unusable(lastDLError()) }
        guard let symbol = dlsym(library, mangledDetectSymbol) else {
            throw unusable("no symbol \(mangledDetectSymbol) (facedetect_cnn)")
        }
        let usesProjectKernels = YuNetKernels.select(library: library, path: path)
        // A system libgomp may also be in the process (e.g. pulled in by a BLAS); cap it too.
        if let systemGomp = dlopen("libgomp.so.1", RTLD_NOW | RTLD_NOLOAD) { gompHandles.append(systemGomp) }
        let setThreads = gompHandles.compactMap { dlsym($0, "omp_set_num_threads") }
            .map { unsafeBitCast($0, to: SetThreadsFunction.self) }
        let loaded = YuFaceLibrary(path: path, detect: unsafeBitCast(symbol, to: DetectFunction.self),
                                   usesProjectKernels: usesProjectKernels, setThreadFunctions: setThreads)
        loaded.warmUp()
        return loaded
    }

    /// The first call initialises the library's static state; see the type's comment.
    private func warmUp() {
        limitOpenMPToOneThread()
        let result = UnsafeMutablePointer<UInt8>.allocate(capacity: Self.resultBufferSize)
        defer { result.deallocate() }
        var image = [UInt8](repeating: 128, count: 64 * 64 * 3)
        image.withUnsafeMutableBufferPointer {
            _ = detect(result, $0.baseAddress, 64, 64, 64 * 3)
        }
    }
}

private func lastDLError() -> String {
    guard let message = dlerror() else { return "unknown dlopen error" }
    return String(cString: message)
}
