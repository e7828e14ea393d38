import Foundation
import Postgres

/// Minimal Fineract rows for the job tests: a client, products, loans and savings accounts of the
/// `default` tenant, with only the columns the tests look at set to anything particular.
enum FineractFixtures {
    /// Sets the tenant's BUSINESS_DATE and COB_DATE.
    static func setDates(_ pool: PostgresPool, business: String, cob: String, tenant: String = "default") async throws {
        try await pool.query(
            """
            UPDATE m_business_date SET date = CASE type WHEN 'BUSINESS_DATE' THEN \(business)::date ELSE \(cob)::date END
            WHERE tenant_id = \(tenant)
            """
        )
    }

    static func insertClient(_ pool: PostgresPool, tenant: String = "default") async throws -> Int64 {
        try await WorkerTestSupport.integer(
            pool,
            """
            INSERT INTO m_client (tenant_id, office_id, account_no, display_name)
            SELECT \(tenant), id, 'C-' || substr(md5(random()::text), 1, 12), 'Test client'
            FROM m_office WHERE tenant_id = \(tenant) AND name = 'Head Office'
            RETURNING id
            """
        )
    }

    /// A non-closed loan unless `status` says otherwise, closed by COB up to `lastClosed`.
    static func insertLoan(
        _ pool: PostgresPool,
        status: Int = 300,
        lastClosed: String?,
        tenant: String = "default"
    ) async throws -> Int64 {
        let client = try await Self.insertClient(pool, tenant: tenant)
        let product = try await WorkerTestSupport.integer(
            pool,
            """
            INSERT INTO m_product_loan (tenant_id, name, currency_code, currency_digits, annual_nominal_interest_rate,
                interest_method_enum, interest_calculated_in_period_enum, amortization_method_enum, repay_every,
                repayment_period_frequency_enum, number_of_repayments, days_in_year_enum, days_in_month_enum)
            VALUES (\(tenant), 'Loan ' || substr(md5(random()::text), 1, 8), 'USD', 2, 12, 1, 1, 1, 1, 2, 12, 360, 30)
            RETURNING id
            """
        )
        return try await WorkerTestSupport.integer(
            pool,
            """
            INSERT INTO m_loan (tenant_id, account_no, client_id, product_id, loan_status_id, currency_code,
                currency_digits, principal_amount, annual_nominal_interest_rate, interest_method_enum,
                interest_calculated_in_period_enum, amortization_method_enum, repay_every,
                repayment_period_frequency_enum, number_of_repayments, days_in_year_enum, days_in_month_enum,
                last_closed_business_date)
            VALUES (\(tenant), 'L-' || substr(md5(random()::text), 1, 12), \(client), \(product), \(status), 'USD', 2,
                    1000, 12, 1, 1, 1, 1, 2, 12, 360, 30, \(lastClosed)::date)
            RETURNING id
            """
        )
    }

    /// An active savings account with `rate` percent, posting every `postingPeriod`
    /// (`interest_posting_period_enum`), activated on `activated` and posted up to `postedTill`.
    static func insertSavingsAccount(
        _ pool: PostgresPool,
        rate: String = "5",
        postingPeriod: Int = 4,
        status: Int = 300,
        activated: String,
        postedTill: String?
    ) async throws -> Int64 {
        let client = try await Self.insertClient(pool)
        let product = try await WorkerTestSupport.integer(
            pool,
            """
            INSERT INTO m_savings_product (tenant_id, name, currency_code, currency_digits, nominal_annual_interest_rate,
                interest_compounding_period_enum, interest_posting_period_enum, interest_calculation_type_enum,
                interest_calculation_days_in_year_type_enum)
            VALUES ('default', 'Savings', 'USD', 2, \(rate)::numeric, 1, \(postingPeriod), 1, 365)
            RETURNING id
            """
        )
        return try await WorkerTestSupport.integer(
            pool,
            """
            INSERT INTO m_savings_account (tenant_id, account_no, client_id, product_id, office_id, status_enum,
                activatedon_date, currency_code, currency_digits, nominal_annual_interest_rate,
                interest_compounding_period_enum, interest_posting_period_enum, interest_calculation_type_enum,
                interest_calculation_days_in_year_type_enum, interest_posted_till_date)
            SELECT 'default', 'S-' || substr(md5(random()::text), 1, 12), \(client), \(product), c.office_id, \(status),
                   \(activated)::date, 'USD', 2, \(rate)::numeric, 1, \(postingPeriod), 1, 365, \(postedTill)::date
            FROM m_client c WHERE c.id = \(client)
            RETURNING id
            """
        )
    }
}
