import FineractDomain
import FineractJobs
import Foundation
import JobsCore
import Logging
import Postgres
import TestSupport
import Testing

@Suite(
    "Demo data",
    .enabled(if: TestDatabase.isConfigured, "POSTGRES_HOST is not set; make test starts a PostgreSQL for these tests"),
    .timeLimit(.minutes(2))
)
struct DemoDataSeederTests {
    @Test func seedsConsistentTenantsOnceAndLeavesThemAloneAfterwards() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            let logger = Logger(label: "seed", level: .warning, handler: StreamLogHandler(format: .text))
            var options = DemoDataSeeder.Options(businessDate: LocalDate(year: 2024, month: 2, day: 1))
            options.tenantIDs = ["demo-x", "demo-y"]
            options.clientsPerTenant = 50
            options.loansPerTenant = 100
            options.savingsAccountsPerTenant = 80
            options.historyDays = 31
            let seeder = DemoDataSeeder(pool: pool, logger: logger)
            let summary = try await seeder.seed(options)
            #expect(summary.seededTenants == ["demo-x", "demo-y"])
            #expect(summary.clients == 100 && summary.loans == 200 && summary.savingsAccounts == 160)
            #expect(summary.savingsTransactions == 160 * 31)
            #expect(summary.scheduleRows == 200 * 12)

            let checks = try await pool.query(
                """
                SELECT
                  (SELECT count(*) FROM m_savings_account a WHERE a.account_balance_derived <> (
                      SELECT sum(CASE t.transaction_type_enum WHEN 1 THEN t.amount ELSE -t.amount END)
                      FROM m_savings_account_transaction t WHERE t.savings_account_id = a.id)) AS wrong_balances,
                  (SELECT min(account_balance_derived) FROM m_savings_account) AS lowest_balance,
                  (SELECT count(*) FROM m_loan l WHERE l.principal_amount <> (
                      SELECT sum(s.principal_amount) FROM m_loan_repayment_schedule s WHERE s.loan_id = l.id))
                      AS schedules_not_repaying_principal,
                  (SELECT max(transaction_date) FROM m_savings_account_transaction) AS last_transaction,
                  (SELECT count(DISTINCT loan_id) FROM m_loan_repayment_schedule
                   WHERE NOT completed_derived AND duedate < '2024-01-31') AS overdue_loans,
                  (SELECT count(*) FROM m_business_date WHERE tenant_id = 'demo-x'
                   AND date = CASE type WHEN 'BUSINESS_DATE' THEN date '2024-02-01' ELSE date '2024-01-31' END)
                      AS dates_set
                """
            )[0]
            #expect(try checks.decode("wrong_balances", as: Int64.self) == 0)
            #expect(try checks.decode("lowest_balance", as: Decimal.self) > 0)
            #expect(try checks.decode("schedules_not_repaying_principal", as: Int64.self) == 0)
            #expect(
                try checks.decode("last_transaction", as: LocalDate.self) == LocalDate(year: 2024, month: 1, day: 31)
            )
            #expect(try checks.decode("overdue_loans", as: Int64.self) > 0)
            #expect(try checks.decode("dates_set", as: Int64.self) == 2)

            let again = try await seeder.seed(options)
            #expect(again.seededTenants.isEmpty && again.skippedTenants == ["demo-x", "demo-y"])
            let clients = try await pool.query("SELECT count(*) AS n FROM m_client")
            #expect(try clients[0].decode("n", as: Int64.self) == 100)
        }
    }

    /// The seeded ledger carries the balance fields a posting run derives, as of the night before: the
    /// run that posts January changes none of them but each account's last row, whose balance now
    /// holds one day longer.
    @Test func seededBalancesAreTheOnesAPostingRunDerives() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            let logger = Logger(label: "seed", level: .warning, handler: StreamLogHandler(format: .text))
            var options = DemoDataSeeder.Options(businessDate: LocalDate(year: 2024, month: 2, day: 1))
            options.tenantIDs = ["demo-z"]
            options.clientsPerTenant = 20
            options.loansPerTenant = 0
            options.savingsAccountsPerTenant = 40
            _ = try await DemoDataSeeder(pool: pool, logger: logger).seed(options)
            let derived: PostgresQuery = """
                SELECT id, savings_account_id AS account, running_balance_derived AS running,
                       balance_end_date_derived AS held_until, balance_number_of_days_derived AS days,
                       cumulative_balance_derived AS cumulative
                FROM m_savings_account_transaction ORDER BY id
                """
            let before = try await pool.query(derived)
            #expect(try before.allSatisfy { try $0.decode("running", as: Decimal?.self) != nil })

            let execution: UUID = try await pool.query(
                """
                WITH job AS (
                    INSERT INTO job (name, job_type, status, tenant_id) VALUES ('post', 'savings_interest_posting',
                        'paused', 'demo-z') RETURNING id
                )
                INSERT INTO job_execution (job_id, tenant_id, job_type, priority, trigger, max_attempts,
                                           timeout_seconds)
                SELECT job.id, 'demo-z', 'savings_interest_posting', 2, 'manual', 1, 600 FROM job RETURNING id
                """
            )[0].decode("id")
            var context = WorkerTestSupport.context(tenantID: "demo-z")
            context.executionID = execution
            let result = try await SavingsInterestPostingWorker(pool: pool, parallelism: 1)
                .process(parameters: [:], context: context)
            #expect(result["accounts"] == .integer(40))

            let after = Dictionary(
                uniqueKeysWithValues: try await pool.query(derived).map { row in
                    (try row.decode("id", as: Int64.self), row)
                }
            )
            var lastOfAccount: [Int64: Int64] = [:]
            for row in before {
                lastOfAccount[try row.decode("account")] = try row.decode("id")
            }
            for row in before {
                let id: Int64 = try row.decode("id")
                let now = try #require(after[id])
                #expect(try now.decode("running", as: Decimal.self) == (try row.decode("running", as: Decimal.self)))
                let isLast = lastOfAccount[try row.decode("account")] == id
                let days: Int = try row.decode("days")
                #expect(try now.decode("days", as: Int.self) == (isLast ? days + 1 : days), "transaction \(id)")
                #expect(
                    try now.decode("held_until", as: LocalDate.self)
                        == (try row.decode("held_until", as: LocalDate.self)).adding(days: isLast ? 1 : 0)
                )
            }
        }
    }
}
