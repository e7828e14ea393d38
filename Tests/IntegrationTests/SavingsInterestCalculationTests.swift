import FineractDomain
import FineractJobs
import Foundation
import JobsCore
import Postgres
import TestSupport
import Testing

/// `savings_interest_calculation` against a real database: the figures it records and that it
/// posts nothing.
@Suite(
    "Savings interest calculation",
    .enabled(if: TestDatabase.isConfigured, "POSTGRES_HOST is not set; make test starts a PostgreSQL for these tests"),
    .timeLimit(.minutes(3))
)
struct SavingsInterestCalculationTests {
    typealias Fixture = SavingsFixture

    /// Derived (the domain test of the open period): D1's account on 2024-02-15 has earned January's
    /// 6.30 and February 1–15's 2.08, 8.38 in all, recorded as of the business date.
    @Test func recordsInterestEarnedThroughTheBusinessDateAndPostsNothing() async throws {
        try await Fixture.with { fixture in
            let product = try await fixture.product(.init(accounting: 2))
            let saver = try await fixture.account(productID: product, activatedOn: "2024-01-01")
            try await fixture.transaction(saver, type: 1, date: "2024-01-01", amount: "1000.00")
            try await fixture.transaction(saver, type: 2, date: "2024-01-16", amount: "500.00")
            try await fixture.setBusinessDate("2024-02-15")

            let result = try await fixture.calculate()
            #expect(result["asOf"] == "2024-02-15")
            #expect(result["accounts"] == 1)
            #expect(result["accountsUpdated"] == 1)
            let account = try await fixture.pool.query(
                """
                SELECT total_interest_earned_derived, last_interest_calculation_date::text AS day,
                    total_interest_posted_derived, version
                FROM m_savings_account WHERE id = \(saver)
                """
            )
            #expect(try account[0].decode("total_interest_earned_derived", as: Decimal.self) == Fixture.decimal("8.38"))
            #expect(try account[0].decode("day", as: String.self) == "2024-02-15")
            #expect(try account[0].decode("total_interest_posted_derived", as: Decimal.self) == 0)
            #expect(try await fixture.postings(saver).isEmpty)
            #expect(try await fixture.snapshot("acc_gl_journal_entry").isEmpty)

            let before = try await fixture.snapshot("m_savings_account")
            let forced = try await fixture.calculate(["force": true])
            #expect(forced["accountsUpdated"] == 0)
            #expect(try await fixture.snapshot("m_savings_account") == before)
        }
    }

    /// An explicit `asOf` wins over the business date: on Jan 31 January has earned
    /// 1000 × D64(daily × 15) + 500 × D64(daily × 16) = 6.301369863 → 6.30 (D1).
    @Test func asOfParameterOverridesTheBusinessDate() async throws {
        try await Fixture.with { fixture in
            let product = try await fixture.product(.init())
            let saver = try await fixture.account(productID: product, activatedOn: "2024-01-01")
            try await fixture.transaction(saver, type: 1, date: "2024-01-01", amount: "1000.00")
            try await fixture.transaction(saver, type: 2, date: "2024-01-16", amount: "500.00")
            try await fixture.setBusinessDate("2024-03-01")
            let result = try await fixture.calculate(["asOf": "2024-01-31"])
            #expect(result["asOf"] == "2024-01-31")
            let account = try await fixture.pool.query(
                "SELECT total_interest_earned_derived FROM m_savings_account WHERE id = \(saver)"
            )
            #expect(try account[0].decode("total_interest_earned_derived", as: Decimal.self) == Fixture.decimal("6.30"))
        }
    }

    /// Run twice for the same date, the calculation leaves every Fineract table as its first run
    /// left it: the repeat stops at the date's SUCCEEDED run, and forced, it recalculates the same
    /// figures and writes none. The first run writes nothing but the accounts' two figures: no
    /// transaction, running balance or journal entry, though the accounts post with accounting.
    /// D1's account, the overdraft case's, a zero-rate account (skipped) and a closed one.
    @Test func runTwiceLeavesEveryTableAsItWas() async throws {
        try await Fixture.with { fixture in
            let (saver, overdrawn) = try await SavingsInterestPostingTests.seedD1AndOverdraft(fixture)
            let idle = try await fixture.account(
                productID: try await fixture.product(.init(rate: "0")),
                activatedOn: "2024-01-01"
            )
            try await fixture.transaction(idle, type: 1, date: "2024-01-01", amount: "100.00")
            let closed = try await fixture.account(
                productID: try await fixture.product(.init()),
                activatedOn: "2024-01-01",
                status: 600
            )
            try await fixture.transaction(closed, type: 1, date: "2024-01-01", amount: "100.00")
            try await fixture.setBusinessDate("2024-02-15")
            let seeded = try await FineractSnapshot.take(fixture.pool)

            let first = try await fixture.calculate()
            #expect(first["accounts"] == 2)
            #expect(first["accountsUpdated"] == 2)
            let calculated = try await FineractSnapshot.take(fixture.pool)
            #expect(calculated.changedTables(since: seeded) == ["m_savings_account"])
            let figures = try await fixture.pool.query(
                """
                SELECT id, last_interest_calculation_date::text AS day FROM m_savings_account
                WHERE id = ANY(\(PostgresArray([saver, overdrawn, idle, closed].map(String.init)))::bigint[])
                ORDER BY id
                """
            ).map { "\(try $0.decode("id", as: Int64.self)) \(try $0.decode("day", as: String?.self) ?? "-")" }
            #expect(figures == ["\(saver) 2024-02-15", "\(overdrawn) 2024-02-15", "\(idle) -", "\(closed) -"])

            let repeated = try await fixture.calculate()
            #expect(repeated["alreadySucceeded"] == true)
            let afterRepeat = try await FineractSnapshot.take(fixture.pool)
            #expect(afterRepeat == calculated, "\(afterRepeat.difference(from: calculated))")

            let forced = try await fixture.calculate(["force": true])
            #expect(forced["accounts"] == 2)
            #expect(forced["accountsUpdated"] == 0)
            let afterForced = try await FineractSnapshot.take(fixture.pool)
            #expect(afterForced == calculated, "\(afterForced.difference(from: calculated))")
        }
    }
}
