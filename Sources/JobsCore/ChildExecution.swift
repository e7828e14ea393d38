public import Foundation

/// A part of an execution that any node may run: one tenant's share of a job that runs for all
/// tenants, or one chunk of a large job's accounts or loans.
public struct ChildExecutionRequest: Sendable, Hashable {
    /// Unique among the children of one execution; the same key always names the same child.
    public var key: String
    /// The tenant the child runs for; nil keeps the parent's tenant.
    public var tenantID: String?
    /// The job type the child runs as; nil keeps the parent's.
    public var jobType: JobType?
    public var parameters: [String: JSONValue]
    public var trigger: ExecutionTrigger
    /// How much work the child holds (loans, accounts), when the parent knows it as it splits.
    ///
    /// The child starts with this as its progress total and nothing done, so the parent, which
    /// shows its children's progress summed, shows the whole run's total from the start instead of
    /// the total of the children that happen to have started.
    public var progressTotal: Int64?

    public init(
        key: String,
        tenantID: String? = nil,
        jobType: JobType? = nil,
        parameters: [String: JSONValue],
        trigger: ExecutionTrigger = .split,
        progressTotal: Int64? = nil
    ) {
        precondition(!key.isEmpty && key.count <= 200, "a child key has 1 to 200 characters")
        precondition(progressTotal.map { $0 >= 0 } ?? true, "a progress total is not negative")
        self.key = key
        self.tenantID = tenantID
        self.jobType = jobType
        self.parameters = parameters
        self.trigger = trigger
        self.progressTotal = progressTotal
    }
}

/// How a child execution ended.
public struct ChildExecutionOutcome: Sendable, Hashable {
    public var key: String
    public var executionID: UUID
    public var tenantID: String?
    /// A final status: succeeded, failed, cancelled or timed out.
    public var status: ExecutionStatus
    public var result: JSONValue?
    public var error: String?
    public var errorCode: String?

    public init(
        key: String,
        executionID: UUID,
        tenantID: String?,
        status: ExecutionStatus,
        result: JSONValue?,
        error: String?,
        errorCode: String?
    ) {
        self.key = key
        self.executionID = executionID
        self.tenantID = tenantID
        self.status = status
        self.result = result
        self.error = error
        self.errorCode = errorCode
    }
}
