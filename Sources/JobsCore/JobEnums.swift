/// How urgently a job's executions are claimed; `critical` goes first.
public enum Priority: String, Sendable, Hashable, CaseIterable, Codable, Comparable {
    case low
    case medium
    case high
    case critical

    /// The number stored on executions so the claim query can order by it.
    public var rank: Int {
        switch self {
        case .low: 0
        case .medium: 1
        case .high: 2
        case .critical: 3
        }
    }

    public static func < (lhs: Priority, rhs: Priority) -> Bool {
        lhs.rank < rhs.rank
    }
}

/// Where a job definition is in its life.
public enum JobStatus: String, Sendable, Hashable, CaseIterable, Codable {
    /// Inserted (for example through Hasura) and not yet validated and activated.
    case pending
    /// Scheduled and runnable.
    case active
    /// Kept, but schedules nothing until resumed.
    case paused
    /// Stopped for good: schedules nothing and cannot be executed.
    case cancelled
    /// A `once` job that has run.
    case completed
    /// Failed validation; `statusReason` says why.
    case invalid

    /// Whether the job may be executed on demand.
    public var acceptsExecutions: Bool {
        switch self {
        case .active, .paused, .completed: true
        case .pending, .cancelled, .invalid: false
        }
    }
}

/// Where one execution is in its life.
public enum ExecutionStatus: String, Sendable, Hashable, CaseIterable, Codable {
    case queued
    case running
    case succeeded
    case failed
    case cancelled
    case timedOut = "timed_out"

    /// Whether the execution has finished for good.
    public var isTerminal: Bool {
        switch self {
        case .queued, .running: false
        case .succeeded, .failed, .cancelled, .timedOut: true
        }
    }
}

/// What caused an execution.
public enum ExecutionTrigger: String, Sendable, Hashable, CaseIterable, Codable {
    /// A fire time of the job's schedule.
    case schedule
    /// An operator or client asked for it through the API.
    case manual
    /// A Hasura event trigger (a job row was inserted).
    case event
    /// A Hasura cron trigger or one-off scheduled event.
    case cronTrigger = "cron_trigger"
    /// One tenant's share of a job that runs for all tenants.
    case fanOut = "fan_out"
    /// One chunk of a large execution that split its work so any node can take a part.
    case split
}

/// What the scheduler does with fire times that passed while no node was running.
public enum MisfirePolicy: String, Sendable, Hashable, CaseIterable, Codable {
    /// One run stands for all missed fire times.
    case fireOnce = "fire_once"
    /// Missed fire times are dropped; the next future one runs.
    case skip
    /// Every missed fire time runs, up to a bound.
    case catchUp = "catch_up"
}
