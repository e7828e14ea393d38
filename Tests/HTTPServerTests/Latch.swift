import Synchronization

/// A one-way gate that tasks can await; it opens once and stays open. Waiting ends early on cancellation.
final class Latch: Sendable {
    private struct State {
        var isOpen = false
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextID = 0
    }

    private let state = Mutex(State())

    /// Opens the gate and wakes every waiter.
    func open() {
        let woken = self.state.withLock { state in
            state.isOpen = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for continuation in woken {
            continuation.resume()
        }
    }

    /// Returns when the gate opens or the task is cancelled.
    func wait() async {
        let id = self.state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let proceed = self.state.withLock { state in
                    if state.isOpen || Task.isCancelled {
                        return true
                    }
                    state.waiters[id] = continuation
                    return false
                }
                if proceed {
                    continuation.resume()
                }
            }
        } onCancel: {
            self.state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}

/// Counts events and opens a latch when the count reaches a target.
final class Countdown: Sendable {
    private let remaining: Mutex<Int>
    /// Opens when `arrive()` has been called the target number of times.
    let reached = Latch()

    init(_ count: Int) {
        self.remaining = Mutex(count)
    }

    /// Records one event.
    func arrive() {
        let left = self.remaining.withLock { remaining in
            remaining -= 1
            return remaining
        }
        if left == 0 {
            self.reached.open()
        }
    }
}

/// A thread-safe counter of calls.
final class CallCounter: Sendable {
    private let count = Mutex(0)

    /// The number of calls recorded.
    var value: Int { self.count.withLock { $0 } }

    /// Records one call.
    func increment() {
        self.count.withLock { $0 += 1 }
    }
}
