import Synchronization

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
