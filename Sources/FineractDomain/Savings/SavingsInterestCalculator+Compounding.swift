import Foundation

extension SavingsInterestCalculator {
    /// Step D: the interest of one compounding period at a time, with the interest compounded so far.
    ///
    /// `compounded` is Fineract's `C`: all interest earned in compounding periods that have ended on
    /// their boundary, unrounded, never reset by posting. `uncompounded` holds the interest of
    /// periods cut short (by a manual posting or the calculation date) until a boundary comes.
    struct CalculationState {
        let compounding: SavingsInterestTerms.CompoundingPeriod
        let calculationType: SavingsInterestTerms.CalculationType
        let roundingMode: MoneyRoundingMode
        /// `min_balance_for_interest_calculation` as money; balances below it earn nothing.
        let minBalance: Decimal
        /// `min_overdraft_for_interest_calculation` as money; overdrafts smaller than it cost nothing.
        let minOverdraft: Decimal
        var rate: SavingsInterestRate
        /// Made on first use: most accounts are never overdrawn.
        private var overdraftRateIfUsed: SavingsInterestRate?
        private let overdraftPercent: Decimal
        private let daysInYear: SavingsInterestTerms.DaysInYear
        private let ratePrecision: Int
        private(set) var compounded = Decimal.zero
        private(set) var uncompounded = Decimal.zero

        init(terms: SavingsInterestTerms, settings: SavingsInterestSettings, purpose: Purpose) {
            self.compounding = terms.compounding
            self.calculationType = terms.calculationType
            self.roundingMode = settings.roundingMode
            self.minBalance = terms.currency.money(
                terms.minBalanceForInterestCalculation ?? 0,
                rounding: self.roundingMode
            )
            self.minOverdraft = terms.currency.money(
                terms.minOverdraftForInterestCalculation ?? 0,
                rounding: self.roundingMode
            )
            self.rate = SavingsInterestRate(
                nominalPercent: terms.nominalAnnualInterestRate,
                daysInYear: terms.daysInYear,
                ratePrecision: purpose.ratePrecision,
                roundingMode: settings.roundingMode
            )
            self.overdraftPercent = terms.overdraftInterestRate ?? 0
            self.daysInYear = terms.daysInYear
            self.ratePrecision = purpose.ratePrecision
        }

        /// The overdraft rate, worked out the first time a balance is negative.
        private var overdraftRate: SavingsInterestRate {
            mutating get {
                if let known = self.overdraftRateIfUsed {
                    return known
                }
                let rate = SavingsInterestRate(
                    nominalPercent: self.overdraftPercent,
                    daysInYear: self.daysInYear,
                    ratePrecision: self.ratePrecision,
                    roundingMode: self.roundingMode
                )
                self.overdraftRateIfUsed = rate
                return rate
            }
            set {
                self.overdraftRateIfUsed = newValue
            }
        }

        /// The unrounded interest of one compounding period's segments.
        mutating func interest(on segments: [SavingsBalanceSegment]) -> Decimal {
            switch (self.compounding, self.calculationType) {
            case (.daily, _):
                // Daily compounding ignores the calculation type, as Fineract's daily period does.
                return self.dailyCompoundedInterest(on: segments)
            case (_, .dailyBalance):
                var earned = Decimal.zero
                for segment in segments {
                    earned += self.simpleInterest(on: segment.balance + self.compounded, days: segment.days)
                }
                return earned
            case (_, .averageDailyBalance):
                return self.averageDailyBalanceInterest(on: segments)
            }
        }

        /// Adds a compounding period's interest to the uncompounded sum, and moves that sum into the
        /// compounded interest when the period ended on its boundary.
        mutating func accumulate(_ interest: Decimal, compounds: Bool) {
            self.uncompounded += interest
            if compounds {
                self.compounded += self.uncompounded
                self.uncompounded = .zero
            }
        }

        /// Simple interest on a balance: the nominal rate at or above the minimum balance, the
        /// overdraft rate below minus the minimum overdraft, nothing in between.
        private mutating func simpleInterest(on balance: Decimal, days: Int) -> Decimal {
            if !balance.isSignMinus {
                return self.reachesMinimum(balance) ? self.rate.simpleInterest(on: balance, days: days) : .zero
            }
            return self.exceedsMinimumOverdraft(balance)
                ? self.overdraftRate.simpleInterest(on: balance, days: days) : .zero
        }

        /// `balance >= min_balance_for_interest_calculation`, for a balance of zero or more; sign
        /// tests stand in for comparisons where they can, as Decimal comparisons are not cheap.
        private func reachesMinimum(_ balance: Decimal) -> Bool {
            self.minBalance.isZero || self.minBalance.isSignMinus || balance >= self.minBalance
        }

        /// `balance < -min_overdraft_for_interest_calculation`, for a negative balance.
        private func exceedsMinimumOverdraft(_ balance: Decimal) -> Bool {
            (self.minOverdraft.isZero && !balance.isZero) || balance < -self.minOverdraft
        }

        /// Daily compounding: each segment earns on its balance plus all interest before it,
        /// including the segments before it in this period.
        private mutating func dailyCompoundedInterest(on segments: [SavingsBalanceSegment]) -> Decimal {
            var interestToCompound = self.compounded
            var earned = Decimal.zero
            for segment in segments {
                let presentValue = segment.balance + interestToCompound
                let interest: Decimal
                if !presentValue.isSignMinus, self.reachesMinimum(presentValue) {
                    interest = self.rate.compoundInterest(on: presentValue, days: segment.days)
                } else if presentValue.isSignMinus, self.exceedsMinimumOverdraft(presentValue) {
                    interest = self.overdraftRate.compoundInterest(on: presentValue, days: segment.days)
                } else {
                    // Fineract's future value is then the present value at 9 places: no interest.
                    interest = presentValue.rounded(scale: 9, self.roundingMode) - presentValue
                }
                interestToCompound = (interestToCompound + interest).roundedToDecimal64
                earned += interest
            }
            return earned
        }

        /// Average daily balance: the day-weighted average of the period's balances (plus compounded
        /// interest) earns for all the period's days, if it reaches the minimum balance.
        private mutating func averageDailyBalanceInterest(on segments: [SavingsBalanceSegment]) -> Decimal {
            var cumulative = Decimal.zero
            var days = 0
            for segment in segments {
                let balanceDays = ((segment.balance + self.compounded) * Decimal(segment.days)).roundedToDecimal64
                cumulative += balanceDays.rounded(scale: 9, self.roundingMode)
                days += segment.days
            }
            guard !cumulative.isZero, days > 0 else { return .zero }
            let average = (cumulative / Decimal(days)).roundedToDecimal64.rounded(scale: 9, self.roundingMode)
            return self.simpleInterest(on: average, days: days)
        }
    }
}
