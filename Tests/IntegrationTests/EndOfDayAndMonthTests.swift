import FineractDomain
import FineractJobs
import Foundation
import JobsServer
import Logging
import Postgres
import TestSupport
import Testing

/// The orchestrating jobs through the engine: end of day closes a business day with every step as
/// a child execution, end of month closes January's books once every day of it is closed.
@Suite(
    "End of day and end of month",
    .enabled(if: TestDatabase.isConfigured, "POSTGRES_HOST is not set; make test starts a PostgreSQL for these tests"),
    .timeLimit(.minutes(3))
)
struct EndOfDayAndMonthTests {
    /// The demo tenant as Fineract stands after "Increase Business Date" to 2024-02-01 and before
    /// the loan COB of January 31.
    static func seed(_ pool: PostgresPool) async throws {
        var options = DemoDataSeeder.Options(businessDate: LocalDate(year: 2024, month: 2, day: 1))
        options.tenantIDs = ["bank"]
        options.clientsPerTenant = 30
        options.loansPerTenant = 60
        options.savingsAccountsPerTenant = 40
        let logger = Logger(label: "seed", level: .warning, handler: StreamLogHandler(format: .text))
        _ = try await DemoDataSeeder(pool: pool, logger: logger).seed(options)
        try await pool.query("UPDATE job SET status = 'paused' WHERE created_by = 'seed-demo'")
    }

    static func run(
        _ client: HTTPTestClient,
        _ jobType: String,
        _ parameters: [String: Any],
        tenant: String = "bank"
    ) async throws -> [String: Any] {
        let created = try await client.send(
            "POST",
            "/jobs",
            json: ["name": jobType, "jobType": jobType, "tenantId": tenant, "parameters": parameters]
        )
        let job = try #require(created.json["id"] as? String, "\(created.text)")
        _ = try await client.send("POST", "/jobs/\(job)/execute")
        return try await TestService.waitForTerminalExecution(client: client, jobID: job, timeout: .seconds(120))
    }

    static func dates(_ pool: PostgresPool) async throws -> [String] {
        try await pool.query(
            "SELECT date::text AS d FROM m_business_date WHERE tenant_id = 'bank' ORDER BY type"
        ).map { try $0.decode("d") }
    }

    @Test func endOfDayClosesTheDayOnceAndEndOfMonthClosesJanuary() async throws {
        try await TestService.withService { client, pool in
            try await Self.seed(pool)
            #expect(try await Self.dates(pool) == ["2024-02-01", "2024-01-31"])

            let night = try await Self.run(client, "end_of_day", ["businessDate": "2024-02-01"])
            #expect(night["status"] as? String == "succeeded", "\(night["error"] ?? "")")
            #expect(try await Self.dates(pool) == ["2024-02-02", "2024-02-01"])
            let steps = (night["children"] as? [[String: Any]] ?? []).map { $0["childKey"] as? String ?? "" }
            #expect(
                steps == [
                    "eod-2024-02-01-1-loan_cob-catch-up", "eod-2024-02-01-2-loan_cob",
                    "eod-2024-02-01-4-savings_interest_posting", "eod-2024-02-01-5-savings_interest_calculation",
                ],
                "accrual runs as a COB step, so the stand-alone accrual is left out"
            )
            let state = try await pool.query(
                """
                SELECT
                  (SELECT count(*) FROM m_loan WHERE loan_status_id = 300
                     AND last_closed_business_date IS DISTINCT FROM '2024-02-01') AS loans_not_closed,
                  (SELECT count(*) FROM m_savings_account_transaction
                     WHERE transaction_type_enum = 3 AND transaction_date = '2024-02-01' AND NOT is_reversed)
                     AS january_postings,
                  (SELECT count(*) FROM m_savings_account a JOIN m_savings_product p ON p.id = a.product_id
                     WHERE p.interest_posting_period_enum = 4) AS monthly_accounts,
                  (SELECT status FROM job_run WHERE job_type = 'end_of_day') AS run
                """
            )[0]
            #expect(try state.decode("loans_not_closed", as: Int64.self) == 0)
            #expect(
                try state.decode("january_postings", as: Int64.self)
                    == (try state.decode("monthly_accounts", as: Int64.self))
            )
            #expect(try state.decode("run", as: String.self) == "SUCCEEDED")

            // The same night again: already closed, nothing moves; forced, the dates still do not.
            let before = try await FineractSnapshot.take(pool)
            let again = try await Self.run(client, "end_of_day", ["businessDate": "2024-02-01"])
            #expect(again["status"] as? String == "succeeded")
            #expect((again["result"] as? [String: Any])?["skipped"] as? Bool == true)
            let forced = try await Self.run(client, "end_of_day", ["businessDate": "2024-02-01", "force": true])
            #expect(forced["status"] as? String == "succeeded", "\(forced["error"] ?? "")")
            #expect((forced["result"] as? [String: Any])?["advanced"] as? Bool == false)
            let after = try await FineractSnapshot.take(pool)
            #expect(after == before, "a repeated night changes nothing: \(after.difference(from: before))")

            // January is closed: its trial balance and the office's books.
            let month = try await Self.run(client, "end_of_month", ["month": "2024-01"])
            #expect(month["status"] as? String == "succeeded", "\(month["error"] ?? "")")
            let books = try await pool.query(
                """
                SELECT
                  (SELECT count(*) FROM acc_gl_closure WHERE closing_date = '2024-01-31' AND NOT is_deleted) AS closures,
                  (SELECT count(*) FROM m_office WHERE tenant_id = 'bank') AS offices,
                  (SELECT coalesce(sum(amount), 0) FROM m_trial_balance WHERE tenant_id = 'bank') AS trial_total,
                  (SELECT coalesce(sum(CASE WHEN type_enum = 2 THEN amount ELSE -amount END), 0)
                     FROM acc_gl_journal_entry WHERE tenant_id = 'bank' AND NOT reversed
                       AND transaction_date <= '2024-01-31') AS journal_total,
                  (SELECT count(*) FROM m_trial_balance WHERE entry_date > '2024-01-31') AS rows_after_january
                """
            )[0]
            #expect(try books.decode("closures", as: Int64.self) == (try books.decode("offices", as: Int64.self)))
            #expect(
                try books.decode("trial_total", as: Decimal.self)
                    == (try books.decode("journal_total", as: Decimal.self))
            )
            #expect(try books.decode("rows_after_january", as: Int64.self) == 0)
            // Fineract refuses journal entries in a closed period; so does the database now.
            await #expect(throws: PostgresError.self) {
                try await pool.query(
                    """
                    INSERT INTO acc_gl_journal_entry (tenant_id, account_id, office_id, currency_code, transaction_id,
                        type_enum, amount, transaction_date, entry_date)
                    SELECT 'bank', g.id, o.id, 'USD', 'manual-1', 2, 10, '2024-01-15', '2024-01-15'
                    FROM acc_gl_account g, m_office o
                    WHERE g.tenant_id = 'bank' AND g.gl_code = '1100' AND o.tenant_id = 'bank'
                    """
                )
            }
            let repeated = try await Self.run(client, "end_of_month", ["month": "2024-01"])
            #expect((repeated["result"] as? [String: Any])?["skipped"] as? Bool == true)
        }
    }

    @Test func endOfMonthRefusesAMonthWithLoansStillOpen() async throws {
        try await TestService.withService { client, pool in
            try await Self.seed(pool)
            // January 31 has not been closed for the loans yet.
            let month = try await Self.run(client, "end_of_month", ["month": "2024-01"])
            #expect(month["status"] as? String == "failed")
            #expect(month["errorCode"] as? String == "month_not_closed")
            #expect((month["error"] as? String)?.contains("active loans not closed through 2024-01-31") == true)
            let closures = try await pool.query("SELECT count(*) AS n FROM acc_gl_closure")
            #expect(try closures[0].decode("n", as: Int64.self) == 0)
        }
    }
}
