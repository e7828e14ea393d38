public import JobsCore
import Synchronization

/// The workers this node can run, by job type.
///
/// Registration normally happens at start-up, but the registry is safe to change at any time.
public final class WorkerRegistry: Sendable {
    private let workers = Mutex<[JobType: any JobWorker]>([:])

    public init() {}

    /// Adds `worker`, replacing any worker registered for the same job type.
    public func registerWorker(_ worker: any JobWorker) {
        precondition(worker.jobType.isWellFormed, "job type '\(worker.jobType)' breaks the naming rule")
        self.workers.withLock { $0[worker.jobType] = worker }
    }

    /// The worker for `jobType`, if one is registered.
    public func worker(for jobType: JobType) -> (any JobWorker)? {
        self.workers.withLock { $0[jobType] }
    }

    /// Every job type with a registered worker.
    public var jobTypes: Set<JobType> {
        self.workers.withLock { Set($0.keys) }
    }
}
