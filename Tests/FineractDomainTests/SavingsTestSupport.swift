import FineractDomain
import Foundation

/// Builders for the savings interest tests: terms with the common defaults of the cases in the
/// Fineract domain notes (10 %, 365 days, daily balance) and transactions by date text.
enum SavingsTestSupport {
    static let usd2 = Currency(code: "USD", digits: 2)

    static func terms(
        rate: String = "10",
        compounding: SavingsInterestTerms.CompoundingPeriod,
        posting: SavingsInterestTerms.PostingPeriod,
        calculation: SavingsInterestTerms.CalculationType = .dailyBalance,
        daysInYear: SavingsInterestTerms.DaysInYear = .days365,
        minBalance: String? = nil,
        allowOverdraft: Bool = false,
        overdraftRate: String? = nil,
        minOverdraft: String? = nil,
        currency: Currency = usd2
    ) -> SavingsInterestTerms {
        SavingsInterestTerms(
            nominalAnnualInterestRate: self.decimal(rate),
            compounding: compounding,
            posting: posting,
            calculationType: calculation,
            daysInYear: daysInYear,
            minBalanceForInterestCalculation: minBalance.map(self.decimal),
            allowOverdraft: allowOverdraft,
            overdraftInterestRate: overdraftRate.map(self.decimal),
            minOverdraftForInterestCalculation: minOverdraft.map(self.decimal),
            currency: currency
        )
    }

    static func date(_ text: String) -> LocalDate {
        guard let date = LocalDate(text) else { preconditionFailure("bad test date \(text)") }
        return date
    }

    static func decimal(_ text: String) -> Decimal {
        guard let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else {
            preconditionFailure("bad test amount \(text)")
        }
        return value
    }

    static func transaction(
        _ id: Int64,
        _ type: SavingsTransactionType,
        _ date: String,
        _ amount: String,
        reversed: Bool = false,
        manual: Bool = false
    ) -> SavingsTransaction {
        SavingsTransaction(
            id: id,
            type: type,
            date: self.date(date),
            amount: self.decimal(amount),
            isReversed: reversed,
            isManual: manual
        )
    }

    /// Runs the calculation for posting with default tenant settings unless given.
    static func calculate(
        _ terms: SavingsInterestTerms,
        _ transactions: [SavingsTransaction],
        start: String,
        through calculationDate: String,
        settings: SavingsInterestSettings = SavingsInterestSettings(),
        purpose: SavingsInterestCalculator.Purpose = .posting
    ) throws -> SavingsInterestCalculation {
        try SavingsInterestCalculator(terms: terms, settings: settings, purpose: purpose).calculate(
            transactions: transactions,
            interestStartDate: self.date(start),
            through: self.date(calculationDate)
        )
    }

    /// The due periods as (posting date, unrounded, amount) texts, for compact expectations.
    static func postings(_ calculation: SavingsInterestCalculation, dueBy businessDate: String) -> [Expected] {
        calculation.periodsDue(by: self.date(businessDate)).map {
            Expected($0.postingDate.description, $0.unroundedInterest, $0.amount)
        }
    }

    struct Expected: Equatable, CustomStringConvertible {
        var date: String
        var unrounded: Decimal
        var amount: Decimal

        init(_ date: String, _ unrounded: Decimal, _ amount: Decimal) {
            self.date = date
            self.unrounded = unrounded
            self.amount = amount
        }

        init(_ date: String, _ unrounded: String, _ amount: String) {
            self.init(date, SavingsTestSupport.decimal(unrounded), SavingsTestSupport.decimal(amount))
        }

        var description: String { "\(self.date): \(self.unrounded) → \(self.amount)" }
    }
}
