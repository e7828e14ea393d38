import FineractDomain
import Postgres

/// Demo savings accounts, alternating between the two products, each opened `historyDays` before
/// the business date with an opening deposit and then one deposit or withdrawal every day.
///
/// Amounts follow a fixed arithmetic pattern of the account id and day, so they look varied but
/// are the same on every seeding; withdrawals are small enough that no balance goes negative.
struct DemoSavings: Sendable {
    let tenantID: String
    let products: DemoProducts
    let options: DemoDataSeeder.Options

    func create(on connection: PostgresConnection) async throws -> (accounts: Int, transactions: Int) {
        let opened = self.options.businessDate.adding(days: -self.options.historyDays)
        let accounts = try await DemoDataSeeder.count(
            """
            INSERT INTO m_savings_account (
                tenant_id, account_no, client_id, product_id, office_id, status_enum, activatedon_date,
                currency_code, currency_digits, currency_multiplesof, nominal_annual_interest_rate,
                interest_compounding_period_enum, interest_posting_period_enum, interest_calculation_type_enum,
                interest_calculation_days_in_year_type_enum, min_balance_for_interest_calculation,
                allow_overdraft, overdraft_limit, nominal_annual_interest_rate_overdraft,
                min_overdraft_for_interest_calculation)
            SELECT p.tenant_id, 'S' || lpad(i::text, 9, '0'), c.id, p.id, c.office_id, 300, \(opened)::date,
                   p.currency_code, p.currency_digits, p.currency_multiplesof, p.nominal_annual_interest_rate,
                   p.interest_compounding_period_enum, p.interest_posting_period_enum,
                   p.interest_calculation_type_enum, p.interest_calculation_days_in_year_type_enum,
                   p.min_balance_for_interest_calculation, p.allow_overdraft, p.overdraft_limit,
                   p.nominal_annual_interest_rate_overdraft, p.min_overdraft_for_interest_calculation
            FROM generate_series(1, \(self.options.savingsAccountsPerTenant)) AS i
            JOIN m_client c ON c.tenant_id = \(self.tenantID)
                           AND c.account_no = lpad((1 + (i - 1) % \(self.options.clientsPerTenant))::text, 9, '0')
            JOIN m_savings_product p
              ON p.id = CASE WHEN i % 4 = 0 THEN \(self.products.bonusSavingsID)::bigint ELSE \(self.products.everydaySavingsID)::bigint END
            """,
            on: connection
        )
        // Day 0 is the opening deposit; afterwards six days in ten are deposits. Each row also carries
        // the balance fields Fineract keeps on every transaction, as the previous night left them: the
        // running balance, and how long it held up to the day before the business date (the rules of
        // `SavingsRunningBalances` for deposits and withdrawals on distinct days), so a posting run
        // finds a ledger as a live bank has it and rewrites only what the new day changes.
        let through = self.options.businessDate.adding(days: -1)
        let transactions = try await DemoDataSeeder.count(
            """
            INSERT INTO m_savings_account_transaction (
                tenant_id, savings_account_id, office_id, transaction_type_enum, transaction_date,
                submitted_on_date, amount, running_balance_derived, balance_end_date_derived,
                balance_number_of_days_derived, cumulative_balance_derived)
            SELECT tenant_id, account_id, office_id, type, day, day, amount, running, held_until,
                   held_until - day + 1, running * (held_until - day + 1)
            FROM (
                SELECT history.*,
                       sum(CASE WHEN type = 1 THEN amount ELSE -amount END) OVER account_days AS running,
                       coalesce(lead(day) OVER account_days - 1, \(through)::date) AS held_until
                FROM (
                    SELECT a.tenant_id, a.id AS account_id, a.office_id, d,
                           CASE WHEN d = 0 OR (a.id * 7 + d * 13) % 10 < 6 THEN 1 ELSE 2 END AS type,
                           a.activatedon_date + d AS day,
                           CASE WHEN d = 0 THEN 1500 + (a.id * 37) % 3500
                                WHEN (a.id * 7 + d * 13) % 10 < 6
                                    THEN 10 + (a.id * 11 + d * 17) % 190 + ((a.id + d) % 100) / 100.0
                                ELSE 5 + (a.id * 5 + d * 3) % 36 END AS amount
                    FROM m_savings_account a, generate_series(0, \(self.options.historyDays - 1)) AS d
                    WHERE a.tenant_id = \(self.tenantID)
                ) AS history
                WINDOW account_days AS (PARTITION BY account_id ORDER BY d)
            ) AS derived
            ORDER BY account_id, d
            """,
            on: connection
        )
        // Statistics that include the rows just written: planned without them (a second tenant seeded
        // into the same database), the update below joins every account against every transaction.
        try await connection.query("ANALYZE m_savings_account, m_savings_account_transaction")
        try await connection.query(
            """
            UPDATE m_savings_account a
            SET account_balance_derived = s.deposits - s.withdrawals,
                total_deposits_derived = s.deposits, total_withdrawals_derived = s.withdrawals
            FROM (
                SELECT savings_account_id,
                       coalesce(sum(amount) FILTER (WHERE transaction_type_enum = 1), 0) AS deposits,
                       coalesce(sum(amount) FILTER (WHERE transaction_type_enum = 2), 0) AS withdrawals
                FROM m_savings_account_transaction WHERE tenant_id = \(self.tenantID)
                GROUP BY savings_account_id
            ) AS s
            WHERE a.tenant_id = \(self.tenantID) AND a.id = s.savings_account_id
            """
        )
        return (accounts, transactions)
    }
}
