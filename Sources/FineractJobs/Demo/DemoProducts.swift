import Postgres

/// The demo tenant's products, each with the GL mappings its jobs post to.
struct DemoProducts: Sendable {
    /// Daily compounding, monthly posting, daily balance, 365 days, cash accounting.
    var everydaySavingsID: Int64
    /// Monthly compounding, quarterly posting, average daily balance, 360 days, a minimum balance.
    var bonusSavingsID: Int64
    /// Declining balance, equal monthly installments, 30/360, periodic accrual accounting, an
    /// overdue penalty and the default delinquency bucket.
    var loanProductID: Int64

    /// The loan product's shape, which the demo schedules follow.
    static let loanAnnualRate = 18
    static let loanRepayments = 12
    static let overduePenalty = 25

    static func create(tenantID: String, on connection: PostgresConnection) async throws -> DemoProducts {
        let savings = try await connection.query(
            """
            INSERT INTO m_savings_product (
                tenant_id, name, currency_code, currency_digits, nominal_annual_interest_rate,
                interest_compounding_period_enum, interest_posting_period_enum, interest_calculation_type_enum,
                interest_calculation_days_in_year_type_enum, min_balance_for_interest_calculation, accounting_type)
            VALUES (\(tenantID), 'Everyday savings', 'USD', 2, 4, 1, 4, 1, 365, NULL, 2),
                   (\(tenantID), 'Bonus saver', 'USD', 2, 6.5, 4, 5, 2, 360, 500, 2)
            RETURNING id, name
            """
        )
        var savingsIDs: [String: Int64] = [:]
        for row in savings {
            savingsIDs[try row.decode("name")] = try row.decode("id")
        }
        let loan = try await connection.query(
            """
            INSERT INTO m_product_loan (
                tenant_id, name, currency_code, currency_digits, annual_nominal_interest_rate, interest_method_enum,
                interest_calculated_in_period_enum, amortization_method_enum, repay_every,
                repayment_period_frequency_enum, number_of_repayments, days_in_year_enum, days_in_month_enum,
                accounting_type, grace_on_arrears_ageing, overdue_days_for_npa, delinquency_bucket_id)
            SELECT \(tenantID), 'Small business loan', 'USD', 2, \(Self.loanAnnualRate)::numeric, 0, 1, 1, 1, 2,
                   \(Self.loanRepayments)::smallint, 360, 30, 3, 0, 90, b.id
            FROM m_delinquency_bucket b WHERE b.tenant_id = \(tenantID) ORDER BY b.id LIMIT 1
            RETURNING id
            """
        )
        let loanProductID: Int64 = try loan[0].decode("id")
        try await connection.query(
            """
            WITH charge AS (
                INSERT INTO m_charge (tenant_id, name, currency_code, charge_applies_to_enum, charge_time_enum,
                                      charge_calculation_enum, amount, is_penalty)
                VALUES (\(tenantID), 'Late payment penalty', 'USD', 1, 9, 1, \(Self.overduePenalty)::numeric, true)
                RETURNING id
            )
            INSERT INTO m_product_loan_charge (tenant_id, product_loan_id, charge_id)
            SELECT \(tenantID), \(loanProductID)::bigint, charge.id FROM charge
            """
        )
        let everyday = savingsIDs["Everyday savings"]!
        let bonus = savingsIDs["Bonus saver"]!
        // Savings: 2 savings control, 3 interest on savings. Loans: 2 portfolio, 3 interest income,
        // 4 fee income, 5 penalty income, 7 interest receivable, 8 fees receivable, 9 penalties receivable.
        try await connection.query(
            """
            INSERT INTO acc_product_mapping (tenant_id, product_type, product_id, financial_account_type, gl_account_id)
            SELECT \(tenantID), m.product_type, m.product_id, m.account_type, g.id
            FROM (VALUES (2, \(everyday)::bigint, 2, '2100'), (2, \(everyday)::bigint, 3, '5100'),
                         (2, \(bonus)::bigint, 2, '2100'), (2, \(bonus)::bigint, 3, '5100'),
                         (1, \(loanProductID)::bigint, 2, '1100'), (1, \(loanProductID)::bigint, 3, '4100'),
                         (1, \(loanProductID)::bigint, 4, '4200'), (1, \(loanProductID)::bigint, 5, '4300'),
                         (1, \(loanProductID)::bigint, 7, '1200'), (1, \(loanProductID)::bigint, 8, '1210'),
                         (1, \(loanProductID)::bigint, 9, '1220'))
                 AS m (product_type, product_id, account_type, gl_code)
            JOIN acc_gl_account g ON g.tenant_id = \(tenantID) AND g.gl_code = m.gl_code
            """
        )
        return DemoProducts(everydaySavingsID: everyday, bonusSavingsID: bonus, loanProductID: loanProductID)
    }
}
