import FineractDomain
import FineractJobs
import Foundation
import JobsCore
import Postgres
import TestSupport
import Testing

/// `savings_interest_posting` against a real database: the rows it writes, repeat runs, backdated
/// corrections and interrupted runs. Figures are the derived cases of the domain tests (D1 and the
/// overdraft case), worked by hand from the algorithm of the Fineract domain notes, not Fineract tests.
@Suite(
    "Savings interest posting",
    .enabled(if: TestDatabase.isConfigured, "POSTGRES_HOST is not set; make test starts a PostgreSQL for these tests"),
    .timeLimit(.minutes(3))
)
struct SavingsInterestPostingTests {
    typealias Fixture = SavingsFixture

    /// D1's account (1000.00 on 2024-01-01, 500.00 withdrawn Jan 16) on a product with cash
    /// accounting, and the overdraft case's account (100.00 on Jan 1, 600.00 withdrawn Jan 11, 20 %
    /// overdraft rate); monthly compounding and posting, 10 %, 365 days.
    static func seedD1AndOverdraft(_ fixture: Fixture) async throws -> (saver: Int64, overdrawn: Int64) {
        let product = try await fixture.product(.init(accounting: 2))
        let saver = try await fixture.account(productID: product, activatedOn: "2024-01-01")
        try await fixture.transaction(saver, type: 1, date: "2024-01-01", amount: "1000.00")
        try await fixture.transaction(saver, type: 2, date: "2024-01-16", amount: "500.00")
        let overdraftProduct = try await fixture.product(
            .init(allowOverdraft: true, overdraftRate: "20", accounting: 2)
        )
        let overdrawn = try await fixture.account(productID: overdraftProduct, activatedOn: "2024-01-01")
        try await fixture.transaction(overdrawn, type: 1, date: "2024-01-01", amount: "100.00")
        try await fixture.transaction(overdrawn, type: 2, date: "2024-01-11", amount: "600.00")
        return (saver, overdrawn)
    }

    /// Derived working, business date 2024-03-01:
    /// - D1: Jan 6.301369863 → 6.30 (Feb 1), Feb 4.022668418 → 4.02 (Mar 1); the open March period
    ///   holds Mar 1: (500 + 10.324038281) × D64(daily × 1) = 0.139814805 → 0.14, so 10.46 earned.
    ///   Running balances 1000, 500, 506.30, 510.32; the deposit's balance holds Jan 1–15 (15 days,
    ///   cumulative 15000), the withdrawal's Jan 16–Mar 1 (46 days, 23000).
    /// - Overdraft: Jan −5.479452055 → 17 of 5.48; Feb (−500 − 5.479452055) × D64(0.2/365 × 29 =
    ///   0.01589041095890411) = −8.032276224 → 17 of 8.03; March −0.281376289 → −0.28; −13.79
    ///   earned. Running balances 100, −500, −505.48, −513.51.
    @Test func postsInterestAndOverdraftInterestWithBalancesAndJournalEntries() async throws {
        try await Fixture.with { fixture in
            let (saver, overdrawn) = try await Self.seedD1AndOverdraft(fixture)
            try await fixture.setBusinessDate("2024-03-01")
            let result = try await fixture.post()
            #expect(result["businessDate"] == "2024-03-01")
            #expect(result["accounts"] == 2)
            #expect(result["postingsInserted"] == 4)
            #expect(result["postingsCorrected"] == 0)
            #expect(result["failedAccounts"] == 0)

            #expect(
                try await fixture.postings(saver) == [
                    .init(type: 3, date: "2024-02-01", amount: Fixture.decimal("6.30"), reversed: false),
                    .init(type: 3, date: "2024-03-01", amount: Fixture.decimal("4.02"), reversed: false),
                ]
            )
            #expect(
                try await fixture.postings(overdrawn) == [
                    .init(type: 17, date: "2024-02-01", amount: Fixture.decimal("5.48"), reversed: false),
                    .init(type: 17, date: "2024-03-01", amount: Fixture.decimal("8.03"), reversed: false),
                ]
            )
            #expect(
                try await Self.balances(fixture, saver) == [
                    "2024-01-01 1000.000000 2024-01-15 15 15000.000000",
                    "2024-01-16 500.000000 2024-03-01 46 23000.000000",
                    "2024-02-01 506.300000 - - -",
                    "2024-03-01 510.320000 - - -",
                ]
            )
            #expect(
                try await Self.balances(fixture, overdrawn) == [
                    "2024-01-01 100.000000 2024-01-10 10 1000.000000",
                    "2024-01-11 -500.000000 2024-03-01 51 -25500.000000",
                    "2024-02-01 -505.480000 - - -",
                    "2024-03-01 -513.510000 - - -",
                ]
            )
            #expect(
                try await Self.summary(fixture, saver)
                    == "510.320000 10.320000 0.000000 10.460000 2024-03-01 2024-03-01"
            )
            #expect(
                try await Self.summary(fixture, overdrawn)
                    == "-513.510000 0.000000 13.510000 -13.790000 2024-03-01 2024-03-01"
            )

            let cash = try await fixture.glAccountID(code: "1000")
            let control = try await fixture.glAccountID(code: "2100")
            let expense = try await fixture.glAccountID(code: "5100")
            let income = try await fixture.glAccountID(code: "4400")
            #expect(
                try await Self.journal(fixture)
                    == [
                        "\(expense) 2 6.300000 2024-02-01 f", "\(control) 1 6.300000 2024-02-01 f",
                        "\(expense) 2 4.020000 2024-03-01 f", "\(control) 1 4.020000 2024-03-01 f",
                        "\(cash) 2 5.480000 2024-02-01 f", "\(income) 1 5.480000 2024-02-01 f",
                        "\(cash) 2 8.030000 2024-03-01 f", "\(income) 1 8.030000 2024-03-01 f",
                    ].sorted()
            )
            let run = try await fixture.pool.query(
                "SELECT status, business_date::text AS day FROM job_run WHERE job_type = 'savings_interest_posting'"
            )
            #expect(try run.map { try $0.decode("status", as: String.self) } == ["SUCCEEDED"])
            #expect(try run[0].decode("day", as: String.self) == "2024-03-01")
        }
    }

    @Test func aRepeatRunForTheSameDateChangesNothing() async throws {
        try await Fixture.with { fixture in
            _ = try await Self.seedD1AndOverdraft(fixture)
            try await fixture.setBusinessDate("2024-03-01")
            _ = try await fixture.post()
            let tables = ["m_savings_account", "m_savings_account_transaction", "acc_gl_journal_entry"]
            var before: [[String]] = []
            for table in tables { before.append(try await fixture.snapshot(table)) }

            // Forced, so the run really recalculates instead of stopping at its SUCCEEDED row.
            let forced = try await fixture.post(["force": true])
            #expect(forced["postingsInserted"] == 0)
            #expect(forced["postingsCorrected"] == 0)
            #expect(forced["postingsUnchanged"] == 4)
            #expect(forced["transactionsUpdated"] == 0)
            #expect(forced["accountsUpdated"] == 0)
            var after: [[String]] = []
            for table in tables { after.append(try await fixture.snapshot(table)) }
            #expect(after == before)

            let repeated = try await fixture.post()
            #expect(repeated["alreadySucceeded"] == true)
            // The first success stays the date's record; the forced repeat is kept without a date.
            let runs = try await fixture.pool.query(
                "SELECT status, business_date::text AS day FROM job_run ORDER BY id"
            )
            #expect(try runs.map { try $0.decode("status", as: String.self) } == ["SUCCEEDED", "SUCCEEDED"])
            #expect(try runs.map { try $0.decode("day", as: String?.self) } == ["2024-03-01", nil])
        }
    }

    /// Derived: January was posted as 6.30 on Feb 1; on Feb 2 a deposit of 1000.00 is backdated to
    /// Jan 20, so January earns 9.589041095 → 9.59 (worked in the domain plan tests). The run of
    /// Feb 2 reverses the 6.30 posting and its journal entry and posts 9.59 with a new entry.
    @Test func aBackdatedDepositIsCorrectedExactlyOnce() async throws {
        try await Fixture.with { fixture in
            let (saver, _) = try await Self.seedD1AndOverdraft(fixture)
            try await fixture.setBusinessDate("2024-02-01")
            _ = try await fixture.post()
            try await fixture.setBusinessDate("2024-02-02")
            try await fixture.transaction(saver, type: 1, date: "2024-01-20", amount: "1000.00")
            let result = try await fixture.post()
            #expect(result["postingsCorrected"] == 1)
            #expect(result["postingsUnchanged"] == 1)
            #expect(result["postingsInserted"] == 0)
            #expect(
                try await fixture.postings(saver) == [
                    .init(type: 3, date: "2024-02-01", amount: Fixture.decimal("6.30"), reversed: true),
                    .init(type: 3, date: "2024-02-01", amount: Fixture.decimal("9.59"), reversed: false),
                ]
            )
            let journal = try await fixture.pool.query(
                """
                SELECT j.amount::text || ' ' || j.type_enum || ' ' || j.reversed AS entry
                FROM acc_gl_journal_entry j JOIN m_savings_account_transaction t ON t.id = j.savings_transaction_id
                WHERE t.savings_account_id = \(saver) ORDER BY j.id
                """
            )
            #expect(
                try journal.map { try $0.decode("entry", as: String.self) } == [
                    "6.300000 2 true", "6.300000 1 true", "9.590000 2 false", "9.590000 1 false",
                ]
            )
            // The corrected balance: 1000 + 1000 − 500 + 9.59.
            #expect(try await Self.summary(fixture, saver).hasPrefix("1509.590000 9.590000 "))
            // And a further run on the same day finds everything in place.
            let again = try await fixture.post(["force": true])
            #expect(again["postingsCorrected"] == 0)
            #expect(again["postingsInserted"] == 0)
        }
    }

    // MARK: - Reading rows back

    /// The account's live rows: date, running balance, balance end date, days, cumulative balance.
    static func balances(_ fixture: Fixture, _ accountID: Int64) async throws -> [String] {
        let rows = try await fixture.pool.query(
            """
            SELECT concat_ws(' ', transaction_date, running_balance_derived, coalesce(balance_end_date_derived::text, '-'),
                coalesce(balance_number_of_days_derived::text, '-'), coalesce(cumulative_balance_derived::text, '-')) AS line
            FROM m_savings_account_transaction
            WHERE savings_account_id = \(accountID) AND NOT is_reversed ORDER BY transaction_date, id
            """
        )
        return try rows.map { try $0.decode("line", as: String.self) }
    }

    /// Balance, interest posted, overdraft interest, interest earned, last calculation, posted till.
    static func summary(_ fixture: Fixture, _ accountID: Int64) async throws -> String {
        let rows = try await fixture.pool.query(
            """
            SELECT concat_ws(' ', account_balance_derived, total_interest_posted_derived, total_overdraft_interest_derived,
                total_interest_earned_derived, last_interest_calculation_date, interest_posted_till_date) AS line
            FROM m_savings_account WHERE id = \(accountID)
            """
        )
        return try rows[0].decode("line", as: String.self)
    }

    /// Every journal entry as "GL account, side, amount, date, reversed (t or f)", sorted.
    static func journal(_ fixture: Fixture) async throws -> [String] {
        let rows = try await fixture.pool.query(
            """
            SELECT concat_ws(' ', account_id, type_enum, amount, transaction_date, reversed) AS line
            FROM acc_gl_journal_entry WHERE 'S' || savings_transaction_id = transaction_id
            """
        )
        return try rows.map { try $0.decode("line", as: String.self) }.sorted()
    }
}
