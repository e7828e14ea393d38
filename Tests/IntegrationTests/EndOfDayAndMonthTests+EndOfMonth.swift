import FineractDomain
import FineractJobs
import Foundation
import JobsCore
import JobsEngine
import Postgres
import TestSupport
import Testing

extension EndOfDayAndMonthTests {
    /// Runs `end_of_month` for January 2024 in the `default` tenant outside the engine, and
    /// returns the error it refused with.
    static func refusedMonthEnd(_ pool: PostgresPool) async throws -> JobWorkerError? {
        let registry = WorkerRegistry()
        BuiltInWorkers.register(in: registry, pool: pool)
        let bank = LoanTestBank(pool: pool)
        let context = try await bank.context(.endOfMonth)
        do {
            let result = try await EndOfMonthWorker(pool: pool, registry: registry)
                .process(parameters: ["month": "2024-01"], context: context)
            try await bank.endExecution(context)
            Issue.record("the month was closed: \(result)")
            return nil
        } catch let error as JobWorkerError {
            try await bank.endExecution(context, status: "failed")
            return error
        }
    }

    static func monthEndRuns(_ pool: PostgresPool) async throws -> [String] {
        try await pool.query(
            """
            SELECT status || ' ' || coalesce(business_date::text, '-') || ' ' || coalesce(error, '-') AS run
            FROM job_run WHERE job_type = 'end_of_month' ORDER BY id
            """
        ).map { try $0.decode("run") }
    }

    /// Once January is closed, end of month again changes no row of any Fineract table: the
    /// repeat stops at its SUCCEEDED run; forced, it finds the savings posted, no journal day past
    /// the trial balance's watermark and every office closed, so it adds nothing.
    @Test func endOfMonthRunTwiceOrForcedLeavesEveryTableAsItWas() async throws {
        try await TestService.withService { client, pool in
            try await Self.seed(pool)
            let night = try await Self.run(client, "end_of_day", ["businessDate": "2024-02-01"])
            #expect(night["status"] as? String == "succeeded", "\(night["error"] ?? "")")
            let month = try await Self.run(client, "end_of_month", ["month": "2024-01"])
            #expect(month["status"] as? String == "succeeded", "\(month["error"] ?? "")")
            let closed = try await FineractSnapshot.take(pool)
            #expect(closed.count("acc_gl_closure") > 0 && closed.count("m_trial_balance") > 0)

            let again = try await Self.run(client, "end_of_month", ["month": "2024-01"])
            #expect(again["status"] as? String == "succeeded", "\(again["error"] ?? "")")
            #expect((again["result"] as? [String: Any])?["skipped"] as? Bool == true)
            let afterRepeat = try await FineractSnapshot.take(pool)
            #expect(afterRepeat == closed, "\(afterRepeat.difference(from: closed))")

            let forced = try await Self.run(client, "end_of_month", ["month": "2024-01", "force": true])
            #expect(forced["status"] as? String == "succeeded", "\(forced["error"] ?? "")")
            let result = try #require(forced["result"] as? [String: Any])
            #expect(result["skipped"] == nil)
            #expect(result["trialBalanceRows"] as? Int == 0)
            #expect(result["officesClosed"] as? Int == 0)
            #expect(result["officesAlreadyClosed"] as? Int == closed.count("acc_gl_closure"))
            let afterForced = try await FineractSnapshot.take(pool)
            #expect(afterForced == closed, "\(afterForced.difference(from: closed))")
            #expect(
                try await Self.monthEndRuns(pool) == ["SUCCEEDED 2024-01-31 -", "SUCCEEDED - -"],
                "the first success stays the month's record"
            )
        }
    }

    /// Every day of January is closed for every loan, but one loan's COB of February 1 failed and
    /// left it locked with its error: the month is refused for that lock alone, and nothing is
    /// written but the failed run.
    @Test func endOfMonthRefusesWhileALoanIsLockedByAFailedCOB() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            try await FineractFixtures.setDates(pool, business: "2024-02-02", cob: "2024-02-01")
            _ = try await FineractFixtures.insertLoan(pool, lastClosed: "2024-02-01")
            let failed = try await FineractFixtures.insertLoan(pool, lastClosed: "2024-01-31")
            try await pool.query(
                """
                INSERT INTO m_loan_account_locks (tenant_id, loan_id, lock_owner, lock_placed_on_cob_business_date,
                    error, stacktrace)
                VALUES ('default', \(failed), 'LOAN_COB_CHUNK_PROCESSING', '2024-02-01',
                    'step ADD_PERIODIC_ACCRUAL_ENTRIES failed: missing_gl_mapping', 'LoanRuleError')
                """
            )
            let before = try await FineractSnapshot.take(pool)

            let error = try #require(try await Self.refusedMonthEnd(pool))
            #expect(error.code == "month_not_closed")
            #expect(!error.isRetryable)
            #expect(
                error.message == "the month ending 2024-01-31 cannot be closed: loans locked by a failed COB: \(failed)"
            )
            let after = try await FineractSnapshot.take(pool)
            #expect(after == before, "\(after.difference(from: before))")
            #expect(try await Self.monthEndRuns(pool) == ["FAILED 2024-01-31 \(error)"])
        }
    }

    /// January 31 is not closed yet (the COB date is January 30): the month is refused for that
    /// reason alone, in a tenant with no loan to be behind, and nothing is written but the failed run.
    @Test func endOfMonthRefusesBeforeTheCOBDateReachesTheMonthsLastDay() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            try await FineractFixtures.setDates(pool, business: "2024-01-31", cob: "2024-01-30")
            _ = try await FineractFixtures.insertSavingsAccount(pool, activated: "2024-01-02", postedTill: nil)
            let before = try await FineractSnapshot.take(pool)

            let error = try #require(try await Self.refusedMonthEnd(pool))
            #expect(error.code == "month_not_closed")
            #expect(
                error.message
                    == "the month ending 2024-01-31 cannot be closed: the COB date is 2024-01-30, before the month's last day 2024-01-31"
            )
            let after = try await FineractSnapshot.take(pool)
            #expect(after == before, "\(after.difference(from: before))")
            #expect(try await Self.monthEndRuns(pool) == ["FAILED 2024-01-31 \(error)"])
        }
    }
}
