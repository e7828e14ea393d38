import FineractDomain
import Postgres

/// The deletes of `database_maintenance` for one tenant, each run in batches until nothing is left.
struct RetentionPurge: Sendable {
    let pool: PostgresPool
    let tenantID: String
    /// The tenant's IANA time zone, in which a timestamp's calendar day is read.
    let timeZone: String
    /// Rows dated before this day are old enough to delete.
    let cutoff: LocalDate
    let batchSize: Int

    /// `job_run` rows other than RUNNING dated before the cutoff.
    func deleteJobRuns() async throws -> Int64 {
        try await self.deleteInBatches(
            """
            DELETE FROM job_run WHERE id IN (
                SELECT id FROM job_run
                WHERE tenant_id = \(self.tenantID) AND status <> 'RUNNING'
                  AND coalesce(business_date, (started_at AT TIME ZONE \(self.timeZone))::date)
                      < \(self.cutoff.postgresDate)
                LIMIT \(self.batchSize))
            """
        )
    }

    /// E-mails SENT, DELIVERED or FAILED dated before the cutoff.
    func deleteFinishedEmails() async throws -> Int64 {
        try await self.deleteInBatches(
            """
            DELETE FROM scheduled_email_messages_outbound WHERE id IN (
                SELECT id FROM scheduled_email_messages_outbound
                WHERE tenant_id = \(self.tenantID) AND status_enum IN (200, 300, 400)
                  AND coalesce(submittedon_date, (next_attempt_at AT TIME ZONE \(self.timeZone))::date)
                      < \(self.cutoff.postgresDate)
                LIMIT \(self.batchSize))
            """
        )
    }

    /// SMS SENT, DELIVERED or FAILED dated before the cutoff.
    func deleteFinishedSMS() async throws -> Int64 {
        try await self.deleteInBatches(
            """
            DELETE FROM sms_messages_outbound WHERE id IN (
                SELECT id FROM sms_messages_outbound
                WHERE tenant_id = \(self.tenantID) AND status_enum IN (200, 300, 400)
                  AND coalesce(submittedon_date, (next_attempt_at AT TIME ZONE \(self.timeZone))::date)
                      < \(self.cutoff.postgresDate)
                LIMIT \(self.batchSize))
            """
        )
    }

    /// Loan locks that carry an error; the loans are picked up again by the next COB.
    func deleteFailedLoanLocks() async throws -> Int64 {
        let rows = try await self.pool.query(
            "DELETE FROM m_loan_account_locks WHERE tenant_id = \(self.tenantID) AND error IS NOT NULL"
        )
        return Int64(rows.affectedRows)
    }

    /// Finished executions of the tenant that ended more than `days` days ago (their attempts go
    /// with them), except the latest top-level execution of each job and its children, and any
    /// child whose parent has not finished. Then executions without a tenant (the parents of jobs
    /// for all tenants) that are old and finished and have no children left.
    func deleteExecutions(olderThanDays days: Int64) async throws -> Int64 {
        let finished = "('succeeded', 'failed', 'cancelled', 'timed_out')"
        let own = try await self.deleteInBatches(
            """
            DELETE FROM job_execution WHERE id IN (
                SELECT e.id FROM job_execution e
                LEFT JOIN job_execution p ON p.id = e.parent_execution_id
                WHERE e.tenant_id = \(self.tenantID) AND e.status IN \(unescaped: finished)
                  AND e.finished_at < now() - make_interval(days => \(days))
                  AND e.id IS DISTINCT FROM \(unescaped: Self.latestExecution(ofJobOf: "e"))
                  AND (p.id IS NULL OR (p.status IN \(unescaped: finished)
                       AND p.id IS DISTINCT FROM \(unescaped: Self.latestExecution(ofJobOf: "p"))))
                LIMIT \(self.batchSize))
            """
        )
        let parents = try await self.deleteInBatches(
            """
            DELETE FROM job_execution WHERE id IN (
                SELECT e.id FROM job_execution e
                WHERE e.tenant_id IS NULL AND e.parent_execution_id IS NULL AND e.status IN \(unescaped: finished)
                  AND e.finished_at < now() - make_interval(days => \(days))
                  AND e.id IS DISTINCT FROM \(unescaped: Self.latestExecution(ofJobOf: "e"))
                  AND NOT EXISTS (SELECT 1 FROM job_execution c WHERE c.parent_execution_id = e.id)
                LIMIT \(self.batchSize))
            """
        )
        return own + parents
    }

    /// SQL for the latest top-level execution of the job of the execution aliased `alias`; it is
    /// kept, so every job keeps its last outcome.
    private static func latestExecution(ofJobOf alias: String) -> String {
        """
        (SELECT l.id FROM job_execution l
         WHERE l.job_id = \(alias).job_id AND l.parent_execution_id IS NULL
         ORDER BY l.queued_at DESC, l.id DESC LIMIT 1)
        """
    }

    /// Runs `statement` until it deletes fewer rows than a batch; each run commits on its own.
    private func deleteInBatches(_ statement: PostgresQuery) async throws -> Int64 {
        var total: Int64 = 0
        while true {
            try Task.checkCancellation()
            let deleted = try await self.pool.query(statement).affectedRows
            total += Int64(deleted)
            if deleted < self.batchSize {
                return total
            }
        }
    }
}
