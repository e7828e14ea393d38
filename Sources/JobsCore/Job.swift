public import Foundation

/// A job definition: what to run, for whom, when and how.
public struct Job: Sendable, Hashable, Identifiable {
    public var id: UUID
    public var name: String
    public var description: String?
    public var jobType: JobType
    /// A Quartz or five-field cron expression; nil when the job has an interval or runs on demand only.
    public var cronExpression: String?
    /// The IANA zone the schedule is read in; nil means the tenant's zone, else UTC.
    public var timezone: String?
    public var executionInterval: ExecutionInterval?
    /// The anchor of interval schedules.
    public var startAt: Date?
    public var priority: Priority
    public var parameters: [String: JSONValue]
    public var maxRetries: Int
    public var timeoutSeconds: Int
    /// The tenant the job runs for; nil means every active tenant.
    public var tenantID: String?
    public var status: JobStatus
    public var statusReason: String?
    public var misfirePolicy: MisfirePolicy
    public var allowOverlap: Bool
    public var nextRunAt: Date?
    public var lastRunAt: Date?
    public var createdBy: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID,
        name: String,
        description: String? = nil,
        jobType: JobType,
        cronExpression: String? = nil,
        timezone: String? = nil,
        executionInterval: ExecutionInterval? = nil,
        startAt: Date? = nil,
        priority: Priority = .medium,
        parameters: [String: JSONValue] = [:],
        maxRetries: Int = JobDefinition.defaultMaxRetries,
        timeoutSeconds: Int = JobDefinition.defaultTimeoutSeconds,
        tenantID: String? = nil,
        status: JobStatus = .active,
        statusReason: String? = nil,
        misfirePolicy: MisfirePolicy = .fireOnce,
        allowOverlap: Bool = false,
        nextRunAt: Date? = nil,
        lastRunAt: Date? = nil,
        createdBy: String? = nil,
        createdAt: Date,
        updatedAt: Date
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.jobType = jobType
        self.cronExpression = cronExpression
        self.timezone = timezone
        self.executionInterval = executionInterval
        self.startAt = startAt
        self.priority = priority
        self.parameters = parameters
        self.maxRetries = maxRetries
        self.timeoutSeconds = timeoutSeconds
        self.tenantID = tenantID
        self.status = status
        self.statusReason = statusReason
        self.misfirePolicy = misfirePolicy
        self.allowOverlap = allowOverlap
        self.nextRunAt = nextRunAt
        self.lastRunAt = lastRunAt
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
