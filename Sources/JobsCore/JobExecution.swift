public import Foundation

/// One run of a job: for one fire time or one request, with every attempt.
public struct JobExecution: Sendable, Hashable, Identifiable {
    public var id: UUID
    public var jobID: UUID
    public var parentExecutionID: UUID?
    public var tenantID: String?
    public var jobType: JobType
    public var priority: Priority
    public var status: ExecutionStatus
    public var trigger: ExecutionTrigger
    public var fireTime: Date?
    public var isCatchUp: Bool
    public var parameters: [String: JSONValue]
    /// Attempts started so far.
    public var attempt: Int
    public var maxAttempts: Int
    public var runAfter: Date
    public var timeoutSeconds: Int
    public var nodeID: String?
    public var idempotencyKey: String?
    public var cancelRequested: Bool
    public var progressDone: Int64?
    public var progressTotal: Int64?
    public var result: JSONValue?
    public var error: String?
    public var errorCode: String?
    public var queuedAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    public var attempts: [ExecutionAttempt]
    /// For a child: its key among its siblings (`tenant:<id>` for a tenant's share, or a chunk).
    public var childKey: String?
    /// For a parent: its children, without their attempts (read each child for those).
    public var children: [JobExecution]

    public init(
        id: UUID,
        jobID: UUID,
        parentExecutionID: UUID? = nil,
        tenantID: String?,
        jobType: JobType,
        priority: Priority,
        status: ExecutionStatus,
        trigger: ExecutionTrigger,
        fireTime: Date? = nil,
        isCatchUp: Bool = false,
        parameters: [String: JSONValue] = [:],
        attempt: Int = 0,
        maxAttempts: Int,
        runAfter: Date,
        timeoutSeconds: Int,
        nodeID: String? = nil,
        idempotencyKey: String? = nil,
        cancelRequested: Bool = false,
        progressDone: Int64? = nil,
        progressTotal: Int64? = nil,
        result: JSONValue? = nil,
        error: String? = nil,
        errorCode: String? = nil,
        queuedAt: Date,
        startedAt: Date? = nil,
        finishedAt: Date? = nil,
        attempts: [ExecutionAttempt] = [],
        childKey: String? = nil,
        children: [JobExecution] = []
    ) {
        self.id = id
        self.jobID = jobID
        self.parentExecutionID = parentExecutionID
        self.tenantID = tenantID
        self.jobType = jobType
        self.priority = priority
        self.status = status
        self.trigger = trigger
        self.fireTime = fireTime
        self.isCatchUp = isCatchUp
        self.parameters = parameters
        self.attempt = attempt
        self.maxAttempts = maxAttempts
        self.runAfter = runAfter
        self.timeoutSeconds = timeoutSeconds
        self.nodeID = nodeID
        self.idempotencyKey = idempotencyKey
        self.cancelRequested = cancelRequested
        self.progressDone = progressDone
        self.progressTotal = progressTotal
        self.result = result
        self.error = error
        self.errorCode = errorCode
        self.queuedAt = queuedAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.attempts = attempts
        self.childKey = childKey
        self.children = children
    }
}

/// One attempt of an execution on one node.
public struct ExecutionAttempt: Sendable, Hashable {
    /// How an attempt ended.
    public enum Status: String, Sendable, Hashable, CaseIterable, Codable {
        case running
        case succeeded
        case failed
        case timedOut = "timed_out"
        case cancelled
        /// Its node died or lost the lease before it finished.
        case lost
    }

    public var attempt: Int
    public var nodeID: String
    public var status: Status
    public var startedAt: Date
    public var finishedAt: Date?
    public var error: String?
    public var errorCode: String?

    public init(
        attempt: Int,
        nodeID: String,
        status: Status,
        startedAt: Date,
        finishedAt: Date? = nil,
        error: String? = nil,
        errorCode: String? = nil
    ) {
        self.attempt = attempt
        self.nodeID = nodeID
        self.status = status
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.error = error
        self.errorCode = errorCode
    }
}
