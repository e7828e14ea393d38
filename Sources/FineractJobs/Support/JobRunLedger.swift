public import FineractDomain
public import Foundation
public import JobsCore
public import Postgres

/// The business-level record of a financial job's runs in `job_run`: which business date a run is
/// for, whether it is running, and how it ended.
///
/// It carries Fineract's two guards. Only one run of a job type per tenant is RUNNING at a time
/// (Fineract's `currently_running` flag), and a SUCCEEDED run for a business date makes a repeat a
/// no-op unless forced. A run is tied to its engine execution, so a retried attempt resumes the
/// same run (and the same business date) rather than starting another.
public struct JobRunLedger: Sendable {
    /// How a call to `begin` went.
    public enum Start: Sendable {
        /// Work should be done for `businessDate`; `runID` is the row to finish.
        case started(runID: Int64, businessDate: LocalDate?)
        /// A run already succeeded for this date: the repeat does nothing.
        case alreadySucceeded(runID: Int64, stats: JSONValue?)
    }

    public let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Starts the run of `executionID`, or resumes it when an earlier attempt of the same execution
    /// started it, in which case the earlier attempt's business date wins over `businessDate`.
    ///
    /// A RUNNING row left behind by an execution that is no longer running (its node died and the
    /// engine gave up on it, or it was cancelled) is closed as FAILED and taken over.
    ///
    /// - Throws: `JobWorkerError` (`job_already_running`, retryable) while another execution's run
    ///   of this type is in progress for the tenant.
    public func begin(
        tenantID: String,
        jobType: JobType,
        businessDate: LocalDate?,
        executionID: UUID,
        force: Bool = false
    ) async throws -> Start {
        try await self.pool.withTransaction { connection in
            // Serialises starts of one job type for one tenant, so two executions cannot both see
            // "nothing running" and both insert.
            try await connection.query(
                "SELECT pg_advisory_xact_lock(hashtext('job_run'), hashtext(\(tenantID + "/" + jobType.rawValue)))"
            )
            let resumable = try await connection.query(
                """
                SELECT id, business_date FROM job_run
                WHERE tenant_id = \(tenantID) AND job_type = \(jobType.rawValue) AND execution_id = \(executionID)
                  AND status = 'RUNNING'
                """
            )
            if let row = resumable.first {
                try await connection.query(
                    "UPDATE job_run SET attempt = attempt + 1 WHERE id = \(try row.decode("id", as: Int64.self))"
                )
                return .started(runID: try row.decode("id"), businessDate: try row.decode("business_date"))
            }
            let running = try await connection.query(
                """
                SELECT r.id, e.status AS execution_status FROM job_run r
                LEFT JOIN job_execution e ON e.id = r.execution_id
                WHERE r.tenant_id = \(tenantID) AND r.job_type = \(jobType.rawValue) AND r.status = 'RUNNING'
                FOR UPDATE OF r
                """
            )
            if let row = running.first {
                let executionStatus: String? = try row.decode("execution_status")
                guard executionStatus != "running" else {
                    throw JobWorkerError(
                        code: "job_already_running",
                        message: "another \(jobType.rawValue) run is in progress for tenant \(tenantID)"
                    )
                }
                try await connection.query(
                    """
                    UPDATE job_run SET status = 'FAILED', finished_at = now(),
                        error = 'abandoned: its execution ended without finishing the run'
                    WHERE id = \(try row.decode("id", as: Int64.self))
                    """
                )
            }
            if let businessDate, !force {
                let done = try await connection.query(
                    """
                    SELECT id, stats FROM job_run
                    WHERE tenant_id = \(tenantID) AND job_type = \(jobType.rawValue)
                      AND business_date = \(businessDate) AND status = 'SUCCEEDED'
                    """
                )
                if let row = done.first {
                    let stats = try row.decode("stats", as: PostgresJSON?.self)
                    return .alreadySucceeded(
                        runID: try row.decode("id"),
                        stats: try stats.map { try JSONValue(parsing: Data($0.text.utf8)) }
                    )
                }
            }
            let inserted = try await connection.query(
                """
                INSERT INTO job_run (tenant_id, job_type, business_date, status, execution_id)
                VALUES (\(tenantID), \(jobType.rawValue), \(businessDate), 'RUNNING', \(executionID))
                RETURNING id
                """
            )
            return .started(runID: try inserted[0].decode("id"), businessDate: businessDate)
        }
    }

    /// Records how a run ended. A forced repeat of a date that already succeeded keeps the first
    /// success as the date's record and closes the repeat as SUCCEEDED without a date.
    public func finish(runID: Int64, status: Status, stats: JSONValue?, error: String? = nil) async throws {
        let statsJSON = stats.map { PostgresJSON(text: $0.serialized()) }
        try await self.pool.withTransaction { connection in
            let clash = try await connection.query(
                """
                SELECT 1 FROM job_run mine JOIN job_run other
                  ON other.tenant_id = mine.tenant_id AND other.job_type = mine.job_type
                 AND other.business_date = mine.business_date AND other.status = 'SUCCEEDED' AND other.id <> mine.id
                WHERE mine.id = \(runID)
                """
            )
            let keepsDate = status != .succeeded || clash.isEmpty
            try await connection.query(
                """
                UPDATE job_run SET status = \(status.rawValue), finished_at = now(), stats = \(statsJSON)::jsonb,
                    error = \(error), business_date = CASE WHEN \(keepsDate) THEN business_date END
                WHERE id = \(runID)
                """
            )
        }
    }

    /// How a run ended, with Fineract's status names.
    public enum Status: String, Sendable {
        case succeeded = "SUCCEEDED"
        case failed = "FAILED"
        /// Finished, but some accounts or loans failed and were left for another run.
        case partial = "PARTIAL"
    }
}
