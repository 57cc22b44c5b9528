import Foundation

/// Runs `work` and gives up after `seconds`, or once `stop` is requested: the work is
/// cancelled and `PipelineError.timedOut` (or `.stopped`) thrown at once, without waiting for
/// the work to notice.
///
/// Not waiting matters: a decoder blocked in a read on a stalled disk may never check for
/// cancellation, and one such file must not stall the whole scan, nor a Ctrl-C. The abandoned
/// work stops at its next frame and keeps its memory until then (`AnalysisThreads` lets the
/// process wait for it before exiting).
func withTimeout<T: Sendable>(
    seconds: Double?, stop: StopSignal? = nil, _ work: @escaping @Sendable () async throws -> T
) async throws -> T {
    guard seconds != nil || stop != nil else { return try await work() }
    let race = Race<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            race.start(continuation)
            let worker = Task { race.finish(await Result { try await work() }) }
            let timer = seconds.map { seconds in
                Task {
                    try await Task.sleep(for: .seconds(seconds))
                    race.finish(.failure(PipelineError.timedOut(seconds: seconds)))
                }
            }
            let token = stop?.onRequest { race.finish(.failure(PipelineError.stopped)) }
            race.onFinish { worker.cancel(); timer?.cancel(); stop?.removeHandler(token) }
        }
    } onCancel: {
        race.finish(.failure(CancellationError()))
    }
}

/// The first result to arrive resumes the continuation; later ones are dropped.
private final class Race<T: Sendable>: @unchecked Sendable {
    // `lock` guards every stored property.
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, Error>?
    private var early: Result<T, Error>?
    private var finished = false
    private var cleanup: (@Sendable () -> Void)?

    func start(_ continuation: CheckedContinuation<T, Error>) {
        lock.lock()
        if let early {
            lock.unlock()
            continuation.resume(with: early)
            return
        }
        self.continuation = continuation
        lock.unlock()
    }

    func onFinish(_ body: @escaping @Sendable () -> Void) {
        lock.lock()
        if finished {
            lock.unlock()
            body()
            return
        }
        cleanup = body
        lock.unlock()
    }

    func finish(_ result: Result<T, Error>) {
        lock.lock()
        guard !finished else { lock.unlock(); return }
        finished = true
        let continuation = self.continuation
        self.continuation = nil
        if continuation == nil { early = result }
        let cleanup = self.cleanup
        self.cleanup = nil
        lock.unlock()
        continuation?.resume(with: result)
        cleanup?()
    }
}

extension Result where Failure == Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
