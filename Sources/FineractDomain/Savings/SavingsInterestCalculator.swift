import Foundation

/// Fineract's savings interest calculation (`calculateInterestUsing` and the posting and
/// compounding periods behind it), for one account.
///
/// The steps: end-of-day balances from the transactions (A), posting periods from the interest
/// start date (B), compounding periods inside each (C), interest per compounding period with
/// Fineract's precision (D), and each posting period's sum as money (E). Interest compounds into
/// every later period, posted or not: Fineract only forgets compounded interest when it is
/// transferred out of the account, which ordinary savings accounts never do.
public struct SavingsInterestCalculator: Sendable {
    /// What the calculation is for, which fixes the precision of the rate fraction as Fineract
    /// does: its posting path divides the nominal rate by 100 to 10 significant digits, its
    /// `calculateInterest` command to 15.
    public enum Purpose: Sendable {
        case posting
        case calculation

        var ratePrecision: Int {
            switch self {
            case .posting: 10
            case .calculation: 15
            }
        }
    }

    public var terms: SavingsInterestTerms
    public var settings: SavingsInterestSettings
    public var purpose: Purpose

    public init(terms: SavingsInterestTerms, settings: SavingsInterestSettings, purpose: Purpose) {
        self.terms = terms
        self.settings = settings
        self.purpose = purpose
    }

    /// Calculates the account's interest from `interestStartDate` through `calculationDate`.
    ///
    /// - Parameters:
    ///   - transactions: the account's whole history, reversed rows and interest postings included
    ///     (postings are not part of the balance, but manual ones end posting periods).
    ///   - interestStartDate: `start_interest_calculation_date`, else the activation date.
    ///   - calculationDate: the last day that earns interest.
    /// - Throws: `SavingsInterestError` when the terms are inconsistent.
    public func calculate(
        transactions: [SavingsTransaction],
        interestStartDate: LocalDate,
        through calculationDate: LocalDate
    ) throws(SavingsInterestError) -> SavingsInterestCalculation {
        guard self.terms.compoundingFitsPosting else {
            throw SavingsInterestError(
                code: .compoundingLongerThanPosting,
                message:
                    "compounding period \(self.terms.compounding) is longer than posting period \(self.terms.posting)"
            )
        }
        let manualPostingDates = transactions.filter { $0.isLive && $0.isManual && $0.type == .interestPosting }
            .map(\.date)
        let postingPeriods = SavingsPostingPeriods.periods(
            from: interestStartDate,
            through: calculationDate,
            period: self.terms.posting,
            settings: self.settings,
            manualPostingDates: manualPostingDates
        )
        let segments = SavingsDailyBalances.segments(
            of: transactions,
            allowOverdraft: self.terms.allowOverdraft,
            currency: self.terms.currency,
            rounding: self.settings.roundingMode,
            through: calculationDate
        )
        var state = CalculationState(terms: self.terms, settings: self.settings, purpose: self.purpose)
        var periods: [SavingsInterestCalculation.Period] = []
        periods.reserveCapacity(postingPeriods.count)
        var window = SavingsSegmentWindow(segments)
        for postingPeriod in postingPeriods {
            let periodSegments = window.segments(within: postingPeriod, through: calculationDate)
            var interest = Decimal.zero
            let compoundingPeriods = SavingsCompoundingPeriods.periods(
                in: postingPeriod,
                compounding: self.terms.compounding,
                settings: self.settings
            )
            for compoundingPeriod in compoundingPeriods {
                let earned = state.interest(on: periodSegments.compactMap { $0.cropped(to: compoundingPeriod) })
                let compounds = SavingsCompoundingPeriods.compoundsAtEnd(
                    of: compoundingPeriod,
                    compounding: self.terms.compounding,
                    settings: self.settings
                )
                state.accumulate(earned, compounds: compounds)
                interest += earned
            }
            periods.append(
                SavingsInterestCalculation.Period(
                    interval: postingPeriod,
                    postingDate: SavingsPostingPeriods.postingDate(of: postingPeriod, settings: self.settings),
                    unroundedInterest: interest,
                    amount: self.terms.currency.money(interest, rounding: self.settings.roundingMode)
                )
            )
        }
        return SavingsInterestCalculation(periods: periods, calculationDate: calculationDate)
    }
}
