import Logging
import Postgres

extension DatabaseMaintenanceWorker {
    /// The tables the jobs write most, which `VACUUM (ANALYZE)` keeps lean and well planned.
    public static let hotTables = [
        "job_execution", "job_execution_attempt", "job_lock", "job_run",
        "m_loan", "m_loan_repayment_schedule", "m_loan_transaction", "m_loan_account_locks",
        "m_savings_account", "m_savings_account_transaction", "acc_gl_journal_entry",
        "sms_messages_outbound", "scheduled_email_messages_outbound",
    ]

    struct VacuumReport: Sendable {
        var vacuumed: [String] = []
        /// Table → why it was not vacuumed.
        var skipped: [String: String] = [:]
    }

    /// Runs `VACUUM (ANALYZE)` on each hot table this role may vacuum and that was not vacuumed
    /// (by anyone, autovacuum included) within `minimumInterval` minutes.
    ///
    /// VACUUM cannot run inside a transaction, so each table gets a statement of its own outside
    /// any. Only a table's owner (or a superuser) may vacuum it; PostgreSQL merely warns and skips
    /// otherwise, so the rights are checked first, and a table this role may not vacuum is skipped
    /// and reported with a warning rather than failing the run. The tables are shared by all
    /// tenants: the interval keeps a run per tenant from vacuuming the same table again and again.
    func vacuumHotTables(minimumInterval: Int64, logger: Logger) async throws -> VacuumReport {
        let rows = try await self.pool.query(
            """
            SELECT c.relname AS name,
                   pg_has_role(c.relowner, 'USAGE')
                       OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS may_vacuum,
                   coalesce(greatest(s.last_vacuum, s.last_autovacuum)
                            > now() - make_interval(mins => \(minimumInterval)), false) AS recently_vacuumed
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
            WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
              AND c.relname = ANY(\(PostgresArray(Self.hotTables))::text[])
            ORDER BY c.relname
            """
        )
        var report = VacuumReport()
        for row in rows {
            let table: String = try row.decode("name")
            guard try row.decode("may_vacuum", as: Bool.self) else {
                report.skipped[table] = "not the table's owner"
                continue
            }
            if minimumInterval > 0, try row.decode("recently_vacuumed", as: Bool.self) {
                report.skipped[table] = "vacuumed within the last \(minimumInterval) minutes"
                continue
            }
            try Task.checkCancellation()
            do {
                // The name is one of `hotTables`, written here, never input.
                try await self.pool.query(PostgresQuery(unsafeSQL: "VACUUM (ANALYZE) \"\(table)\""))
                report.vacuumed.append(table)
            } catch let error as PostgresError {
                report.skipped[table] = "failed: \(error)"
                logger.warning(
                    "VACUUM failed",
                    metadata: [.dbTable: "\(table)", .dbSQLState: "\(error.sqlState ?? "none")"]
                )
            }
        }
        let unowned = report.skipped.filter { $0.value == "not the table's owner" }.keys.sorted()
        if !unowned.isEmpty {
            logger.warning(
                "VACUUM skipped: the database role does not own these tables",
                metadata: [.dbTable: "\(unowned.joined(separator: ","))"]
            )
        }
        return report
    }
}
