import CBLAS

/// Scratch memory reused across calls (im2col columns), so a worker does not allocate and
/// page-fault tens of megabytes per batch. One per worker thread: not Sendable on purpose.
public final class Workspace {
    private var columns: [Float] = []

    /// Also pins OpenBLAS to one thread: parallelism comes from running one model instance per
    /// worker, and BLAS threads on top of that would oversubscribe the cores.
    public init() {
        openblas_set_num_threads(1)
    }

    /// Runs `body` with at least `count` floats of scratch space (contents unspecified).
    func withColumns<R>(count: Int, _ body: (UnsafeMutablePointer<Float>) -> R) -> R {
        if columns.count < count {
            columns = [Float](repeating: 0, count: count)
        }
        return columns.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
    }
}
