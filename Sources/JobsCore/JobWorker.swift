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

    public init(
        jobID: UUID,
        executionID: UUID,
        tenantID: String?,
        attempt: Int,
        maxAttempts: Int,
        fireTime: Date?,
        nodeID: String,
        logger: Logger,
        progressReporter: @escaping @Sendable (_ done: Int64, _ total: Int64?) async -> Void = { _, _ in }
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
