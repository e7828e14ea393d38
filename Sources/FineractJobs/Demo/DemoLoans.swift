import FineractDomain
import Foundation
import JobsCore
import Postgres

/// Demo loans of the demo loan product, disbursed over the past year, with their repayment
/// schedules, disbursement and repayment transactions, and derived balances.
///
/// Schedules come from `LoanScheduleGenerator`: with 30/360 days and interest per repayment period
/// the amounts do not depend on the disbursement date, so one schedule per principal is generated
/// and laid onto every loan of that principal. Installments due before the business date are paid,
/// except for a share of loans whose last one to three due installments are left unpaid, so COB has
/// penalties, delinquency and arrears to work on.
struct DemoLoans: Sendable {
    static let principals: [Decimal] = [1_000, 2_500, 5_000, 10_000, 20_000]

    let tenantID: String
    let products: DemoProducts
    let options: DemoDataSeeder.Options

    func create(on connection: PostgresConnection) async throws -> (loans: Int, scheduleRows: Int) {
        let businessDate = self.options.businessDate
        let loans = try await DemoDataSeeder.count(
            """
            INSERT INTO m_loan (
                tenant_id, account_no, client_id, product_id, loan_status_id, currency_code, currency_digits,
                principal_amount, annual_nominal_interest_rate, interest_method_enum,
                interest_calculated_in_period_enum, amortization_method_enum, repay_every,
                repayment_period_frequency_enum, number_of_repayments, days_in_year_enum, days_in_month_enum,
                disbursedon_date, interest_calculated_from_date, expected_maturedon_date, grace_on_arrears_ageing,
                last_closed_business_date)
            SELECT l.tenant_id, 'L' || lpad(l.i::text, 9, '0'), c.id, p.id, 300, p.currency_code, p.currency_digits,
                   (\(PostgresArray(Self.principals.map { "\($0)" }))::numeric[])[1 + l.i % \(Self.principals.count)], p.annual_nominal_interest_rate,
                   p.interest_method_enum, p.interest_calculated_in_period_enum, p.amortization_method_enum,
                   p.repay_every, p.repayment_period_frequency_enum, p.number_of_repayments, p.days_in_year_enum,
                   p.days_in_month_enum, l.disbursed, l.disbursed,
                   (l.disbursed + make_interval(months => p.number_of_repayments))::date, p.grace_on_arrears_ageing,
                   CASE WHEN l.disbursed <= \(businessDate.adding(days: -2))::date THEN \(businessDate.adding(days: -2))::date END
            FROM (SELECT \(self.tenantID) AS tenant_id, i, \(businessDate)::date - 1 - (i * 7919) % 340 AS disbursed
                  FROM generate_series(1, \(self.options.loansPerTenant)) AS i) AS l
            JOIN m_client c ON c.tenant_id = l.tenant_id
                           AND c.account_no = lpad((1 + (l.i * 3 - 1) % \(self.options.clientsPerTenant))::text, 9, '0')
            JOIN m_product_loan p ON p.id = \(self.products.loanProductID)
            """,
            on: connection
        )
        let scheduleRows = try await DemoDataSeeder.count(
            """
            INSERT INTO m_loan_repayment_schedule (
                tenant_id, loan_id, installment, fromdate, duedate, principal_amount, interest_amount,
                principal_completed_derived, interest_completed_derived, accrual_interest_derived,
                completed_derived, obligations_met_on_date)
            SELECT l.tenant_id, l.id, t.installment,
                   (l.disbursedon_date + make_interval(months => t.installment - 1))::date,
                   (l.disbursedon_date + make_interval(months => t.installment))::date,
                   t.principal, t.interest,
                   CASE WHEN s.paid THEN t.principal ELSE 0 END, CASE WHEN s.paid THEN t.interest ELSE 0 END,
                   CASE WHEN s.due THEN t.interest ELSE 0 END, s.paid,
                   CASE WHEN s.paid THEN (l.disbursedon_date + make_interval(months => t.installment))::date END
            FROM m_loan l
            JOIN jsonb_to_recordset(\(try self.templates())::jsonb)
                 AS t (principal_amount numeric, installment int, principal numeric, interest numeric)
              ON t.principal_amount = l.principal_amount
            CROSS JOIN LATERAL (
                SELECT (l.disbursedon_date + make_interval(months => t.installment))::date
                           < \(businessDate.adding(days: -1))::date AS due,
                       (l.disbursedon_date + make_interval(months => t.installment))::date
                           < \(businessDate.adding(days: -1))::date
                       AND NOT (l.id % 100 < \(self.options.overdueLoanPercent)
                                AND (l.disbursedon_date + make_interval(months => t.installment + 1 + (l.id % 3)::int))::date
                                    >= \(businessDate.adding(days: -1))::date) AS paid
            ) AS s
            WHERE l.tenant_id = \(self.tenantID)
            """,
            on: connection
        )
        try await self.recordTransactionsAndBalances(on: connection)
        return (loans, scheduleRows)
    }

    /// One schedule per principal, as JSON rows for the database to lay onto the loans.
    private func templates() throws -> PostgresJSON {
        var rows: [JSONValue] = []
        for principal in Self.principals {
            let terms = LoanScheduleTerms(
                principal: principal,
                annualInterestRate: Decimal(DemoProducts.loanAnnualRate),
                interestMethod: .decliningBalance,
                interestCalculationPeriod: .sameAsRepaymentPeriod,
                amortization: .equalInstallments,
                repayEvery: 1,
                repaymentFrequency: .months,
                numberOfRepayments: DemoProducts.loanRepayments,
                daysInYear: .days360,
                daysInMonth: .days30,
                disbursementDate: LocalDate(year: 2024, month: 1, day: 1),
                currency: Currency(code: "USD", digits: 2)
            )
            for installment in LoanScheduleGenerator(terms: terms).generate() {
                rows.append(
                    .object([
                        "principal_amount": .string("\(principal)"),
                        "installment": .integer(Int64(installment.number)),
                        "principal": .string("\(installment.principal)"),
                        "interest": .string("\(installment.interest)"),
                    ])
                )
            }
        }
        return PostgresJSON(text: JSONValue.array(rows).serialized())
    }

    private func recordTransactionsAndBalances(on connection: PostgresConnection) async throws {
        // Statistics that include the loans and schedules just written, so a second tenant seeded into
        // the same database is not planned as if it had none.
        try await connection.query("ANALYZE m_client, m_loan, m_loan_repayment_schedule")
        try await connection.query(
            """
            INSERT INTO m_loan_transaction (
                tenant_id, loan_id, office_id, transaction_type_enum, transaction_date, submitted_on_date, amount,
                principal_portion_derived, interest_portion_derived, outstanding_loan_balance_derived)
            SELECT l.tenant_id, l.id, c.office_id, 1, l.disbursedon_date, l.disbursedon_date, l.principal_amount,
                   l.principal_amount, 0, l.principal_amount
            FROM m_loan l JOIN m_client c ON c.tenant_id = l.tenant_id AND c.id = l.client_id
            WHERE l.tenant_id = \(self.tenantID)
            UNION ALL
            SELECT s.tenant_id, s.loan_id, c.office_id, 2, s.duedate, s.duedate,
                   s.principal_amount + s.interest_amount, s.principal_amount, s.interest_amount,
                   l.principal_amount - sum(s.principal_amount) OVER (PARTITION BY s.loan_id ORDER BY s.installment)
            FROM m_loan_repayment_schedule s
            JOIN m_loan l ON l.tenant_id = s.tenant_id AND l.id = s.loan_id
            JOIN m_client c ON c.tenant_id = l.tenant_id AND c.id = l.client_id
            WHERE s.tenant_id = \(self.tenantID) AND s.completed_derived
            """
        )
        try await connection.query(
            """
            UPDATE m_loan l
            SET principal_outstanding_derived = o.principal, interest_outstanding_derived = o.interest,
                total_outstanding_derived = o.principal + o.interest,
                accrued_till = o.last_due
            FROM (
                SELECT loan_id,
                       sum(principal_amount - principal_completed_derived) AS principal,
                       sum(interest_amount - interest_completed_derived) AS interest,
                       max(duedate) FILTER (WHERE duedate < \(self.options.businessDate.adding(days: -1))::date) AS last_due
                FROM m_loan_repayment_schedule WHERE tenant_id = \(self.tenantID)
                GROUP BY loan_id
            ) AS o
            WHERE l.tenant_id = \(self.tenantID) AND l.id = o.loan_id
            """
        )
    }
}
