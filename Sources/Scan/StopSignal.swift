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

/// Per signal number, the write end of the pipe its handler writes to (-1: none). A plain C
/// table, not a Swift array, so that the handler touches no reference count.
nonisolated(unsafe) private let signalPipes: UnsafeMutablePointer<Int32> = {
    let table = UnsafeMutablePointer<Int32>.allocate(capacity: Int(NSIG))
    table.initialize(repeating: -1, count: Int(NSIG))
    return table
}()

/// Async-signal-safe: one write of the signal number into its pipe (non-blocking; a full pipe
/// already holds a wake-up).
private let forwardSignal: @convention(c) (Int32) -> Void = { number in
    let descriptor = signalPipes[Int(number)]
    guard descriptor >= 0 else { return }
    var byte = UInt8(truncatingIfNeeded: number)
    _ = write(descriptor, &byte, 1)
}

/// Turns SIGINT and SIGTERM into a `StopSignal` request while it lives; a second signal after
/// the stop was requested ends the process at once (`exitAtOnce`: exit code 3, what is stored
/// stays stored). The default actions come back when it is cancelled or released.
///
/// A handler that writes to a pipe, read by a dispatch source (the self-pipe way), rather than
/// a dispatch signal source: on Linux those read a signalfd, which only sees a signal that no
/// thread handles first, so under load a Ctrl-C could be lost.
public final class SignalWatcher {
    private let signals: [Int32]
    private var reader: DispatchSourceRead?
    private var pipeEnds: (read: Int32, write: Int32) = (-1, -1)

    public init(stop: StopSignal, signals: [Int32] = [SIGINT, SIGTERM],
                onSecondSignal: @escaping @Sendable (String) -> Void = SignalWatcher.exitAtOnce) {
        self.signals = signals
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return }  // no pipe left: signals keep their default action
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        pipeEnds = (ends[0], ends[1])
        let readEnd = ends[0]
        let reader = DispatchSource.makeReadSource(fileDescriptor: readEnd, queue: .global())
        reader.setEventHandler {
            var byte: UInt8 = 0
            while read(readEnd, &byte, 1) == 1 {
                let number = Int32(byte)
                let name = number == SIGINT ? "SIGINT" : number == SIGTERM ? "SIGTERM" : "signal \(number)"
                Self.received(name, stop: stop, onSecondSignal: onSecondSignal)
            }
        }
        let writeEnd = ends[1]
        // Closed once the source has let go of the read end, so that no new file reuses it under it.
        reader.setCancelHandler { close(readEnd); close(writeEnd) }
        reader.resume()
        self.reader = reader
        for number in signals {
            signalPipes[Int(number)] = ends[1]
            _ = Foundation.signal(number, forwardSignal)
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
        for number in signals where signalPipes[Int(number)] == pipeEnds.write {
            _ = Foundation.signal(number, SIG_DFL)
            signalPipes[Int(number)] = -1
        }
        reader?.cancel()  // its cancel handler closes the pipe
        reader = nil
        pipeEnds = (-1, -1)
    }

    deinit { cancel() }
}
