import FineractDomain
import FineractJobs
import Foundation
import JobsCore
import Postgres
import TestSupport
import Testing

/// Throughput of `savings_interest_posting`: `SAVINGS_BENCHMARK_ACCOUNTS` accounts (say 10000), each
/// with a deposit or withdrawal on every day of January 2024, posted on Feb 1 (daily compounding,
/// monthly posting, cash accounting). The transactions carry their derived balances, as a nightly
/// run finds them, unless `SAVINGS_BENCHMARK_COLD` is set: then the first run writes every row's.
/// Prints the rate; asserts only that every account got its one posting, never a time. Off unless
/// the variable is set, as it takes a while.
@Suite(
    "Savings posting benchmark",
    .enabled(if: TestDatabase.isConfigured, "POSTGRES_HOST is not set; make test starts a PostgreSQL for these tests"),
    .enabled(
        if: ProcessInfo.processInfo.environment["SAVINGS_BENCHMARK_ACCOUNTS"] != nil,
        "set SAVINGS_BENCHMARK_ACCOUNTS to the number of accounts to post"
    ),
    .timeLimit(.minutes(30))
)
struct SavingsPostingBenchmarkTests {
    @Test func postsAMonthOfDailyTransactions() async throws {
        let accounts = Int(ProcessInfo.processInfo.environment["SAVINGS_BENCHMARK_ACCOUNTS"] ?? "") ?? 10_000
        try await SavingsFixture.with { fixture in
            let product = try await fixture.product(.init(compounding: 1, posting: 4, accounting: 2))
            try await Self.seed(fixture, productID: product, accounts: accounts)
            try await fixture.setBusinessDate("2024-02-01")
            let clock = ContinuousClock()
            let started = clock.now
            let result = try await fixture.post()
            let elapsed = clock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print(
                "savings posting benchmark: \(accounts) accounts, \(accounts * 31) transactions in \(seconds) s, "
                    + "\(Int(Double(accounts) / seconds)) accounts/s; result \(result)"
            )
            #expect(result["postingsInserted"] == .integer(Int64(accounts)))
            #expect(result["failedAccounts"] == 0)
        }
    }

    /// Accounts with a deposit or withdrawal every day of January, their derived balances filled in
    /// as the writer of those transactions would have left them.
    static func seed(_ fixture: SavingsFixture, productID: Int64, accounts: Int) async throws {
        try await fixture.pool.query(
            """
            INSERT INTO m_savings_account (
                tenant_id, account_no, client_id, product_id, office_id, status_enum, activatedon_date,
                currency_code, currency_digits, nominal_annual_interest_rate, interest_compounding_period_enum,
                interest_posting_period_enum, interest_calculation_type_enum,
                interest_calculation_days_in_year_type_enum)
            SELECT p.tenant_id, 'B-' || n, \(fixture.clientID), p.id, \(fixture.officeID), 300, '2024-01-01',
                p.currency_code, p.currency_digits, p.nominal_annual_interest_rate, p.interest_compounding_period_enum,
                p.interest_posting_period_enum, p.interest_calculation_type_enum,
                p.interest_calculation_days_in_year_type_enum
            FROM m_savings_product p, generate_series(1, \(accounts)) AS n
            WHERE p.id = \(productID)
            """
        )
        // A deposit of 1000 on the first day, then deposits and smaller withdrawals that keep the
        // balance positive.
        try await fixture.pool.query(
            """
            INSERT INTO m_savings_account_transaction (
                tenant_id, savings_account_id, office_id, transaction_type_enum, transaction_date, submitted_on_date,
                amount)
            SELECT a.tenant_id, a.id, a.office_id, CASE WHEN d % 3 = 2 THEN 2 ELSE 1 END, day, day,
                CASE WHEN d = 0 THEN 1000 ELSE round((10 + (a.id * 7 + d * 13) % 90)::numeric, 2) END
            FROM m_savings_account a, generate_series(0, 30) AS d,
                LATERAL (SELECT DATE '2024-01-01' + d AS day) AS days
            WHERE a.tenant_id = 'default'
            ORDER BY a.id, d
            """
        )
        guard ProcessInfo.processInfo.environment["SAVINGS_BENCHMARK_COLD"] == nil else {
            try await fixture.pool.query("ANALYZE")
            return
        }
        try await fixture.pool.query(
            """
            UPDATE m_savings_account_transaction t SET running_balance_derived = w.running,
                balance_end_date_derived = w.end_date, balance_number_of_days_derived = w.end_date - w.transaction_date + 1,
                cumulative_balance_derived = w.running * (w.end_date - w.transaction_date + 1)
            FROM (
                SELECT id, transaction_date,
                    sum(CASE WHEN transaction_type_enum = 1 THEN amount ELSE -amount END)
                        OVER (PARTITION BY savings_account_id ORDER BY transaction_date, id) AS running,
                    coalesce(lead(transaction_date) OVER (PARTITION BY savings_account_id ORDER BY transaction_date, id) - 1,
                        DATE '2024-02-01') AS end_date
                FROM m_savings_account_transaction
            ) AS w
            WHERE t.id = w.id
            """
        )
        try await fixture.pool.query(
            """
            UPDATE m_savings_account a SET account_balance_derived = t.balance
            FROM (SELECT savings_account_id, sum(CASE WHEN transaction_type_enum = 1 THEN amount ELSE -amount END) AS balance
                FROM m_savings_account_transaction GROUP BY savings_account_id) AS t
            WHERE a.id = t.savings_account_id
            """
        )
        try await fixture.pool.query("ANALYZE")
    }
}
