import Foundation

/// The threads analyses run on, counted process-wide, so the process can wait for abandoned
/// ones (a timed-out or interrupted video stops at its next frame) before it exits.
///
/// Why it matters: exiting runs OpenBLAS's exit handler, which frees the buffers an abandoned
/// analysis may still be multiplying in ("BLAS : Bad memory unallocation!", then a segfault).
public enum AnalysisThreads {
    private static let count = Counter()

    /// Runs `body` on a new thread, counted until it returns.
    static func detach(_ body: @escaping @Sendable () -> Void) {
        count.add(1)
        Thread.detachNewThread {
            body()
            count.add(-1)
        }
    }

    /// Analysis threads still running.
    public static var running: Int { count.value }

    /// Waits until no analysis thread runs, for at most `seconds`; false when some still do.
    public static func waitUntilNoneRun(seconds: Double) -> Bool {
        count.waitForZero(until: Date(timeIntervalSinceNow: seconds))
    }

    private final class Counter: @unchecked Sendable {
        // `condition` guards `current`.
        private let condition = NSCondition()
        private var current = 0

        func add(_ delta: Int) {
            condition.lock()
            current += delta
            if current == 0 { condition.broadcast() }
            condition.unlock()
        }

        var value: Int { condition.lock(); defer { condition.unlock() }; return current }

        func waitForZero(until deadline: Date) -> Bool {
            condition.lock()
            defer { condition.unlock() }
            while current > 0 {
                if !condition.wait(until: deadline) { return current == 0 }
            }
            return true
        }
    }
}
