public import Foundation
public import JobsCore
public import Logging
import Synchronization

/// Claims queued executions and runs them with their workers, up to this node's concurrency limit.
///
/// The processor wakes when work may be waiting: on `wake()` (a NOTIFY, a finished execution) and
/// on a slow poll as a fallback. `beginShutdown()` stops claiming and lets running work finish;
/// cancelling the task that runs `run()` cancels running work as well.
public final class JobProcessor: Sendable {
    /// How this node runs work.
    public struct Configuration: Sendable {
        public var nodeID: String
        /// Executions this node runs at once.
        public var maxConcurrentJobs: Int
        /// How often to look for work when no notification arrives.
        public var pollInterval: Duration
        public var leaseDuration: Duration
        public var retryPolicy: RetryPolicy

        public init(
            nodeID: String,
            maxConcurrentJobs: Int = 10,
            pollInterval: Duration = .seconds(1),
            leaseDuration: Duration = JobStore.defaultLeaseDuration,
            retryPolicy: RetryPolicy = RetryPolicy()
        ) {
            precondition(maxConcurrentJobs > 0, "a node must be able to run at least one execution")
            self.nodeID = nodeID
            self.maxConcurrentJobs = maxConcurrentJobs
            self.pollInterval = pollInterval
            self.leaseDuration = leaseDuration
            self.retryPolicy = retryPolicy
        }
    }

    public let configuration: Configuration
    let store: JobStore
    let registry: WorkerRegistry
    let logger: Logger
    private let wakeups: AsyncStream<Void>
    private let wakeupContinuation: AsyncStream<Void>.Continuation
    private let running = Atomic<Int>(0)
    private let cancelSignals = Mutex<[UUID: AsyncStream<Void>.Continuation]>([:])

    public init(configuration: Configuration, store: JobStore, registry: WorkerRegistry, logger: Logger) {
        self.configuration = configuration
        self.store = store
        self.registry = registry
        self.logger = logger
        (self.wakeups, self.wakeupContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Executions running on this node right now.
    func registerCancelSignal(executionID: UUID, continuation: AsyncStream<Void>.Continuation) {
        self.cancelSignals.withLock { $0[executionID] = continuation }
    }

    public var runningCount: Int {
        self.running.load(ordering: .relaxed)
    }

    /// Asks the processor to look for work now.
    public func wake() {
        self.wakeupContinuation.yield()
    }

    /// Stops claiming; `run()` returns once the executions already running have finished.
    public func beginShutdown() {
        self.wakeupContinuation.finish()
    }

    /// Asks the attempt running `executionID` on this node, if any, to stop.
    public func requestCancel(executionID: UUID) {
        let signal = self.cancelSignals.withLock { $0.removeValue(forKey: executionID) }
        signal?.yield()
        signal?.finish()
    }

    /// Claims and runs work until `beginShutdown()` or cancellation.
    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask {
                // The fallback poll: work queued without a notification still starts within one interval.
                while !Task.isCancelled {
                    try? await Task.sleep(for: self.configuration.pollInterval)
                    self.wake()
                }
            }
            self.wake()
            for await _ in self.wakeups {
                let free = self.configuration.maxConcurrentJobs - self.running.load(ordering: .acquiring)
                guard free > 0 else { continue }
                let claimed: [ClaimedExecution]
                do {
                    claimed = try await self.store.claimExecutions(
                        nodeID: self.configuration.nodeID,
                        limit: free,
                        leaseDuration: self.configuration.leaseDuration
                    )
                } catch {
                    self.logger.warning("claiming executions failed", metadata: [.error: "\(error)"])
                    continue
                }
                for claim in claimed {
                    self.running.add(1, ordering: .acquiringAndReleasing)
                    group.addTask {
                        await self.execute(claim)
                        self.running.subtract(1, ordering: .acquiringAndReleasing)
                        self.wake()
                    }
                }
                if claimed.count == free {
                    // A full batch suggests more is waiting.
                    self.wake()
                }
            }
            // Shutdown: stop the poll; running executions finish before the group returns.
            group.cancelAll()
        }
    }
}
