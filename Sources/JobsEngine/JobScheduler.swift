public import Logging

/// Turns due fire times into queued executions; runs on every node, with no leader.
///
/// It sleeps until the earliest stored next run (never longer than `maximumSleep`), or until
/// `wake()` is called because a job was created or changed, then plans every due job.
public final class JobScheduler: Sendable {
    /// How the scheduler behaves.
    public struct Configuration: Sendable {
        /// Longest sleep between passes, so schedules changed without a notification are still seen.
        public var maximumSleep: Duration
        /// How late a fire time may be and still count as on time rather than missed.
        public var misfireThreshold: Duration
        /// The most missed fire times a `catch_up` job runs after an outage.
        public var catchUpLimit: Int
        /// Jobs planned per transaction.
        public var batchSize: Int

        public init(
            maximumSleep: Duration = .seconds(1),
            misfireThreshold: Duration = .seconds(60),
            catchUpLimit: Int = 100,
            batchSize: Int = 200
        ) {
            self.maximumSleep = maximumSleep
            self.misfireThreshold = misfireThreshold
            self.catchUpLimit = catchUpLimit
            self.batchSize = batchSize
        }
    }

    public let configuration: Configuration
    private let store: JobStore
    private let logger: Logger
    private let wakeSignal = WakeSignal()
    /// Called with the count after a pass queued executions, so the processor can start them at once.
    private let onQueued: @Sendable (Int) -> Void

    public init(
        configuration: Configuration,
        store: JobStore,
        logger: Logger,
        onQueued: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.store = store
        self.logger = logger
        self.onQueued = onQueued
    }

    /// Asks for a pass now, because a job was created or its schedule changed.
    public func wake() {
        self.wakeSignal.signal()
    }

    /// Plans due jobs until the calling task is cancelled.
    public func run() async {
        var failures = 0
        while !Task.isCancelled {
            var sleep = self.configuration.maximumSleep
            do {
                let pass = try await self.store.scheduleDueJobs(
                    limit: self.configuration.batchSize,
                    misfireThreshold: self.configuration.misfireThreshold,
                    catchUpLimit: self.configuration.catchUpLimit
                )
                failures = 0
                if pass.executionsQueued > 0 {
                    self.onQueued(pass.executionsQueued)
                    self.logger.debug("scheduled executions", metadata: [.executionCount: "\(pass.executionsQueued)"])
                }
                if pass.jobsInvalidated > 0 {
                    self.logger.warning("jobs with unreadable schedules marked invalid")
                }
                if pass.jobsExamined == self.configuration.batchSize {
                    continue
                }
                if let wait = try await self.store.secondsUntilNextRun() {
                    sleep = min(sleep, .milliseconds(max(0, Int64(wait * 1000))))
                }
            } catch {
                failures += 1
                self.logger.warning("scheduling pass failed", metadata: [.error: "\(error)"])
                sleep = min(.milliseconds(100) * (1 << min(failures, 6)), .seconds(5))
            }
            await self.wakeSignal.wait(atMost: sleep)
        }
    }
}
