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

    /// How an attempt ended: its worker returned or threw, or something stopped it first.
    enum AttemptEnd: Sendable {
        case returned(JSONValue)
        case threw(any Error)
        case timedOut
        case cancelRequested
        case leaseLost
        /// The node is being forced to stop.
        case interrupted
    }

    /// A running attempt, as the lease renewer, the watchdog and cancel requests see it.
    struct RunningAttempt: Sendable {
        var fencingToken: Int64
        /// Fulfilled by whichever comes first: the worker, its timeout, a cancel, a lost lease.
        var end: OneShot<AttemptEnd>
        var deadline: ContinuousClock.Instant
        /// Its outcome is being recorded, which removes the lease; the renewer leaves it alone.
        var isFinishing = false
        /// A parent waiting for its children: its lease is renewed but it holds no slot.
        var isAwaitingChildren = false
    }

    public let configuration: Configuration
    public let metrics: EngineMetrics
    let store: JobStore
    let registry: WorkerRegistry
    let logger: Logger
    /// What wakes the claim loop: a reason to look for work, or executions claimed elsewhere
    /// (with a completion batch) that it must start.
    enum Event: Sendable {
        case wake
        case start([ClaimedExecution])
    }

    private let events: AsyncStream<Event>
    private let eventContinuation: AsyncStream<Event>.Continuation
    private let wakePending = Atomic<Bool>(false)
    private let shuttingDown = Atomic<Bool>(false)
    /// Signalled whenever an attempt ends and frees its slot.
    let drained = WakeSignal()
    private let stopped = OneShot<Bool>()
    let slots: Mutex<SlotLedger>
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
        self.slots = Mutex(SlotLedger(capacity: configuration.maxConcurrentJobs))
        self.completions = CompletionBatcher(store: store)
        (self.events, self.eventContinuation) = AsyncStream.makeStream()
    }

    /// Executions running on this node right now.
    public var runningCount: Int {
        self.slots.withLock { $0.running.count }
    }

    /// Whether the node has stopped claiming.
    var isShuttingDown: Bool {
        self.shuttingDown.load(ordering: .acquiring)
    }

    /// Asks the processor to look for work now; wakes that arrive together count as one.
    public func wake() {
        if !self.wakePending.exchange(true, ordering: .acquiringAndReleasing) {
            self.eventContinuation.yield(.wake)
        }
    }

    /// Stops claiming; `run()` returns once the executions already running have finished.
    public func beginShutdown() {
        self.shuttingDown.store(true, ordering: .releasing)
        self.eventContinuation.finish()
    }

    /// Asks the attempt running `executionID` on this node, if any, to stop.
    public func requestCancel(executionID: UUID) {
        let attempt = self.slots.withLock { $0.running[executionID] }
        attempt?.end.fulfil(.cancelRequested)
    }

    /// Records claimed executions as running; with `deliver`, also hands them to the claim loop to
    /// start, and returns false (forgetting them again) when the loop has stopped taking work.
    @discardableResult
    func admit(
        _ claimed: [ClaimedExecution],
        reserved granted: Int,
        completed: [UUID] = [],
        deliver: Bool = true
    ) -> Bool {
        var entries: [UUID: RunningAttempt] = [:]
        let now = ContinuousClock.now
        for claim in claimed {
            let attempt = RunningAttempt(
                fencingToken: claim.fencingToken,
                end: OneShot(),
                deadline: now + .seconds(claim.execution.timeoutSeconds)
            )
            if claim.execution.cancelRequested {
                attempt.end.fulfil(.cancelRequested)
            }
            entries[claim.execution.id] = attempt
        }
        self.slots.withLock { $0.admit(entries, reserved: granted, completed: completed) }
        guard !claimed.isEmpty else { return true }
        self.metrics.recordClaims(claimed.count)
        guard deliver else { return true }
        if case .terminated = self.eventContinuation.yield(.start(claimed)) {
            // Shutting down: the leases are handed back when the node stops.
            self.slots.withLock { ledger in
                for claim in claimed { ledger.remove(claim.execution.id) }
            }
            return false
        }
        return true
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
            group.addTask { await self.completions.run(for: self) }
            group.addTask { await self.reapUntilCancelled() }
            group.addTask { await self.enforceTimeoutsUntilCancelled() }
            self.wake()
            for await event in self.events {
                switch event {
                case .wake:
                    self.wakePending.store(false, ordering: .releasing)
                    // Started here rather than through the event stream, so a claim that commits as
                    // shutdown begins is still run and not dropped.
                    self.start(await self.claim(), in: &group)
                case .start(let claimed):
                    self.start(claimed, in: &group)
                }
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
                self.logger.info("leases released", metadata: [.executionCount: "\(released.count)"])
            }
        } catch {
            self.logger.warning("could not release leases; they expire on their own", metadata: [.error: "\(error)"])
        }
    }

    private func claim() async -> [ClaimedExecution] {
        guard !self.isShuttingDown else { return [] }
        let granted = self.slots.withLock { $0.reserve(upTo: self.configuration.maxConcurrentJobs) }
        guard granted > 0 else { return [] }
        do {
            let claimed = try await self.store.claimExecutions(
                nodeID: self.configuration.nodeID,
                limit: granted,
                jobTypes: self.registry.jobTypes,
                leaseDuration: self.configuration.leaseDuration
            )
            self.admit(claimed, reserved: granted, deliver: false)
            if claimed.count == granted {
                // A full batch suggests more is waiting.
                self.wake()
            }
            return claimed
        } catch {
            self.slots.withLock { $0.release(reserved: granted) }
            if !Task.isCancelled {
                self.logger.warning("claiming executions failed", metadata: [.error: "\(error)"])
            }
            return []
        }
    }

    private func start(_ claimed: [ClaimedExecution], in group: inout DiscardingTaskGroup) {
        for claim in claimed {
            guard let attempt = self.slots.withLock({ $0.running[claim.execution.id] }) else { continue }
            group.addTask {
                await self.execute(claim, end: attempt.end)
                self.slots.withLock { $0.remove(claim.execution.id) }
                self.drained.signal()
                self.wake()
            }
        }
    }

    // MARK: - Leases

    private func renewLeasesUntilCancelled() async {
        var lastSuccess = ContinuousClock.now
        while !Task.isCancelled {
            try? await Task.sleep(for: self.configuration.leaseRenewInterval)
            let held = self.slots.withLock { ledger in
                ledger.running.filter { !$0.value.isFinishing }
                    .map { (executionID: $0.key, fencingToken: $0.value.fencingToken) }
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
        let attempt = self.slots.withLock { $0.running[executionID] }
        if let attempt, !attempt.isFinishing, attempt.end.fulfil(.leaseLost) {
            self.metrics.recordLeaseLost()
            self.logger.warning(
                "lease lost; stopping the attempt",
                metadata: [.executionID: "\(executionID.uuidString.lowercased())"]
            )
        }
    }

    /// One watchdog for every attempt's timeout, rather than a timer per attempt.
    private func enforceTimeoutsUntilCancelled() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(100))
            let now = ContinuousClock.now
            let overdue = self.slots.withLock { ledger in
                ledger.running.values.filter { !$0.isFinishing && $0.deadline <= now }.map(\.end)
            }
            for end in overdue {
                end.fulfil(.timedOut)
            }
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
