public import Foundation

/// What a loan's repayment schedule is generated from: the loan's terms as `m_loan` stores them.
///
/// The nested enums carry Fineract's integer codes, so a value read from the database maps
/// directly onto a case (`InterestMethod(rawValue: interest_method_enum)`).
public struct LoanScheduleTerms: Sendable, Hashable {
    /// `interest_method_enum`.
    public enum InterestMethod: Int, Sendable, CaseIterable {
        case decliningBalance = 0
        case flat = 1
    }

    /// `interest_calculated_in_period_enum`: how a period's interest rate is derived.
    public enum InterestCalculationPeriod: Int, Sendable, CaseIterable {
        /// The annual rate spread over the days of the period.
        case daily = 0
        /// The annual rate divided by the number of repayment periods in a year.
        case sameAsRepaymentPeriod = 1
    }

    /// `amortization_method_enum`.
    public enum AmortizationMethod: Int, Sendable, CaseIterable {
        case equalPrincipal = 0
        case equalInstallments = 1
    }

    /// `repayment_period_frequency_enum` (also a charge's `fee_frequency`).
    public enum PeriodFrequency: Int, Sendable, CaseIterable {
        case days = 0
        case weeks = 1
        case months = 2
        case years = 3

        /// `date` moved forward by `count` of these periods, months clamped as `java.time` does.
        public func advance(_ date: LocalDate, by count: Int) -> LocalDate {
            switch self {
            case .days: date.adding(days: count)
            case .weeks: date.adding(days: 7 * count)
            case .months: date.adding(months: count)
            case .years: date.adding(months: 12 * count)
            }
        }
    }

    /// `days_in_year_enum`.
    public enum DaysInYear: Int, Sendable, CaseIterable {
        /// The length of the calendar year (365 or 366).
        case actual = 1
        case days360 = 360
        case days364 = 364
        case days365 = 365
    }

    /// `days_in_month_enum`.
    public enum DaysInMonth: Int, Sendable, CaseIterable {
        case actual = 1
        case days30 = 30
    }

    public var principal: Decimal
    /// The nominal annual rate in percent (10 for 10 %).
    public var annualInterestRate: Decimal
    public var interestMethod: InterestMethod
    public var interestCalculationPeriod: InterestCalculationPeriod
    public var amortization: AmortizationMethod
    /// Periods of `repaymentFrequency` between two due dates.
    public var repayEvery: Int
    public var repaymentFrequency: PeriodFrequency
    public var numberOfRepayments: Int
    public var daysInYear: DaysInYear
    public var daysInMonth: DaysInMonth
    public var disbursementDate: LocalDate
    public var currency: Currency
    /// The tenant's `rounding-mode`, used for money and for the 19-digit arithmetic context.
    public var roundingMode: MoneyRoundingMode

    public init(
        principal: Decimal,
        annualInterestRate: Decimal,
        interestMethod: InterestMethod = .decliningBalance,
        interestCalculationPeriod: InterestCalculationPeriod = .sameAsRepaymentPeriod,
        amortization: AmortizationMethod = .equalInstallments,
        repayEvery: Int = 1,
        repaymentFrequency: PeriodFrequency = .months,
        numberOfRepayments: Int,
        daysInYear: DaysInYear = .days365,
        daysInMonth: DaysInMonth = .actual,
        disbursementDate: LocalDate,
        currency: Currency,
        roundingMode: MoneyRoundingMode = .fineractDefault
    ) {
        self.principal = principal
        self.annualInterestRate = annualInterestRate
        self.interestMethod = interestMethod
        self.interestCalculationPeriod = interestCalculationPeriod
        self.amortization = amortization
        self.repayEvery = repayEvery
        self.repaymentFrequency = repaymentFrequency
        self.numberOfRepayments = numberOfRepayments
        self.daysInYear = daysInYear
        self.daysInMonth = daysInMonth
        self.disbursementDate = disbursementDate
        self.currency = currency
        self.roundingMode = roundingMode
    }
}
