public import Foundation

/// The interest terms of one savings account.
///
/// Fineract copies them from the product onto the account when the account is created, so each
/// account carries its own and a later product change does not alter open accounts. The enum codes
/// are the ones Fineract stores in `m_savings_account`.
public struct SavingsInterestTerms: Sendable, Hashable {
    /// How often earned interest joins the balance that interest is calculated on
    /// (`interest_compounding_period_enum`). Fineract's weekly and bi-weekly codes are disabled.
    public enum CompoundingPeriod: Int, Sendable, CaseIterable {
        case daily = 1
        case monthly = 4
        case quarterly = 5
        case biAnnual = 6
        case annual = 7
    }

    /// How often interest is posted to the account (`interest_posting_period_enum`).
    public enum PostingPeriod: Int, Sendable, CaseIterable {
        case daily = 1
        case monthly = 4
        case quarterly = 5
        case biAnnual = 6
        case annual = 7
    }

    /// Which balance a compounding period earns on (`interest_calculation_type_enum`).
    public enum CalculationType: Int, Sendable, CaseIterable {
        /// Each end-of-day balance earns for the days it held.
        case dailyBalance = 1
        /// The period's average end-of-day balance earns for all its days.
        case averageDailyBalance = 2
    }

    /// The year length of the daily rate (`interest_calculation_days_in_year_type_enum`). Fineract
    /// has no actual/actual option: a leap year still divides by 365.
    public enum DaysInYear: Int, Sendable, CaseIterable {
        case days360 = 360
        case days365 = 365
    }

    /// The nominal annual rate in percent, e.g. 10 for 10 %.
    public var nominalAnnualInterestRate: Decimal
    public var compounding: CompoundingPeriod
    public var posting: PostingPeriod
    public var calculationType: CalculationType
    public var daysInYear: DaysInYear
    /// Balances (or, for the average daily balance, the average) below this earn nothing; nil is none.
    public var minBalanceForInterestCalculation: Decimal?
    public var allowOverdraft: Bool
    /// The nominal annual rate in percent that negative balances are charged; nil is none.
    public var overdraftInterestRate: Decimal?
    /// Negative balances earn overdraft interest only below minus this amount; nil is zero.
    public var minOverdraftForInterestCalculation: Decimal?
    /// The account's currency, which rounds every posted amount.
    public var currency: Currency

    public init(
        nominalAnnualInterestRate: Decimal,
        compounding: CompoundingPeriod,
        posting: PostingPeriod,
        calculationType: CalculationType,
        daysInYear: DaysInYear,
        minBalanceForInterestCalculation: Decimal? = nil,
        allowOverdraft: Bool = false,
        overdraftInterestRate: Decimal? = nil,
        minOverdraftForInterestCalculation: Decimal? = nil,
        currency: Currency
    ) {
        self.nominalAnnualInterestRate = nominalAnnualInterestRate
        self.compounding = compounding
        self.posting = posting
        self.calculationType = calculationType
        self.daysInYear = daysInYear
        self.minBalanceForInterestCalculation = minBalanceForInterestCalculation
        self.allowOverdraft = allowOverdraft
        self.overdraftInterestRate = overdraftInterestRate
        self.minOverdraftForInterestCalculation = minOverdraftForInterestCalculation
        self.currency = currency
    }

    /// Whether the interest jobs have anything to calculate: Fineract's posting job skips accounts
    /// with a zero nominal rate, unless they may be overdrawn at a non-zero overdraft rate.
    public var earnsInterest: Bool {
        if !self.nominalAnnualInterestRate.isZero {
            return true
        }
        guard self.allowOverdraft, let overdraftRate = self.overdraftInterestRate else { return false }
        return !overdraftRate.isZero
    }

    /// Whether the compounding period fits inside the posting period, as Fineract validates when a
    /// product is saved: interest cannot compound less often than it is posted.
    public var compoundingFitsPosting: Bool {
        // The codes of both enums grow with the length of the period they name.
        self.compounding.rawValue <= self.posting.rawValue
    }
}
