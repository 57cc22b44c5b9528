import Foundation

/// A bounded first-in first-out handoff from one producer thread to one consumer thread,
/// ending with the producer's outcome.
///
/// The bound keeps memory flat whatever the video's resolution: a producer that runs ahead
/// blocks in `put` once `capacity` items wait. Either side can end it: the producer by
/// `finish` (its last call), the consumer by `stop`, after which `put` returns false at once
/// so the producer can wind down, and `waitForProducer` returns once it has.
final class FrameHandoff<Item: Sendable, Outcome: Sendable>: @unchecked Sendable {
    enum Next {
        case item(Item)
        case end(Outcome)
    }

    let capacity: Int
    // `condition` guards every stored property below.
    private let condition = NSCondition()
    // Never more than `capacity` long, so removing from the front is cheap.
    private var items: [Item] = []
    private var outcome: Result<Outcome, Error>?
    private var stopped = false

    init(capacity: Int) {
        precondition(capacity > 0, "capacity must be positive")
        self.capacity = capacity
    }

    /// Producer: waits while the handoff is full. False when the consumer has stopped; the
    /// item is then dropped.
    func put(_ item: Item) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity && !stopped { condition.wait() }
        guard !stopped else { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// Producer: no more items. Later calls are ignored.
    func finish(_ result: Result<Outcome, Error>) {
        condition.lock()
        defer { condition.unlock() }
        guard outcome == nil else { return }
        outcome = result
        condition.broadcast()
    }

    /// Consumer: the next item in order, or the producer's outcome once every item before it
    /// was taken; waits while there is neither. A failed producer's error is thrown at once,
    /// without the items still waiting: the video fails either way, so they are not worth the
    /// work.
    func next() throws -> Next {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if case let .failure(error)? = outcome { throw error }
            if !items.isEmpty {
                let item = items.removeFirst()
                condition.broadcast()
                return .item(item)
            }
            if case let .success(value)? = outcome { return .end(value) }
            condition.wait()
        }
    }

    /// Consumer: takes nothing more; drops what waits and releases a producer blocked in `put`.
    func stop() {
        condition.lock()
        defer { condition.unlock() }
        stopped = true
        items.removeAll()
        condition.broadcast()
    }

    /// Waits until the producer has called `finish`.
    func waitForProducer() {
        condition.lock()
        defer { condition.unlock() }
        while outcome == nil { condition.wait() }
    }

    /// Items waiting now (for tests and diagnostics).
    var waiting: Int {
        condition.lock()
        defer { condition.unlock() }
        return items.count
    }
}
