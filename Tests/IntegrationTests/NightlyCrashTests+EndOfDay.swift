import FineractDomain
import FineractJobs
import Foundation
import Postgres
import TestSupport
import Testing

extension NightlyCrashTests {
    static func businessDates(_ pool: PostgresPool) async throws -> [String] {
        try await pool.query(
            "SELECT type || ' ' || date || ' v' || version AS d FROM m_business_date WHERE tenant_id = 'bank' ORDER BY type"
        ).map { try $0.decode("d") }
    }

    /// The node running `end_of_day` dies while a loan COB step of its chain runs, after the
    /// business date moved. A second node takes the night over: it re-attaches to the steps
    /// already created, does not move the date again, and finishes the chain; the forced repeat of
    /// the night leaves every Fineract table, business dates included, as it was.
    @Test func endOfDayKilledWhileItsChainRunsIsFinishedElsewhereAndAdvancesTheDateOnce() async throws {
        try await TestDatabase.withMigratedDatabase { pool, postgres in
            try await Self.seed(pool, loans: 400, savingsAccounts: 200)
            let seededGaps = try await Self.accrualGaps(pool)
            #expect(
                try await Self.businessDates(pool) == ["BUSINESS_DATE 2024-02-01 v0", "COB_DATE 2024-01-31 v0"]
            )

            let first = try Self.startNode("first", postgres: postgres)
            #expect(await first.waitUntilHealthy(timeout: .seconds(60)))
            let parameters = #"{"businessDate": "2024-02-01"}"#
            let night = try await Self.queueRun(pool, jobType: "end_of_day", parameters: parameters)
            let inTheChain = try await Self.waitUntil(.seconds(60)) {
                let rows = try await pool.query(
                    """
                    SELECT
                      (SELECT count(*) FROM job_execution
                       WHERE parent_execution_id = \(night) AND job_type = 'loan_cob' AND status = 'running') AS steps,
                      (SELECT date::text FROM m_business_date WHERE tenant_id = 'bank' AND type = 'BUSINESS_DATE')
                          AS business_date
                    """
                )
                return try rows[0].decode("steps", as: Int64.self) > 0
                    && (try rows[0].decode("business_date", as: String.self)) == "2024-02-02"
            }
            #expect(inTheChain, "the night was not caught while a loan COB step ran")
            first.send(SIGKILL)
            _ = await first.waitForExit(timeout: .seconds(10))

            let second = try Self.startNode("second", postgres: postgres)
            defer { second.send(SIGKILL) }
            #expect(await second.waitUntilHealthy(timeout: .seconds(60)))
            #expect(try await Self.waitForEnd(pool, night) == "succeeded")
            try await Self.expectTakenOver(pool, night)

            // Each version moved once: the compare-and-set did not match on the second attempt.
            #expect(
                try await Self.businessDates(pool) == ["BUSINESS_DATE 2024-02-02 v1", "COB_DATE 2024-02-01 v1"]
            )
            let state = try await pool.query(
                """
                SELECT
                  (SELECT count(*) FROM m_loan WHERE loan_status_id = 300
                     AND last_closed_business_date IS DISTINCT FROM '2024-02-01') AS loans_not_closed,
                  (SELECT count(*) FROM m_savings_account a JOIN m_savings_product p ON p.id = a.product_id
                     WHERE p.interest_posting_period_enum = 4 AND NOT EXISTS (
                       SELECT 1 FROM m_savings_account_transaction t
                       WHERE t.savings_account_id = a.id AND t.transaction_type_enum = 3
                         AND t.transaction_date = '2024-02-01' AND NOT t.is_reversed)) AS accounts_not_posted,
                  (SELECT count(*) FROM job_execution WHERE parent_execution_id = \(night)) AS steps,
                  (SELECT string_agg(status, ' ') FROM job_run WHERE job_type = 'end_of_day') AS runs
                """
            )[0]
            #expect(try state.decode("loans_not_closed", as: Int64.self) == 0)
            #expect(try state.decode("accounts_not_posted", as: Int64.self) == 0)
            #expect(try state.decode("steps", as: Int64.self) == 4, "each step of the chain was created once")
            #expect(try state.decode("runs", as: String.self) == "SUCCEEDED")
            try await Self.expectNothingPostedTwice(pool, accrualGaps: seededGaps)

            let closed = try await FineractSnapshot.take(pool)
            let forced = try await Self.queueRun(
                pool,
                jobType: "end_of_day",
                parameters: #"{"businessDate": "2024-02-01", "force": true}"#
            )
            #expect(try await Self.waitForEnd(pool, forced) == "succeeded")
            let repeated = try await FineractSnapshot.take(pool)
            #expect(repeated == closed, "\(repeated.difference(from: closed))")
        }
    }
}
