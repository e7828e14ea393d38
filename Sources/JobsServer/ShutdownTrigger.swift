import Dispatch
import Foundation
import Synchronization

/// Starts a graceful shutdown: on SIGTERM or SIGINT, or when a test calls `trigger()`.
public final class ShutdownTrigger: Sendable {
    private struct State {
        var triggered = false
        var nextWaiterID = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())
    private let signalSources = SignalSources()

    public init() {}

    /// Begins the shutdown; later calls do nothing.
    public func trigger() {
        let waiters = self.state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.triggered else { return [] }
            state.triggered = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters {
            waiter.resume()
        }
    }

    /// Returns once the shutdown has begun, or when the calling task is cancelled.
    public func wait() async {
        let id = self.state.withLock { state in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = self.state.withLock { state in
                    if state.triggered || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow {
                    continuation.resume()
                }
            }
        } onCancel: {
            let waiter = self.state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }

    /// Routes SIGTERM and SIGINT to `trigger()` instead of ending the process at once.
    func installSignalHandlers() {
        let sources = [SIGTERM, SIGINT].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [weak self] in
                self?.trigger()
            }
            source.resume()
            return source
        }
        self.signalSources.keep(sources)
    }
}

/// Keeps the signal sources alive for as long as the trigger lives.
///
/// Unchecked because dispatch sources are not marked Sendable; they are thread-safe, and the array
/// is only replaced under the lock and never read.
private final class SignalSources: @unchecked Sendable {
    private let lock = Mutex(())
    private var sources: [any DispatchSourceSignal] = []

    func keep(_ sources: [any DispatchSourceSignal]) {
        self.lock.withLock { _ in self.sources = sources }
    }
}
