import FineractDomain
import FineractJobs
import Foundation
import Logging
import Postgres
import TestSupport
import Testing

/// A node killed with SIGKILL halfway through a financial run: another node takes the run over and
/// finishes it, nothing is posted twice, and running it again changes nothing.
@Suite(
    "Nightly jobs survive a killed node",
    .enabled(if: TestDatabase.isConfigured, "POSTGRES_HOST is not set; make test starts a PostgreSQL for these tests"),
    .enabled(if: ServiceProcess.executable != nil, "the fineract-jobs binary is not built"),
    .timeLimit(.minutes(5))
)
struct NightlyCrashTests {
    static func startNode(_ name: String, postgres: PostgresConfiguration) throws -> ServiceProcess {
        let logs = FileManager.default.temporaryDirectory.appendingPathComponent("nightly-crash-\(UUID())")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        return try ServiceProcess(
            environment: [
                "POSTGRES_HOST": postgres.host, "POSTGRES_PORT": String(postgres.port),
                "POSTGRES_DB": postgres.database, "POSTGRES_USER": postgres.user, "NODE_ID": name,
                "LOG_LEVEL": "warning", "LOG_FORMAT": "text", "MIGRATIONS_DIR": TestDatabase.migrationsDirectory.path,
                "MAX_CONCURRENT_JOBS": "2", "LEASE_DURATION_SECONDS": "3", "POLL_INTERVAL_MS": "200",
            ],
            port: ServiceProcess.freePort(),
            logPath: logs.appendingPathComponent("\(name).log").path
        )
    }

    /// Every row the job may write, in a stable order.
    static func snapshot(_ pool: PostgresPool, tables: [String]) async throws -> [String] {
        var rows: [String] = []
        for table in tables {
            let result = try await pool.query(
                PostgresQuery(unsafeSQL: "SELECT (to_jsonb(t) - 'updated_at')::text AS row FROM \(table) t ORDER BY 1")
            )
            rows += try result.map { "\(table) " + (try $0.decode("row", as: String.self)) }
        }
        return rows
    }

    static func queueRun(_ pool: PostgresPool, jobType: String, parameters: String) async throws -> UUID {
        try await pool.query(
            """
            WITH job AS (
                INSERT INTO job (name, job_type, status, tenant_id, max_retries, parameters)
                VALUES (\(jobType), \(jobType), 'active', 'bank', 5, \(parameters)::jsonb) RETURNING id, parameters
            )
            INSERT INTO job_execution (job_id, tenant_id, job_type, priority, trigger, parameters, max_attempts,
                                       timeout_seconds)
            SELECT job.id, 'bank', \(jobType), 2, 'manual', job.parameters, 6, 600 FROM job
            RETURNING id
            """
        )[0].decode("id")
    }

    static func waitUntil(_ timeout: Duration, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    @Test(arguments: [
        (
            "loan_cob", #"{"cobDate": "2024-01-31", "chunkSize": 10}"#,
            ["m_loan", "m_loan_repayment_schedule", "m_loan_transaction", "m_loan_charge",
             "m_loan_overdue_installment_charge", "m_loan_delinquency_tag_history", "m_loan_arrears_aging",
             "m_loan_account_locks", "acc_gl_journal_entry", "sms_messages_outbound", "scheduled_email_messages_outbound"]
        ),
        (
            "savings_interest_posting", #"{"businessDate": "2024-02-01", "chunkSize": 10}"#,
            ["m_savings_account", "m_savings_account_transaction", "acc_gl_journal_entry"]
        ),
    ])
    func runKilledHalfwayIsFinishedElsewhereAndPostsNothingTwice(
        jobType: String,
        parameters: String,
        tables: [String]
    ) async throws {
        try await TestDatabase.withMigratedDatabase { pool, postgres in
            var options = DemoDataSeeder.Options(businessDate: LocalDate(year: 2024, month: 2, day: 1))
            options.tenantIDs = ["bank"]
            options.clientsPerTenant = 100
            options.loansPerTenant = jobType == "loan_cob" ? 600 : 0
            options.savingsAccountsPerTenant = jobType == "loan_cob" ? 0 : 600
            let logger = Logger(label: "seed", level: .warning, handler: StreamLogHandler(format: .text))
            _ = try await DemoDataSeeder(pool: pool, logger: logger).seed(options)
            try await pool.query("UPDATE job SET status = 'paused' WHERE created_by = 'seed-demo'")

            let first = try Self.startNode("first", postgres: postgres)
            #expect(await first.waitUntilHealthy(timeout: .seconds(60)))
            let execution = try await Self.queueRun(pool, jobType: jobType, parameters: parameters)
            // Halfway: some chunks have finished, others have not started.
            let halfway = try await Self.waitUntil(.seconds(60)) {
                let rows = try await pool.query(
                    """
                    SELECT count(*) FILTER (WHERE status = 'succeeded') AS done, count(*) AS chunks
                    FROM job_execution WHERE parent_execution_id = \(execution)
                    """
                )
                let done: Int64 = try rows[0].decode("done")
                let chunks: Int64 = try rows[0].decode("chunks")
                return done >= 5 && done < chunks - 10
            }
            #expect(halfway, "the run was not caught halfway")
            first.send(SIGKILL)
            _ = await first.waitForExit(timeout: .seconds(10))

            let second = try Self.startNode("second", postgres: postgres)
            defer { second.send(SIGKILL) }
            #expect(await second.waitUntilHealthy(timeout: .seconds(60)))
            let finished = try await Self.waitUntil(.seconds(120)) {
                let rows = try await pool.query("SELECT status FROM job_execution WHERE id = \(execution)")
                return try rows[0].decode("status", as: String.self) != "running"
                    && (try rows[0].decode("status", as: String.self)) != "queued"
            }
            #expect(finished)
            let parent = try await pool.query(
                "SELECT status, attempt, node_id, error FROM job_execution WHERE id = \(execution)"
            )[0]
            let error: String? = try parent.decode("error")
            #expect(try parent.decode("status", as: String.self) == "succeeded", "\(error ?? "")")
            #expect(try parent.decode("attempt", as: Int.self) == 2, "the second node took the run over")
            #expect(try parent.decode("node_id", as: String.self) == "second")

            let checks = try await pool.query(
                jobType == "loan_cob"
                    ? """
                    SELECT (SELECT count(*) FROM m_loan WHERE last_closed_business_date IS DISTINCT FROM '2024-01-31'
                              AND loan_status_id = 300) AS left_behind,
                           (SELECT count(*) FROM m_loan_account_locks) AS locks,
                           (SELECT count(*) FROM job_run WHERE job_type = 'loan_cob' AND status = 'SUCCEEDED') AS runs
                    """
                    : """
                    SELECT (SELECT count(*) FROM m_savings_account a JOIN m_savings_product p ON p.id = a.product_id
                            WHERE p.interest_posting_period_enum = 4 AND NOT EXISTS (
                                SELECT 1 FROM m_savings_account_transaction t
                                WHERE t.savings_account_id = a.id AND t.transaction_type_enum = 3
                                  AND t.transaction_date = '2024-02-01' AND NOT t.is_reversed)) AS left_behind,
                           (SELECT count(*) FROM m_savings_account_transaction WHERE is_reversed) AS locks,
                           (SELECT count(*) FROM job_run WHERE job_type = 'savings_interest_posting'
                              AND status = 'SUCCEEDED') AS runs
                    """
            )[0]
            #expect(try checks.decode("left_behind", as: Int64.self) == 0)
            #expect(try checks.decode("locks", as: Int64.self) == 0, "no lock left, no posting corrected")
            #expect(try checks.decode("runs", as: Int64.self) == 1)

            // Run again, forced: the data is the same row for row.
            let before = try await Self.snapshot(pool, tables: tables)
            let forced = parameters.replacingOccurrences(of: "}", with: #", "force": true}"#)
            let again = try await Self.queueRun(pool, jobType: jobType, parameters: forced)
            #expect(
                try await Self.waitUntil(.seconds(120)) {
                    let rows = try await pool.query("SELECT status FROM job_execution WHERE id = \(again)")
                    return try rows[0].decode("status", as: String.self) == "succeeded"
                }
            )
            #expect(try await Self.snapshot(pool, tables: tables) == before)
        }
    }
}
