import Foundation
import Dispatch

/// A one-way "stop taking work" flag shared by the runner and whoever wants it to stop
/// (a signal handler, a test). Thread-safe.
public final class StopSignal: @unchecked Sendable {
    // NSLock guards `reason`, `handlers` and `nextToken`; every access goes through `lock`.
    private let lock = NSLock()
    private var reason: String?
    private var handlers: [Int: @Sendable () -> Void] = [:]
    private var nextToken = 0

    public init() {}

    /// Asks the runner to stop: start nothing new and give up the videos in flight. Later
    /// calls keep the first reason. The first call runs the waiting `onRequest` handlers.
    public func request(_ why: String = "stop requested") {
        lock.lock()
        guard reason == nil else { lock.unlock(); return }
        reason = why
        let waiting = handlers.values
        handlers.removeAll()
        lock.unlock()
        for handler in waiting { handler() }
    }

    /// Runs `body` once when a stop is requested, at once if it already was. Returns a token
    /// for `removeHandler`, or nil when `body` already ran.
    @discardableResult
    public func onRequest(_ body: @escaping @Sendable () -> Void) -> Int? {
        lock.lock()
        guard reason == nil else { lock.unlock(); body(); return nil }
        let token = nextToken
        nextToken += 1
        handlers[token] = body
        lock.unlock()
        return token
    }

    public func removeHandler(_ token: Int?) {
        guard let token else { return }
        lock.withLock { _ = handlers.removeValue(forKey: token) }
    }

    public var isRequested: Bool { requestReason != nil }

    public var requestReason: String? {
        lock.lock()
        defer { lock.unlock() }
        return reason
    }
}

/// Turns SIGINT and SIGTERM into a `StopSignal` request while it lives; a second signal after
/// the stop was requested ends the process at once (`exitAtOnce`: exit code 3, what is stored
/// stays stored). The default actions come back when it is cancelled or released.
public final class SignalWatcher {
    private var sources: [DispatchSourceSignal] = []
    private let signals: [Int32]

    public init(stop: StopSignal, signals: [Int32] = [SIGINT, SIGTERM],
                onSecondSignal: @escaping @Sendable (String) -> Void = SignalWatcher.exitAtOnce) {
        self.signals = signals
        for number in signals {
            // Ignored until the source is registered (asynchronously, on resume): a signal in
            // that window is dropped instead of killing the process. On Linux libdispatch then
            // installs its own handler that forwards the signal to its signalfd.
            Foundation.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            let name = number == SIGINT ? "SIGINT" : number == SIGTERM ? "SIGTERM" : "signal \(number)"
            source.setEventHandler { Self.received(name, stop: stop, onSecondSignal: onSecondSignal) }
            source.resume()
            sources.append(source)
        }
    }

    /// A signal's effect: the first asks for a stop, any later one calls `onSecondSignal`.
    static func received(_ name: String, stop: StopSignal, onSecondSignal: (String) -> Void) {
        if stop.isRequested { onSecondSignal(name) } else { stop.request("interrupted by \(name)") }
    }

    /// Says so on standard error and exits with 3 without running exit handlers (a video's
    /// analysis may still be inside OpenBLAS, whose exit handler frees its buffers). Every
    /// finished video is already committed to the store; the same command resumes.
    @Sendable public static func exitAtOnce(_ signalName: String) {
        let message = "\n\(signalName) again: stopping now; finished videos are stored, run the same command again to resume\n"
        message.utf8CString.withUnsafeBufferPointer { _ = write(2, $0.baseAddress, $0.count - 1) }
        _exit(3)
    }

    public func cancel() {
        for source in sources { source.cancel() }
        sources.removeAll()
        for number in signals { Foundation.signal(number, SIG_DFL) }
    }

    deinit { cancel() }
}
