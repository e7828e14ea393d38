import Foundation
import Synchronization

/// Records attempt outcomes in batches: every outcome that arrives while one batch is being
/// written goes into the next, so a busy node commits (and waits for the disk) once for many
/// executions instead of once for each.
///
/// Nothing is held back on purpose: a lone outcome is written at once. An outcome is reported to
/// its caller only after its batch has committed.
final class CompletionBatcher: Sendable {
    private typealias Waiter = CheckedContinuation<CompletionResult, any Error>

    /// The most outcomes written in one statement.
    static let maximumBatch = 64

    private let store: JobStore
    private let pending = Mutex<[(AttemptCompletion, Waiter)]>([])
    private let signal = WakeSignal()

    init(store: JobStore) {
        self.store = store
    }

    /// Queues `completion` for the next batch and returns once it is recorded.
    func complete(_ completion: AttemptCompletion) async throws -> CompletionResult {
        try await withCheckedThrowingContinuation { continuation in
            self.pending.withLock { $0.append((completion, continuation)) }
            self.signal.signal()
        }
    }

    /// Writes batches until the calling task is cancelled; outcomes still waiting then fail.
    func run() async {
        while !Task.isCancelled {
            let batch = self.pending.withLock { pending -> [(AttemptCompletion, Waiter)] in
                let taken = Array(pending.prefix(Self.maximumBatch))
                pending.removeFirst(taken.count)
                return taken
            }
            guard !batch.isEmpty else {
                await self.signal.wait(atMost: .seconds(1))
                continue
            }
            do {
                let results = try await self.store.completeAttempts(batch.map(\.0))
                for (completion, waiter) in batch {
                    waiter.resume(returning: results[completion.executionID] ?? .staleLease)
                }
            } catch {
                for (_, waiter) in batch {
                    waiter.resume(throwing: error)
                }
            }
        }
        let abandoned = self.pending.withLock { pending in
            defer { pending = [] }
            return pending
        }
        for (_, waiter) in abandoned {
            waiter.resume(throwing: CancellationError())
        }
    }
}
