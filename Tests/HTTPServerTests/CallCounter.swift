import Synchronization

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
