import Synchronization

/// A value set once and awaited by one task at a time; waiting can be cancelled or bounded.
///
/// The engine uses it for "the worker finished" and "this attempt must stop", which arrive from
/// other tasks (a worker task, a NOTIFY, the lease renewer) in any order.
final class OneShot<Value: Sendable>: Sendable {
    private struct State {
        var value: Value?
        var waiter: CheckedContinuation<Value?, Never>?
    }

    private let state = Mutex(State())

    /// Sets the value unless it is already set; returns whether this call set it.
    @discardableResult
    func fulfil(_ value: Value) -> Bool {
        let (waiter, didSet) = self.state.withLock { state -> (CheckedContinuation<Value?, Never>?, Bool) in
            guard state.value == nil else { return (nil, false) }
            state.value = value
            defer { state.waiter = nil }
            return (state.waiter, true)
        }
        waiter?.resume(returning: value)
        return didSet
    }

    /// The value if it is set.
    var current: Value? {
        self.state.withLock { $0.value }
    }

    /// Waits for the value; returns nil when the calling task is cancelled first.
    func wait() async -> Value? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = self.state.withLock { state -> (Bool, Value?) in
                    if let value = state.value { return (true, value) }
                    if Task.isCancelled { return (true, nil) }
                    precondition(state.waiter == nil, "a OneShot is awaited by one task at a time")
                    state.waiter = continuation
                    return (false, nil)
                }
                if ready.0 {
                    continuation.resume(returning: ready.1)
                }
            }
        } onCancel: {
            let waiter = self.state.withLock { state -> CheckedContinuation<Value?, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: nil)
        }
    }

    /// Waits for the value for at most `duration`; nil when it did not arrive in time.
    func wait(atMost duration: Duration) async -> Value? {
        if let value = self.current { return value }
        return await withTaskGroup(of: Value?.self) { group in
            group.addTask { await self.wait() }
            group.addTask {
                try? await Task.sleep(for: duration)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? self.current
        }
    }
}
