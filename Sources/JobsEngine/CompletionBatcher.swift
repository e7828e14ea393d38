import Foundation
import Logging
import Synchronization

/// Records attempt outcomes in batches, and claims new work for the slots they free in the same
/// transaction: every outcome that arrives while one batch is being written goes into the next, so
/// a busy node commits (and waits for the disk) once per turn of many slots instead of twice for
/// each execution.
///
/// Nothing is held back on purpose: a lone outcome is written at once. An outcome is reported to
/// its caller only after its batch has committed.
final class CompletionBatcher: Sendable {
    private typealias Waiter = CheckedContinuation<CompletionResult, any Error>

    /// The most outcomes written in one statement.
    static let maximumBatch = 64
    /// Batches written at once. One: measured on two cores, a second writer only splits the batches.
    static let writers = 1

    /// How often the jobs whose executions ended have their `last_run_at` written.
    static let lastRunInterval = Duration.seconds(1)

    private let store: JobStore
    private let pending = Mutex<[(AttemptCompletion, Waiter)]>([])
    /// Jobs with an execution that ended since `last_run_at` was last written.
    private let endedJobIDs = Mutex<Set<UUID>>([])
    private let signals = (0..<CompletionBatcher.writers).map { _ in WakeSignal() }

    init(store: JobStore) {
        self.store = store
    }

    /// Queues `completion` for the next batch and returns once it is recorded.
    func complete(_ completion: AttemptCompletion) async throws -> CompletionResult {
        try await withCheckedThrowingContinuation { continuation in
            self.pending.withLock { $0.append((completion, continuation)) }
            for signal in self.signals {
                signal.signal()
            }
        }
    }

    /// Writes batches for `processor` until the calling task is cancelled; outcomes still waiting
    /// then fail.
    func run(for processor: JobProcessor) async {
        await withDiscardingTaskGroup { group in
            for signal in self.signals {
                group.addTask { await self.writeBatches(for: processor, wakingOn: signal) }
            }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: Self.lastRunInterval)
                    await self.recordLastRuns(for: processor)
                }
            }
        }
        // The last runs of the final batches, written by a task of its own: this one is cancelled.
        await Task { await self.recordLastRuns(for: processor) }.value
        let abandoned = self.pending.withLock { pending in
            defer { pending = [] }
            return pending
        }
        for (_, waiter) in abandoned {
            waiter.resume(throwing: CancellationError())
        }
    }

    private func writeBatches(for processor: JobProcessor, wakingOn signal: WakeSignal) async {
        while !Task.isCancelled {
            // Every outcome signals after it is queued, so no timeout is needed to notice it. Right
            // after a batch nothing is pending yet (the attempts it claimed have yet to start), so the
            // writer sleeps at once instead of first yielding to them for nothing.
            if self.pending.withLock({ $0.isEmpty }) {
                await signal.wait()
            }
            // Let attempts that are finishing right now join this batch rather than the next one.
            for _ in 0..<4 {
                await Task.yield()
            }
            let batch = self.pending.withLock { pending -> [(AttemptCompletion, Waiter)] in
                let taken = Array(pending.prefix(Self.maximumBatch))
                pending.removeFirst(taken.count)
                return taken
            }
            if !batch.isEmpty {
                await self.write(batch, for: processor)
            }
        }
    }

    /// Writes `last_run_at` for the jobs whose executions ended since the last call; kept for the next
    /// call if it fails.
    private func recordLastRuns(for processor: JobProcessor) async {
        let jobIDs = self.endedJobIDs.withLock { ids in
            defer { ids = [] }
            return ids
        }
        guard !jobIDs.isEmpty else { return }
        do {
            try await self.store.recordLastRuns(jobIDs: jobIDs)
        } catch {
            self.endedJobIDs.withLock { $0.formUnion(jobIDs) }
            // Cancelled at shutdown, the final call writes them.
            if !Task.isCancelled {
                processor.logger.warning("could not record the jobs' last runs", metadata: [.error: "\(error)"])
            }
        }
    }

    private func write(_ batch: [(AttemptCompletion, Waiter)], for processor: JobProcessor) async {
        let completions = batch.map(\.0)
        let ids = completions.map(\.executionID)
        let granted =
            processor.isShuttingDown
            ? 0
            : processor.slots.withLock {
                $0.reserve(upTo: processor.configuration.maxConcurrentJobs, freeing: batch.count)
            }
        let results: [UUID: CompletionResult]
        do {
            if granted > 0 {
                let outcome = try await self.store.completeAndClaim(
                    completions,
                    nodeID: processor.configuration.nodeID,
                    claimLimit: granted,
                    jobTypes: processor.registry.jobTypes,
                    leaseDuration: processor.configuration.leaseDuration
                )
                results = outcome.results
                self.endedJobIDs.withLock { $0.formUnion(outcome.endedJobIDs) }
                processor.admit(outcome.claimed, reserved: granted, completed: ids)
            } else {
                let outcome = try await self.store.completeAttemptsReportingJobs(completions)
                results = outcome.results
                self.endedJobIDs.withLock { $0.formUnion(outcome.endedJobIDs) }
            }
        } catch {
            if granted > 0 {
                processor.slots.withLock { $0.release(reserved: granted) }
            }
            for (_, waiter) in batch {
                waiter.resume(throwing: error)
            }
            return
        }
        for (completion, waiter) in batch {
            waiter.resume(returning: results[completion.executionID] ?? .staleLease)
        }
    }
}
