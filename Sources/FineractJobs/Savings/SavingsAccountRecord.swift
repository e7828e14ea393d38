import FineractDomain
import Foundation
import Postgres

/// One active savings account as the interest jobs read it: its terms, dates, and the derived
/// figures a run may change.
struct SavingsAccountRecord: Sendable {
    var id: Int64
    var officeID: Int64
    var productID: Int64
    /// The product's `accounting_type`: 1 none, 2 cash, 3 and 4 accrual. Anything but 1 posts
    /// journal entries.
    var accountingType: Int
    var terms: SavingsInterestTerms
    /// `start_interest_calculation_date`, else the activation date.
    var interestStartDate: LocalDate
    var summary: Summary

    /// The account's derived figures (`m_savings_account`).
    struct Summary: Sendable, Hashable {
        var accountBalance: Decimal
        var totalInterestPosted: Decimal
        var totalOverdraftInterest: Decimal
        var totalInterestEarned: Decimal
        var lastInterestCalculationDate: LocalDate?
        var interestPostedTillDate: LocalDate?
    }

    var hasAccounting: Bool { self.accountingType != 1 }

    /// The columns `init(row:)` reads, from `m_savings_account a` joined to its product `p`.
    static let columns = """
        a.id, a.office_id, a.product_id, p.accounting_type, a.currency_code, a.currency_digits,
        a.currency_multiplesof, a.nominal_annual_interest_rate, a.interest_compounding_period_enum,
        a.interest_posting_period_enum, a.interest_calculation_type_enum,
        a.interest_calculation_days_in_year_type_enum, a.min_balance_for_interest_calculation,
        a.allow_overdraft, a.nominal_annual_interest_rate_overdraft, a.min_overdraft_for_interest_calculation,
        a.activatedon_date, a.start_interest_calculation_date, a.account_balance_derived,
        a.total_interest_posted_derived, a.total_overdraft_interest_derived, a.total_interest_earned_derived,
        a.last_interest_calculation_date, a.interest_posted_till_date
        """

    /// Reads an account row.
    ///
    /// - Throws: `SavingsAccountFailure.Reason` for terms Fineract would not have saved (unknown
    ///   enum codes, impossible currency digits, no activation date); `PostgresError` for a value
    ///   of the wrong shape.
    init(row: PostgresRow) throws {
        self.id = try row.decode("id")
        self.officeID = try row.decode("office_id")
        self.productID = try row.decode("product_id")
        self.accountingType = try row.decode("accounting_type")
        let digits: Int = try row.decode("currency_digits")
        guard (0...6).contains(digits) else {
            throw SavingsAccountFailure.Reason("currency_digits \(digits) is not between 0 and 6")
        }
        let currency = Currency(
            code: try row.decode("currency_code"),
            digits: digits,
            multiplesOf: try row.decode("currency_multiplesof")
        )
        self.terms = SavingsInterestTerms(
            nominalAnnualInterestRate: try row.decode("nominal_annual_interest_rate"),
            compounding: try Self.code(row, "interest_compounding_period_enum"),
            posting: try Self.code(row, "interest_posting_period_enum"),
            calculationType: try Self.code(row, "interest_calculation_type_enum"),
            daysInYear: try Self.code(row, "interest_calculation_days_in_year_type_enum"),
            minBalanceForInterestCalculation: try row.decode("min_balance_for_interest_calculation"),
            allowOverdraft: try row.decode("allow_overdraft"),
            overdraftInterestRate: try row.decode("nominal_annual_interest_rate_overdraft"),
            minOverdraftForInterestCalculation: try row.decode("min_overdraft_for_interest_calculation"),
            currency: currency
        )
        let activation: LocalDate? = try row.decode("activatedon_date")
        let start: LocalDate? = try row.decode("start_interest_calculation_date")
        guard let firstDay = start ?? activation else {
            throw SavingsAccountFailure.Reason("an active account without an activation date")
        }
        self.interestStartDate = firstDay
        self.summary = Summary(
            accountBalance: try row.decode("account_balance_derived"),
            totalInterestPosted: try row.decode("total_interest_posted_derived"),
            totalOverdraftInterest: try row.decode("total_overdraft_interest_derived"),
            totalInterestEarned: try row.decode("total_interest_earned_derived"),
            lastInterestCalculationDate: try row.decode("last_interest_calculation_date"),
            interestPostedTillDate: try row.decode("interest_posted_till_date")
        )
    }

    private static func code<Code: RawRepresentable<Int>>(_ row: PostgresRow, _ column: String) throws -> Code {
        let value: Int = try row.decode(column)
        guard let code = Code(rawValue: value) else {
            throw SavingsAccountFailure.Reason("\(column) \(value) is not a code Fineract defines")
        }
        return code
    }
}

/// An account a run could not process, and why; the run records it and goes on with the others.
struct SavingsAccountFailure: Sendable, Hashable, Codable {
    var accountID: Int64
    /// Safe to show: names columns, codes and SQLSTATEs, never amounts or SQL.
    var reason: String

    /// A reason thrown while an account's data is read or planned.
    struct Reason: Error, Sendable, CustomStringConvertible {
        var description: String

        init(_ description: String) {
            self.description = description
        }
    }
}
