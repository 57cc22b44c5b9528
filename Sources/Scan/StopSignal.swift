import Foundation
import Dispatch

/// A one-way "stop taking work" flag shared by the runner and whoever wants it to stop
/// (a signal handler, a test). Thread-safe.
public final class StopSignal: @unchecked Sendable {
    // NSLock guards `reason`; every access goes through `lock`.
    private let lock = NSLock()
    private var reason: String?

    public init() {}

    /// Asks the runner to finish what it is doing and start nothing new. Later calls keep
    /// the first reason.
    public func request(_ why: String = "stop requested") {
        lock.lock()
        defer { lock.unlock() }
        if reason == nil { reason = why }
    }

    public var isRequested: Bool { requestReason != nil }

    public var requestReason: String? {
        lock.lock()
        defer { lock.unlock() }
        return reason
    }
}

/// Turns SIGINT and SIGTERM into a `StopSignal` request while it lives; the default
/// actions come back when it is cancelled or released.
public final class SignalWatcher {
    private var sources: [DispatchSourceSignal] = []
    private let signals: [Int32]

    public init(stop: StopSignal, signals: [Int32] = [SIGINT, SIGTERM]) {
        self.signals = signals
        for number in signals {
            // Ignored until the source is registered (asynchronously, on resume): a signal in
            // that window is dropped instead of killing the process. On Linux libdispatch then
            // installs its own handler that forwards the signal to its signalfd.
            Foundation.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            let name = number == SIGINT ? "SIGINT" : number == SIGTERM ? "SIGTERM" : "signal \(number)"
            source.setEventHandler { stop.request("interrupted by \(name)") }
            source.resume()
            sources.append(source)
        }
    }

    public func cancel() {
        for source in sources { source.cancel() }
        sources.removeAll()
        for number in signals { Foundation.signal(number, SIG_DFL) }
    }

    deinit { cancel() }
}
