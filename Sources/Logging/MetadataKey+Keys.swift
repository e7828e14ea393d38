/// The one list of metadata keys the service writes; add a key here before using it.
extension Logger.MetadataKey {
    // MARK: Errors
    public static let error = Self("error")
    public static let errorCode = Self("error.code")

    // MARK: Database
    public static let dbSQLState = Self("db.sqlstate")
    public static let dbMessage = Self("db.message")
    public static let dbHost = Self("db.host")
    public static let dbName = Self("db.name")
    public static let dbDataDirectory = Self("db.data_directory")
    public static let dbMigrationVersion = Self("db.migration.version")
    public static let dbMigrationName = Self("db.migration.name")
    public static let dbMigrationsApplied = Self("db.migrations.applied")
    public static let dbPoolSize = Self("db.pool.size")
    public static let dbChannel = Self("db.channel")
    /// A table a maintenance step worked on.
    public static let dbTable = Self("db.table")

    // MARK: HTTP
    public static let httpMethod = Self("http.method")
    public static let httpPath = Self("http.path")
    public static let httpStatus = Self("http.status")
    public static let httpPort = Self("http.port")
    public static let httpHost = Self("http.host")
    public static let httpDurationMilliseconds = Self("http.duration_ms")
    public static let httpTermination = Self("http.termination")
    public static let httpInFlight = Self("http.in_flight")
    public static let httpHeaderName = Self("http.header.name")
    public static let httpLibraryMessage = Self("http.library.message")
    public static let requestID = Self("request.id")

    // MARK: Jobs
    public static let jobID = Self("job.id")
    public static let jobType = Self("job.type")
    public static let jobName = Self("job.name")
    public static let executionID = Self("execution.id")
    public static let executionStatus = Self("execution.status")
    public static let executionAttempt = Self("execution.attempt")
    public static let executionDurationMilliseconds = Self("execution.duration_ms")
    public static let tenantID = Self("tenant.id")
    public static let nodeID = Self("node.id")
    /// The node that held a lease, when it is not the node writing the log.
    public static let leaseNodeID = Self("lease.node.id")
    /// How many executions a step touched (queued, released, told to stop).
    public static let executionCount = Self("execution.count")

    // MARK: Notifications
    /// The id of one queued e-mail or SMS row.
    public static let notificationID = Self("notification.id")
    /// How many queued messages a step handled (a gateway batch).
    public static let notificationCount = Self("notification.count")

    // MARK: Configuration
    public static let config = Self("config")
    public static let configKey = Self("config.key")
}

// MARK: - Financial jobs

extension Logger.MetadataKey {
    /// The business date a financial job works on (`2024-01-31`).
    public static let businessDate = Self("fineract.business_date")
    /// Whether an end of day moved the business date (false when a repeat found it moved already).
    public static let businessDateAdvanced = Self("fineract.business_date.advanced")
    /// The month an end of month closes (`2024-01`).
    public static let closingMonth = Self("fineract.closing_month")
    /// A loan (`m_loan.id`).
    public static let loanID = Self("fineract.loan.id")
    /// How many loans a step or a chunk touched.
    public static let loanCount = Self("fineract.loan.count")
    /// A loan COB business step, by its `m_batch_business_steps` name.
    public static let cobStep = Self("fineract.cob_step")
    /// The `job_run` row of a run of a date-scoped financial job.
    public static let jobRunID = Self("fineract.job_run.id")
    public static let savingsAccountID = Self("fineract.savings_account.id")
    /// The first and last id of the chunk of accounts or loans a step works on.
    public static let chunkFromID = Self("fineract.chunk.from_id")
    public static let chunkToID = Self("fineract.chunk.to_id")
    /// How many savings accounts a run processed, and how many of them failed.
    public static let savingsAccountCount = Self("fineract.savings_account.count")
    public static let failedSavingsAccountCount = Self("fineract.savings_account.failed_count")
}
