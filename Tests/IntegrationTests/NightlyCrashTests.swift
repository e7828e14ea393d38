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
    /// One split run to kill halfway.
    struct CrashCase: Sendable, CustomTestStringConvertible {
        var jobType: String
        /// The run's parameters as JSON; small chunks, so there is a halfway to be caught.
        var parameters: String
        var loans = 0
        var savingsAccounts = 0
        /// The tables the run may write; every other Fineract table must be left as it was.
        var writes: Set<String>
        /// The tables the run must have written, so the checks of what it wrote are not idle.
        var mustWrite: Set<String>
        /// A query counting, as `n`, what the finished run should have done and did not.
        var leftBehind: String

        var testDescription: String { self.jobType }
    }

    static let loanTables: Set<String> = [
        "m_loan", "m_loan_repayment_schedule", "m_loan_transaction", "m_loan_charge",
        "m_loan_overdue_installment_charge", "m_loan_delinquency_tag_history", "m_loan_arrears_aging",
        "m_loan_account_locks", "acc_gl_journal_entry", "sms_messages_outbound", "scheduled_email_messages_outbound",
    ]

    static let cases: [CrashCase] = [
        CrashCase(
            jobType: "loan_cob",
            parameters: #"{"cobDate": "2024-01-31", "chunkSize": 10}"#,
            loans: 600,
            writes: Self.loanTables,
            mustWrite: ["m_loan", "m_loan_transaction", "acc_gl_journal_entry"],
            leftBehind: """
                SELECT count(*) AS n FROM m_loan
                WHERE last_closed_business_date IS DISTINCT FROM '2024-01-31' AND loan_status_id = 300
                """
        ),
        CrashCase(
            jobType: "loan_interest_posting",
            parameters: #"{"tillDate": "2024-02-01", "chunkSize": 10}"#,
            loans: 600,
            writes: ["m_loan", "m_loan_repayment_schedule", "m_loan_transaction", "acc_gl_journal_entry"],
            mustWrite: ["m_loan", "m_loan_transaction", "acc_gl_journal_entry"],
            leftBehind: """
                SELECT count(*) AS n FROM m_loan l JOIN m_product_loan p ON p.id = l.product_id
                WHERE l.loan_status_id = 300 AND p.accounting_type = 3 AND NOT l.is_npa AND NOT l.is_charged_off
                  AND l.accrued_till IS DISTINCT FROM '2024-02-01'
                """
        ),
        CrashCase(
            jobType: "savings_interest_posting",
            parameters: #"{"businessDate": "2024-02-01", "chunkSize": 10}"#,
            savingsAccounts: 600,
            writes: ["m_savings_account", "m_savings_account_transaction", "acc_gl_journal_entry"],
            mustWrite: ["m_savings_account", "m_savings_account_transaction", "acc_gl_journal_entry"],
            leftBehind: """
                SELECT count(*) AS n FROM m_savings_account a JOIN m_savings_product p ON p.id = a.product_id
                WHERE p.interest_posting_period_enum = 4 AND NOT EXISTS (
                    SELECT 1 FROM m_savings_account_transaction t
                    WHERE t.savings_account_id = a.id AND t.transaction_type_enum = 3
                      AND t.transaction_date = '2024-02-01' AND NOT t.is_reversed)
                """
        ),
        CrashCase(
            jobType: "savings_interest_calculation",
            parameters: #"{"asOf": "2024-02-01", "chunkSize": 10}"#,
            savingsAccounts: 600,
            writes: ["m_savings_account"],
            mustWrite: ["m_savings_account"],
            leftBehind: """
                SELECT count(*) AS n FROM m_savings_account
                WHERE status_enum = 300 AND nominal_annual_interest_rate > 0
                  AND last_interest_calculation_date IS DISTINCT FROM '2024-02-01'
                """
        ),
    ]

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

    /// The demo bank of one tenant, `bank`, on 2024-02-01 (COB date 2024-01-31), its own jobs paused.
    static func seed(_ pool: PostgresPool, loans: Int, savingsAccounts: Int) async throws {
        var options = DemoDataSeeder.Options(businessDate: LocalDate(year: 2024, month: 2, day: 1))
        options.tenantIDs = ["bank"]
        options.clientsPerTenant = 100
        options.loansPerTenant = loans
        options.savingsAccountsPerTenant = savingsAccounts
        let logger = Logger(label: "seed", level: .warning, handler: StreamLogHandler(format: .text))
        _ = try await DemoDataSeeder(pool: pool, logger: logger).seed(options)
        try await pool.query("UPDATE job SET status = 'paused' WHERE created_by = 'seed-demo'")
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

    static func status(_ pool: PostgresPool, _ execution: UUID) async throws -> String {
        try await pool.query("SELECT status FROM job_execution WHERE id = \(execution)")[0].decode("status")
    }

    /// Waits (generously, for a loaded machine) until `execution` has ended, and returns how.
    static func waitForEnd(_ pool: PostgresPool, _ execution: UUID) async throws -> String {
        var status = "queued"
        _ = try await Self.waitUntil(.seconds(120)) {
            status = try await Self.status(pool, execution)
            return !["queued", "running"].contains(status)
        }
        return status
    }

    /// Checks that the execution ended well on node `second` at its second attempt.
    static func expectTakenOver(
        _ pool: PostgresPool,
        _ execution: UUID,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let row = try await pool.query(
            "SELECT status, attempt, node_id, error FROM job_execution WHERE id = \(execution)"
        )[0]
        let error: String? = try row.decode("error")
        #expect(
            try row.decode("status", as: String.self) == "succeeded",
            "\(error ?? "")",
            sourceLocation: sourceLocation
        )
        #expect(
            try row.decode("attempt", as: Int.self) == 2,
            "the second node took the run over",
            sourceLocation: sourceLocation
        )
        #expect(try row.decode("node_id", as: String.self) == "second", sourceLocation: sourceLocation)
    }

    /// Counts what a run that posted something twice would leave: two live accruals of a loan on
    /// one date or two live postings of an account on one date, an accrual or posting whose journal
    /// entries do not debit and credit exactly its amount, two entries of one transaction on the
    /// same side of the same GL account (each run posts a date once), journal entries of no live
    /// transaction,
    /// a lock left behind, a reversed posting (a correction where nothing needed correcting), and a
    /// loan whose schedule's accrued figures moved other than by its new accruals (`accrualGaps`,
    /// taken before the run).
    static func expectNothingPostedTwice(
        _ pool: PostgresPool,
        accrualGaps: [Int64: Decimal],
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let row = try await pool.query(
            """
            SELECT
              (SELECT count(*) FROM (SELECT 1 FROM m_loan_transaction
                 WHERE transaction_type_enum = 10 AND NOT is_reversed
                 GROUP BY loan_id, transaction_date HAVING count(*) > 1) d) AS loan_accruals_twice,
              (SELECT count(*) FROM (SELECT 1 FROM m_savings_account_transaction
                 WHERE transaction_type_enum IN (3, 17) AND NOT is_reversed
                 GROUP BY savings_account_id, transaction_type_enum, transaction_date HAVING count(*) > 1) d)
                 AS savings_postings_twice,
              (SELECT count(*) FROM m_loan_transaction t
                 WHERE t.transaction_type_enum = 10 AND NOT t.is_reversed
                   AND (SELECT ARRAY[coalesce(sum(j.amount) FILTER (WHERE j.type_enum = 2), 0),
                                     coalesce(sum(j.amount) FILTER (WHERE j.type_enum = 1), 0)]
                        FROM acc_gl_journal_entry j WHERE j.loan_transaction_id = t.id AND NOT j.reversed)
                       <> ARRAY[t.amount, t.amount]) AS loan_journal_mismatches,
              (SELECT count(*) FROM m_savings_account_transaction t
                 JOIN m_savings_account a ON a.id = t.savings_account_id
                 JOIN m_savings_product p ON p.id = a.product_id
                 WHERE t.transaction_type_enum IN (3, 17) AND NOT t.is_reversed AND p.accounting_type <> 1
                   AND (SELECT ARRAY[coalesce(sum(j.amount) FILTER (WHERE j.type_enum = 2), 0),
                                     coalesce(sum(j.amount) FILTER (WHERE j.type_enum = 1), 0)]
                        FROM acc_gl_journal_entry j WHERE j.savings_transaction_id = t.id AND NOT j.reversed)
                       <> ARRAY[t.amount, t.amount]) AS savings_journal_mismatches,
              (SELECT count(*) FROM acc_gl_journal_entry j
                 WHERE NOT j.reversed
                   AND NOT EXISTS (SELECT 1 FROM m_loan_transaction t WHERE t.id = j.loan_transaction_id
                                   AND NOT t.is_reversed)
                   AND NOT EXISTS (SELECT 1 FROM m_savings_account_transaction t
                                   WHERE t.id = j.savings_transaction_id AND NOT t.is_reversed)) AS stray_entries,
              (SELECT count(*) FROM (SELECT 1 FROM acc_gl_journal_entry WHERE NOT reversed
                 GROUP BY loan_transaction_id, savings_transaction_id, account_id, type_enum
                 HAVING count(*) > 1) d) AS journal_entries_twice,
              (SELECT count(*) FROM m_loan_account_locks) AS locks,
              (SELECT count(*) FROM m_savings_account_transaction WHERE is_reversed) AS reversed_postings
            """
        )[0]
        for column in [
            "loan_accruals_twice", "savings_postings_twice", "loan_journal_mismatches", "savings_journal_mismatches",
            "stray_entries", "journal_entries_twice", "locks", "reversed_postings",
        ] {
            #expect(try row.decode(column, as: Int64.self) == 0, "\(column)", sourceLocation: sourceLocation)
        }
        let gaps = try await Self.accrualGaps(pool)
        let moved = gaps.filter { accrualGaps[$0.key] != $0.value }.keys.sorted()
        #expect(
            moved.isEmpty,
            "loans whose schedule accrued other than their accruals: \(moved)",
            sourceLocation: sourceLocation
        )
    }

    /// Per loan, what its schedule says was accrued less what its live accrual transactions hold.
    /// The demo bank starts with accrued figures and no accrual transactions, so the gap is not
    /// zero; a run that raises the schedule by exactly what it posts leaves it where it was.
    static func accrualGaps(_ pool: PostgresPool) async throws -> [Int64: Decimal] {
        let rows = try await pool.query(
            """
            SELECT l.id,
                   (SELECT coalesce(sum(s.accrual_interest_derived + s.accrual_fee_charges_derived
                                        + s.accrual_penalty_charges_derived), 0)
                    FROM m_loan_repayment_schedule s WHERE s.loan_id = l.id)
                   - (SELECT coalesce(sum(t.amount), 0) FROM m_loan_transaction t
                      WHERE t.loan_id = l.id AND t.transaction_type_enum = 10 AND NOT t.is_reversed) AS gap
            FROM m_loan l
            """
        )
        var gaps: [Int64: Decimal] = [:]
        for row in rows {
            gaps[try row.decode("id")] = try row.decode("gap")
        }
        return gaps
    }

    @Test(arguments: Self.cases)
    func runKilledHalfwayIsFinishedElsewhereAndPostsNothingTwice(_ crash: CrashCase) async throws {
        try await TestDatabase.withMigratedDatabase { pool, postgres in
            try await Self.seed(pool, loans: crash.loans, savingsAccounts: crash.savingsAccounts)
            let seeded = try await FineractSnapshot.take(pool)
            let seededGaps = try await Self.accrualGaps(pool)

            let first = try Self.startNode("first", postgres: postgres)
            #expect(await first.waitUntilHealthy(timeout: .seconds(60)))
            let execution = try await Self.queueRun(pool, jobType: crash.jobType, parameters: crash.parameters)
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
            #expect(try await Self.waitForEnd(pool, execution) == "succeeded")
            try await Self.expectTakenOver(pool, execution)

            let leftBehind = try await pool.query(PostgresQuery(unsafeSQL: crash.leftBehind))
            #expect(try leftBehind[0].decode("n", as: Int64.self) == 0, "the run did all its work")
            let runs = try await pool.query(
                "SELECT count(*) AS n FROM job_run WHERE job_type = \(crash.jobType) AND status = 'SUCCEEDED'"
            )
            #expect(try runs[0].decode("n", as: Int64.self) == 1)
            try await Self.expectNothingPostedTwice(pool, accrualGaps: seededGaps)
            let finished = try await FineractSnapshot.take(pool)
            let touched = Set(finished.changedTables(since: seeded))
            #expect(
                crash.mustWrite.isSubset(of: touched) && touched.isSubset(of: crash.writes),
                "tables written: \(touched.sorted())"
            )

            // Run again, forced: every Fineract table is the same row for row.
            let forced = crash.parameters.replacingOccurrences(of: "}", with: #", "force": true}"#)
            let again = try await Self.queueRun(pool, jobType: crash.jobType, parameters: forced)
            #expect(try await Self.waitForEnd(pool, again) == "succeeded")
            let rerun = try await FineractSnapshot.take(pool)
            #expect(rerun == finished, "\(rerun.difference(from: finished))")
        }
    }
}
