public import Foundation
public import Logging

/// Does the work of one job type.
///
/// The engine calls `process` once per attempt of an execution. A worker honours cancellation
/// (timeouts and operator cancels cancel the task), reports failures by throwing, and marks errors
/// that a retry cannot fix with `JobWorkerError(isRetryable: false)`. Financial workers must be
/// idempotent: a retry after a crash must not post anything twice.
public protocol JobWorker: Sendable {
    /// The job type this worker runs.
    var jobType: JobType { get }

    /// Runs one attempt.
    ///
    /// - Parameters:
    ///   - parameters: the job's parameters, with any per-execution overrides applied.
    ///   - context: the tenant, execution, logger and progress reporting of this attempt.
    /// - Returns: a JSON result stored on the execution.
    /// - Throws: any error to fail the attempt; `JobWorkerError` to control retrying.
    func process(parameters: [String: JSONValue], context: JobContext) async throws -> JSONValue

    /// Whether an execution of a job with no tenant (`tenantId` null) runs once per active tenant.
    ///
    /// True for work on tenant data: the engine then runs one child execution per active tenant and
    /// the parent reports their outcome. False for work on the installation itself, which runs once.
    var runsPerTenant: Bool { get }
}

extension JobWorker {
    public var runsPerTenant: Bool { true }
}

/// What a worker knows about the attempt it runs.
public struct JobContext: Sendable {
    public var jobID: UUID
    public var executionID: UUID
    /// The tenant this attempt runs for; nil only for jobs that act on the whole installation.
    public var tenantID: String?
    /// 1 for the first attempt.
    public var attempt: Int
    public var maxAttempts: Int
    /// The fire time this execution is for, when it came from the schedule.
    public var fireTime: Date?
    public var nodeID: String
    /// Already carries `job.id`, `execution.id`, `job.type` and `tenant.id`.
    public var logger: Logger
    private let progressReporter: @Sendable (_ done: Int64, _ total: Int64?) async -> Void
    private let childRunner: (@Sendable ([ChildExecutionRequest]) async throws -> [ChildExecutionOutcome])?

    public init(
        jobID: UUID,
        executionID: UUID,
        tenantID: String?,
        attempt: Int,
        maxAttempts: Int,
        fireTime: Date?,
        nodeID: String,
        logger: Logger,
        progressReporter: @escaping @Sendable (_ done: Int64, _ total: Int64?) async -> Void = { _, _ in },
        childRunner: (@Sendable ([ChildExecutionRequest]) async throws -> [ChildExecutionOutcome])? = nil
    ) {
        self.jobID = jobID
        self.executionID = executionID
        self.tenantID = tenantID
        self.attempt = attempt
        self.maxAttempts = maxAttempts
        self.fireTime = fireTime
        self.nodeID = nodeID
        self.logger = logger
        self.progressReporter = progressReporter
        self.childRunner = childRunner
    }

    /// Whether `runChildren` is available: true inside the engine, false when a worker is called
    /// directly (a test, a command-line run), where it should do all its work in-process.
    public var canRunChildren: Bool {
        self.childRunner != nil
    }

    /// Runs `children` as executions of their own, which any node may claim, and waits until every
    /// one has ended.
    ///
    /// Children are created once per key: an attempt retried after its node died finds the children
    /// the earlier attempt created (finished or not) and waits for them instead of creating more.
    /// While it waits the attempt gives up its slot on this node. Cancelling the attempt cancels the
    /// children that have not ended.
    ///
    /// - Returns: every child's outcome, in the order of `children`.
    public func runChildren(_ children: [ChildExecutionRequest]) async throws -> [ChildExecutionOutcome] {
        guard let childRunner = self.childRunner else {
            preconditionFailure("runChildren needs the engine; check canRunChildren first")
        }
        let keys = Set(children.map(\.key))
        precondition(keys.count == children.count, "child keys must be unique within one execution")
        return try await childRunner(children)
    }

    /// Records how far the attempt has come, visible on the execution while it runs.
    public func reportProgress(done: Int64, total: Int64?) async {
        await self.progressReporter(done, total)
    }

    /// Throws `CancellationError` when the attempt was cancelled or timed out.
    public func checkCancellation() throws {
        try Task.checkCancellation()
    }
}

/// A failure a worker reports on purpose, with a stable code and whether retrying can help.
public struct JobWorkerError: Error, Sendable, CustomStringConvertible {
    /// A stable, machine-readable code such as `gateway_unreachable`.
    public var code: String
    public var message: String
    /// False for failures a retry cannot fix (bad parameters, missing data).
    public var isRetryable: Bool
    public var file: String
    public var line: UInt

    public init(code: String, message: String, isRetryable: Bool = true, file: String = #fileID, line: UInt = #line) {
        self.code = code
        self.message = message
        self.isRetryable = isRetryable
        self.file = file
        self.line = line
    }

    public var description: String { "\(self.code): \(self.message)" }
}
