public import Foundation

/// The interest of one account, period by period, from its interest start date up to a
/// calculation date.
public struct SavingsInterestCalculation: Sendable, Hashable {
    /// One posting period and what it earned.
    public struct Period: Sendable, Hashable {
        /// The days the period covers; the last period may run past the calculation date, but only
        /// days up to that date earned interest.
        public var interval: ClosedRange<LocalDate>
        /// The date the period's interest is (or will be) posted on.
        public var postingDate: LocalDate
        /// The sum of the compounding periods' unrounded (9-place) interest.
        public var unroundedInterest: Decimal
        /// The interest as money, rounded to the currency (Fineract's `Money.of`); negative when the
        /// account paid overdraft interest.
        public var amount: Decimal

        public init(
            interval: ClosedRange<LocalDate>,
            postingDate: LocalDate,
            unroundedInterest: Decimal,
            amount: Decimal
        ) {
            self.interval = interval
            self.postingDate = postingDate
            self.unroundedInterest = unroundedInterest
            self.amount = amount
        }
    }

    /// Every posting period from the interest start date, the open one last.
    public var periods: [Period]
    /// The date interest was calculated up to, inclusive.
    public var calculationDate: LocalDate

    public init(periods: [Period], calculationDate: LocalDate) {
        self.periods = periods
        self.calculationDate = calculationDate
    }

    /// Fineract's `total_interest_earned_derived`: the rounded interest of every period, the open
    /// one included, so interest accrued but not yet posted counts.
    public var totalInterestEarned: Decimal {
        self.periods.reduce(Decimal.zero) { $0 + $1.amount }
    }

    /// The periods whose posting date has come by `businessDate`: the ones a posting run posts.
    public func periodsDue(by businessDate: LocalDate) -> [Period] {
        self.periods.filter { $0.postingDate <= businessDate }
    }
}
