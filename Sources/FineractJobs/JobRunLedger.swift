public import FineractDomain
public import Foundation
public import JobsCore
public import Postgres

/// The `job_run` bookkeeping of a date-scoped financial job: one row per tenant, job type and
/// business date, the Fineract `currently_running` guard, and "already done for this date".
///
/// - Only one run of a job type is RUNNING per tenant (`ux_job_run_running`). A RUNNING row is
///   taken over when the execution it names is no longer running (or is the caller's own, a retry
///   after a crash), or when it names none (a run started outside the engine): it is closed as
///   FAILED, and reused at once when it was for the same date.
/// - A date that already SUCCEEDED is not run again unless forced; a forced run, or a run after a
///   FAILED or PARTIAL one, reuses that date's row and counts an attempt, so each date keeps one
///   row whose `attempt` tells how often it ran.
public struct JobRunLedger: Sendable {
    public enum Status: String, Sendable {
        case running = "RUNNING"
        case succeeded = "SUCCEEDED"
        case failed = "FAILED"
        case partial = "PARTIAL"
    }

    /// The outcome of asking to start a run.
    public enum Start: Sendable, Equatable {
        /// The caller owns the run with this `job_run.id`.
        case started(runID: Int64)
        /// The date already succeeded; its row and stored statistics.
        case alreadySucceeded(runID: Int64, stats: JSONValue?)
    }

    public let pool: PostgresPool
    public let tenantID: String
    public let jobType: JobType

    public init(pool: PostgresPool, tenantID: String, jobType: JobType) {
        self.pool = pool
        self.tenantID = tenantID
        self.jobType = jobType
    }

    /// Starts (or takes over) the run for `businessDate`.
    ///
    /// - Throws: `JobWorkerError` (`already_running`, retryable) while another execution runs this
    ///   job type for the tenant.
    public func start(businessDate: LocalDate, executionID: UUID, force: Bool) async throws -> Start {
        do {
            return try await self.pool.withTransaction { connection in
                try await self.closeAbandonedRun(executionID: executionID, on: connection)
                let existing = try await connection.query(
                    """
                    SELECT id, status, stats FROM job_run
                    WHERE tenant_id = \(self.tenantID) AND job_type = \(self.jobType.rawValue)
                      AND business_date = \(businessDate.postgresDate)
                    ORDER BY (status = 'SUCCEEDED') DESC, id DESC LIMIT 1 FOR UPDATE
                    """
                )
                if let row = existing.first {
                    let runID: Int64 = try row.decode("id")
                    let status: String = try row.decode("status")
                    if status == Status.succeeded.rawValue && !force {
                        let stats = try row.decode("stats", as: PostgresJSON?.self)
                        return .alreadySucceeded(runID: runID, stats: try stats.map { try $0.decode(JSONValue.self) })
                    }
                    try await connection.query(
                        """
                        UPDATE job_run SET status = 'RUNNING', attempt = attempt + 1, started_at = now(),
                            finished_at = NULL, error = NULL,
                            execution_id = (SELECT e.id FROM job_execution e WHERE e.id = \(executionID))
                        WHERE id = \(runID)
                        """
                    )
                    return .started(runID: runID)
                }
                let inserted = try await connection.query(
                    """
                    INSERT INTO job_run (tenant_id, job_type, business_date, status, execution_id)
                    VALUES (\(self.tenantID), \(self.jobType.rawValue), \(businessDate.postgresDate), 'RUNNING',
                        (SELECT e.id FROM job_execution e WHERE e.id = \(executionID)))
                    RETURNING id
                    """
                )
                return .started(runID: try inserted[0].decode("id"))
            }
        } catch let error as PostgresError where error.isUniqueViolation {
            // Another node started the same job type between our look and our write.
            throw self.alreadyRunning()
        }
    }

    /// Records how the run ended.
    public func finish(runID: Int64, status: Status, stats: JSONValue, error: String? = nil) async throws {
        try await self.pool.query(
            """
            UPDATE job_run SET status = \(status.rawValue), finished_at = now(),
                stats = \(PostgresJSON(text: stats.serialized()))::jsonb, error = \(error)
            WHERE id = \(runID)
            """
        )
    }

    /// Closes a RUNNING row whose execution has stopped, or fails when one is live.
    private func closeAbandonedRun(executionID: UUID, on connection: PostgresConnection) async throws {
        let running = try await connection.query(
            """
            SELECT r.id, r.execution_id, e.status AS execution_status
            FROM job_run r LEFT JOIN job_execution e ON e.id = r.execution_id
            WHERE r.tenant_id = \(self.tenantID) AND r.job_type = \(self.jobType.rawValue) AND r.status = 'RUNNING'
            FOR UPDATE OF r
            """
        )
        guard let row = running.first else { return }
        let owner: UUID? = try row.decode("execution_id")
        let ownerStatus: String? = try row.decode("execution_status")
        let isLive = owner != nil && owner != executionID && ownerStatus == "running"
        guard !isLive else { throw self.alreadyRunning() }
        // Closed as FAILED; when it was for the same date, the caller reuses it straight away.
        let runID: Int64 = try row.decode("id")
        try await connection.query(
            """
            UPDATE job_run SET status = 'FAILED', finished_at = now(),
                error = 'abandoned: its execution stopped before the run finished'
            WHERE id = \(runID)
            """
        )
    }

    private func alreadyRunning() -> JobWorkerError {
        JobWorkerError(
            code: "already_running",
            message: "another \(self.jobType) run is in progress for tenant \(self.tenantID)",
            isRetryable: true
        )
    }
}
