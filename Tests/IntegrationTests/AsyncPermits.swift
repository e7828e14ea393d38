/// A counting semaphore for async code: at most `count` bodies run at once, the rest wait their turn
/// in arrival order.
///
/// The replay suite has well over a hundred cases, each with its own database and running service;
/// started all at once they would exhaust the test server's connections and the machine's cores.
actor AsyncPermits {
    private var available: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(_ count: Int) {
        precondition(count > 0, "at least one permit is needed for anything to run")
        self.available = count
    }

    /// Runs `body` once a permit is free, and returns the permit when it ends, however it ends.
    func withPermit<Result: Sendable>(_ body: @Sendable () async throws -> Result) async throws -> Result {
        if self.available > 0 {
            self.available -= 1
        } else {
            await withCheckedContinuation { self.waiting.append($0) }
        }
        defer { self.release() }
        return try await body()
    }

    private func release() {
        if self.waiting.isEmpty {
            self.available += 1
        } else {
            // The permit passes straight to the oldest waiter.
            self.waiting.removeFirst().resume()
        }
    }
}
