public import Foundation
import JobsCore
public import Logging
import Synchronization

/// Claims queued executions and runs them with their workers, up to this node's concurrency limit.
///
/// Besides running attempts the processor keeps their leases alive (renewing every
/// `leaseRenewInterval`), stops any attempt whose lease could not be renewed, and reaps the expired
/// leases of dead nodes. It wakes when work may be waiting: on `wake()` (a NOTIFY, a finished
/// execution) and on a slow poll as a fallback. `beginShutdown()` stops claiming and lets running
/// work finish; cancelling the task that runs `run()` interrupts running work, whose leases
/// `releaseLeases()` then hands back.
public final class JobProcessor: Sendable {
    /// How this node runs work.
    public struct Configuration: Sendable {
        public var nodeID: String
        /// Executions this node runs at once.
        public var maxConcurrentJobs: Int
        /// How often to look for work when no notification arrives.
        public var pollInterval: Duration
        /// How long a claim is valid without renewal; another node takes the work over after it.
        public var leaseDuration: Duration
        /// How often running attempts' leases are renewed; a third of the lease by default.
        public var leaseRenewInterval: Duration
        /// How often this node looks for expired leases of other nodes.
        public var reaperInterval: Duration
        /// How long a worker gets to stop after a timeout or cancel before it is abandoned.
        public var abandonGracePeriod: Duration

        public init(
            nodeID: String,
            maxConcurrentJobs: Int = 10,
            pollInterval: Duration = .seconds(1),
            leaseDuration: Duration = JobStore.defaultLeaseDuration,
            leaseRenewInterval: Duration? = nil,
            reaperInterval: Duration = .seconds(5),
            abandonGracePeriod: Duration = .seconds(5)
        ) {
            precondition(maxConcurrentJobs > 0, "a node must be able to run at least one execution")
            precondition(leaseDuration >= .seconds(1), "a lease shorter than a second cannot be renewed in time")
            self.nodeID = nodeID
            self.maxConcurrentJobs = maxConcurrentJobs
            self.pollInterval = pollInterval
            self.leaseDuration = leaseDuration
            self.leaseRenewInterval = leaseRenewInterval ?? leaseDuration / 3
            self.reaperInterval = reaperInterval
            self.abandonGracePeriod = abandonGracePeriod
        }
    }

    /// Why a running attempt must stop before its worker finished.
    enum StopReason: Sendable {
        case cancelRequested
        case leaseLost
    }

    /// A running attempt, as the lease renewer and cancel requests see it.
    struct RunningAttempt: Sendable {
        var fencingToken: Int64
        var stop: OneShot<StopReason>
    }

    public let configuration: Configuration
    public let metrics: EngineMetrics
    let store: JobStore
    let registry: WorkerRegistry
    let logger: Logger
    private let wakeups: AsyncStream<Void>
    private let wakeupContinuation: AsyncStream<Void>.Continuation
    private let drained = WakeSignal()
    private let stopped = OneShot<Bool>()
    private let attempts = Mutex<[UUID: RunningAttempt]>([:])
    let completions: CompletionBatcher

    public init(
        configuration: Configuration,
        store: JobStore,
        registry: WorkerRegistry,
        metrics: EngineMetrics = EngineMetrics(),
        logger: Logger
    ) {
        self.configuration = configuration
        self.store = store
        self.registry = registry
        self.metrics = metrics
        self.logger = logger
        self.completions = CompletionBatcher(store: store)
        (self.wakeups, self.wakeupContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Executions running on this node right now.
    public var runningCount: Int {
        self.attempts.withLock { $0.count }
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
        let attempt = self.attempts.withLock { $0[executionID] }
        attempt?.stop.fulfil(.cancelRequested)
    }

    /// Claims and runs work until `beginShutdown()` (after running work has finished) or cancellation.
    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask {
                // The fallback poll: work queued without a notification still starts within one interval.
                while !Task.isCancelled {
                    try? await Task.sleep(for: self.configuration.pollInterval)
                    self.wake()
                }
            }
            group.addTask { await self.renewLeasesUntilCancelled() }
            group.addTask { await self.completions.run() }
            group.addTask { await self.reapUntilCancelled() }
            self.wake()
            for await _ in self.wakeups {
                await self.claimAndStart(in: &group)
            }
            // Shutdown: running executions finish, their leases renewed meanwhile; then the loops stop.
            while self.runningCount > 0, !Task.isCancelled {
                await self.drained.wait(atMost: .milliseconds(200))
            }
            group.cancelAll()
        }
        self.stopped.fulfil(true)
    }

    /// Waits until `run()` has returned, for at most `duration`; returns whether it has.
    public func waitUntilStopped(atMost duration: Duration) async -> Bool {
        await self.stopped.wait(atMost: duration) ?? false
    }

    /// Hands back the leases of attempts this node was running when it was forced to stop, so
    /// their executions go back to the queue at once instead of after the lease expires.
    public func releaseLeases() async {
        do {
            let released = try await self.store.releaseLeases(nodeID: self.configuration.nodeID)
            if !released.isEmpty {
                self.logger.info("leases released", metadata: [.workerCount: "\(released.count)"])
            }
        } catch {
            self.logger.warning("could not release leases; they expire on their own", metadata: [.error: "\(error)"])
        }
    }

    private func claimAndStart(in group: inout DiscardingTaskGroup) async {
        let free = self.configuration.maxConcurrentJobs - self.runningCount
        guard free > 0 else { return }
        let claimed: [ClaimedExecution]
        do {
            claimed = try await self.store.claimExecutions(
                nodeID: self.configuration.nodeID,
                limit: free,
                jobTypes: self.registry.jobTypes,
                leaseDuration: self.configuration.leaseDuration
            )
        } catch {
            if !Task.isCancelled {
                self.logger.warning("claiming executions failed", metadata: [.error: "\(error)"])
            }
            return
        }
        guard !claimed.isEmpty else { return }
        self.metrics.recordClaims(claimed.count)
        for claim in claimed {
            let running = RunningAttempt(fencingToken: claim.fencingToken, stop: OneShot())
            self.attempts.withLock { $0[claim.execution.id] = running }
            if claim.execution.cancelRequested {
                running.stop.fulfil(.cancelRequested)
            }
            group.addTask {
                await self.execute(claim, stop: running.stop)
                self.attempts.withLock { _ = $0.removeValue(forKey: claim.execution.id) }
                self.drained.signal()
                self.wake()
            }
        }
        if claimed.count == free {
            // A full batch suggests more is waiting.
            self.wake()
        }
    }

    // MARK: - Leases

    private func renewLeasesUntilCancelled() async {
        var lastSuccess = ContinuousClock.now
        while !Task.isCancelled {
            try? await Task.sleep(for: self.configuration.leaseRenewInterval)
            let held = self.attempts.withLock { attempts in
                attempts.map { (executionID: $0.key, fencingToken: $0.value.fencingToken) }
            }
            guard !held.isEmpty else {
                lastSuccess = ContinuousClock.now
                continue
            }
            do {
                let renewed = try await self.store.renewLeases(held, duration: self.configuration.leaseDuration)
                lastSuccess = ContinuousClock.now
                for lease in held where !renewed.contains(lease.executionID) {
                    self.stopForLostLease(lease.executionID)
                }
            } catch {
                self.logger.warning("lease renewal failed", metadata: [.error: "\(error)"])
                if ContinuousClock.now - lastSuccess >= self.configuration.leaseDuration {
                    // Every lease may have expired and been taken over: no attempt may go on.
                    for lease in held {
                        self.stopForLostLease(lease.executionID)
                    }
                }
            }
        }
    }

    private func stopForLostLease(_ executionID: UUID) {
        let attempt = self.attempts.withLock { $0[executionID] }
        if attempt?.stop.fulfil(.leaseLost) == true {
            self.metrics.recordLeaseLost()
            self.logger.warning(
                "lease lost; stopping the attempt",
                metadata: [.executionID: "\(executionID.uuidString.lowercased())"]
            )
        }
    }

    private func reapUntilCancelled() async {
        while !Task.isCancelled {
            // Jitter spreads the reapers of many nodes apart.
            let jitter = Duration.milliseconds(Int64.random(in: 0...500))
            try? await Task.sleep(for: self.configuration.reaperInterval + jitter)
            guard !Task.isCancelled else { return }
            do {
                let reaped = try await self.store.reapExpiredLeases()
                guard !reaped.isEmpty else { continue }
                self.metrics.recordReaped(reaped.count)
                for execution in reaped {
                    self.logger.info(
                        "expired lease reaped",
                        metadata: [
                            .executionID: "\(execution.executionID.uuidString.lowercased())",
                            .leaseNodeID: "\(execution.nodeID)", .executionStatus: "\(execution.status.rawValue)",
                        ]
                    )
                }
                self.wake()
            } catch {
                self.logger.warning("reaping expired leases failed", metadata: [.error: "\(error)"])
            }
        }
    }
}
