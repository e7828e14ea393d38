import FineractDomain
import FineractJobs
import Foundation
import JobsCore
import Logging
import Postgres
import TestSupport
import Testing

/// A Fineract-shaped bank on a fresh migrated database, for the loan job tests: products, clients
/// and loans whose schedules come from `LoanScheduleGenerator`, and ways to read back what the
/// jobs wrote. Everything is in the seeded `default` tenant.
struct LoanTestBank {
    static let tenant = "default"

    /// L1's terms: 8000 EUR, 10 %, 4 monthly equal installments, daily interest on 30/360, from
    /// 2023-01-01.
    static let goldenL1 = LoanScheduleTerms(
        principal: 8000,
        annualInterestRate: 10,
        interestCalculationPeriod: .daily,
        amortization: .equalInstallments,
        numberOfRepayments: 4,
        daysInYear: .days360,
        daysInMonth: .days30,
        disbursementDate: LocalDate(year: 2023, month: 1, day: 1),
        currency: Currency(code: "EUR", digits: 2)
    )

    let pool: PostgresPool

    static func with<Result: Sendable>(_ body: (LoanTestBank) async throws -> Result) async throws -> Result {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            try await body(LoanTestBank(pool: pool))
        }
    }

    static func date(_ text: String) -> LocalDate {
        LocalDate(text)!
    }

    // MARK: - Set-up

    /// Sets BUSINESS_DATE to `businessDate` and COB_DATE to the day before.
    func setBusinessDate(_ businessDate: String) async throws {
        let date = Self.date(businessDate)
        try await self.pool.query(
            """
            UPDATE m_business_date SET date = CASE type WHEN 'BUSINESS_DATE' THEN \(date)::date
                ELSE \(date.adding(days: -1))::date END
            WHERE tenant_id = \(Self.tenant)
            """
        )
    }

    func glAccount(_ code: String) async throws -> Int64 {
        try await self.pool.query(
            "SELECT id FROM acc_gl_account WHERE tenant_id = \(Self.tenant) AND gl_code = \(code)"
        )[0].decode("id")
    }

    /// A loan product with periodic accrual accounting (unless told otherwise), the seeded
    /// delinquency bucket, GL mappings for accruals and, when `penalty` is given, a flat
    /// overdue-installment penalty of that amount.
    func makeProduct(
        name: String,
        accountingType: Int = 3,
        mapsAccounts: Bool = true,
        penalty: Decimal? = nil,
        penaltyCalculation: Int = 1
    ) async throws -> Int64 {
        let product: Int64 = try await self.pool.query(
            """
            INSERT INTO m_product_loan (tenant_id, name, currency_code, currency_digits, annual_nominal_interest_rate,
                interest_method_enum, interest_calculated_in_period_enum, amortization_method_enum, repay_every,
                repayment_period_frequency_enum, number_of_repayments, days_in_year_enum, days_in_month_enum,
                accounting_type, delinquency_bucket_id)
            VALUES (\(Self.tenant), \(name), 'EUR', 2, 10, 0, 0, 1, 1, 2, 4, 360, 30, \(accountingType),
                (SELECT id FROM m_delinquency_bucket WHERE tenant_id = \(Self.tenant) ORDER BY id LIMIT 1))
            RETURNING id
            """
        )[0].decode("id")
        if mapsAccounts {
            for (type, code) in [(3, "4100"), (4, "4200"), (5, "4300"), (7, "1200"), (8, "1210"), (9, "1220")] {
                try await self.pool.query(
                    """
                    INSERT INTO acc_product_mapping (tenant_id, product_type, product_id, financial_account_type,
                        gl_account_id)
                    VALUES (\(Self.tenant), 1, \(product), \(type), \(try await self.glAccount(code)))
                    """
                )
            }
        }
        if let penalty {
            try await self.pool.query(
                """
                WITH charge AS (
                    INSERT INTO m_charge (tenant_id, name, currency_code, charge_applies_to_enum, charge_time_enum,
                        charge_calculation_enum, amount, is_penalty)
                    VALUES (\(Self.tenant), \(name + " overdue penalty"), 'EUR', 1, 9, \(penaltyCalculation),
                        \(penalty), true)
                    RETURNING id
                )
                INSERT INTO m_product_loan_charge (tenant_id, product_loan_id, charge_id)
                SELECT \(Self.tenant), \(product), id FROM charge
                """
            )
        }
        return product
    }

    func makeOffice(_ name: String) async throws -> Int64 {
        try await self.pool.query(
            """
            INSERT INTO m_office (tenant_id, parent_id, hierarchy, name, opening_date)
            VALUES (\(Self.tenant), (SELECT id FROM m_office WHERE tenant_id = \(Self.tenant) AND name = 'Head Office'),
                '.', \(name), '2020-01-01')
            RETURNING id
            """
        )[0].decode("id")
    }

    /// A client of `office` (the head office by default).
    func makeClient(_ accountNumber: String, mobile: String? = nil, email: String? = nil, office: Int64? = nil)
        async throws -> Int64
    {
        try await self.pool.query(
            """
            INSERT INTO m_client (tenant_id, office_id, account_no, display_name, mobile_no, email_address)
            VALUES (\(Self.tenant),
                coalesce(\(office)::bigint, (SELECT id FROM m_office WHERE tenant_id = \(Self.tenant) AND name = 'Head Office')),
                \(accountNumber), \("Client " + accountNumber), \(mobile), \(email))
            RETURNING id
            """
        )[0].decode("id")
    }

    /// `count` active loans on the same terms, with their generated schedules; returns their ids.
    @discardableResult
    func makeLoans(
        count: Int,
        prefix: String,
        product: Int64,
        client: Int64,
        terms: LoanScheduleTerms = LoanTestBank.goldenL1,
        status: Int = 300,
        watermark: String? = nil,
        accruedTill: String? = nil
    ) async throws -> [Int64] {
        let schedule = LoanScheduleGenerator(terms: terms).generate()
        let interest = schedule.reduce(Decimal(0)) { $0 + $1.interest }
        let rows = try await self.pool.query(
            """
            INSERT INTO m_loan (tenant_id, account_no, client_id, product_id, loan_status_id, currency_code,
                currency_digits, principal_amount, annual_nominal_interest_rate, interest_method_enum,
                interest_calculated_in_period_enum, amortization_method_enum, repay_every,
                repayment_period_frequency_enum, number_of_repayments, days_in_year_enum, days_in_month_enum,
                disbursedon_date, expected_maturedon_date, principal_outstanding_derived,
                interest_outstanding_derived, total_outstanding_derived, last_closed_business_date, accrued_till)
            SELECT \(Self.tenant), \(prefix) || n, \(client), \(product), \(status), \(terms.currency.code),
                \(terms.currency.digits), \(terms.principal), \(terms.annualInterestRate),
                \(terms.interestMethod.rawValue), \(terms.interestCalculationPeriod.rawValue),
                \(terms.amortization.rawValue), \(terms.repayEvery), \(terms.repaymentFrequency.rawValue),
                \(terms.numberOfRepayments), \(terms.daysInYear.rawValue), \(terms.daysInMonth.rawValue),
                \(terms.disbursementDate), \(schedule.last!.dueDate), \(terms.principal),
                \(interest), \(terms.principal + interest), \(watermark)::date, \(accruedTill)::date
            FROM generate_series(1, \(count)) AS n
            RETURNING id
            """
        )
        let ids = try rows.map { try $0.decode("id", as: Int64.self) }.sorted()
        try await self.pool.query(
            """
            INSERT INTO m_loan_repayment_schedule (tenant_id, loan_id, installment, fromdate, duedate,
                principal_amount, interest_amount)
            SELECT \(Self.tenant), l.id, s.installment, s.fromdate, s.duedate, s.principal, s.interest
            FROM unnest(\(PostgresArray(ids.map(String.init)))::bigint[]) AS l(id)
            CROSS JOIN unnest(\(PostgresArray(schedule.map { String($0.number) }))::int[],
                \(PostgresArray(schedule.map(\.fromDate.description)))::date[],
                \(PostgresArray(schedule.map(\.dueDate.description)))::date[],
                \(PostgresArray(schedule.map(\.principal.description)))::numeric[],
                \(PostgresArray(schedule.map(\.interest.description)))::numeric[])
                AS s(installment, fromdate, duedate, principal, interest)
            """
        )
        return ids
    }

    func makeLoan(
        _ accountNumber: String,
        product: Int64,
        client: Int64,
        terms: LoanScheduleTerms = LoanTestBank.goldenL1,
        watermark: String? = nil
    ) async throws -> Int64 {
        try await self.makeLoans(
            count: 1,
            prefix: accountNumber + "-",
            product: product,
            client: client,
            terms: terms,
            watermark: watermark
        )[0]
    }
}
