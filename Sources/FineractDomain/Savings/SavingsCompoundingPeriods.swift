/// Step C of the interest calculation: the compounding periods inside one posting period, as
/// Fineract's `PostingPeriod` cuts them.
public enum SavingsCompoundingPeriods {
    /// The compounding periods of `postingPeriod`, in order.
    ///
    /// Daily compounding is one period spanning the whole posting period (its segments compound
    /// one into the next). Longer compounding cuts the posting period at each natural month,
    /// quarter, half-year or year end; the last piece ends with the posting period.
    public static func periods(
        in postingPeriod: ClosedRange<LocalDate>,
        compounding: SavingsInterestTerms.CompoundingPeriod,
        settings: SavingsInterestSettings
    ) -> [ClosedRange<LocalDate>] {
        guard compounding != .daily else { return [postingPeriod] }
        var periods: [ClosedRange<LocalDate>] = []
        var start = postingPeriod.lowerBound
        while start <= postingPeriod.upperBound {
            let natural = self.naturalEnd(
                ofPeriodStartingOn: start,
                compounding: compounding,
                financialYearEndMonth: settings.financialYearEndMonth
            )
            let end = min(natural, postingPeriod.upperBound)
            periods.append(start...end)
            start = end.adding(days: 1)
        }
        return periods
    }

    /// Whether interest earned in `period` joins the compounded interest at its end: only when the
    /// period ends on its natural boundary (always, for daily compounding). Interest of a period cut
    /// short waits, uncompounded, for the boundary.
    public static func compoundsAtEnd(
        of period: ClosedRange<LocalDate>,
        compounding: SavingsInterestTerms.CompoundingPeriod,
        settings: SavingsInterestSettings
    ) -> Bool {
        guard compounding != .daily else { return true }
        let natural = self.naturalEnd(
            ofPeriodStartingOn: period.lowerBound,
            compounding: compounding,
            financialYearEndMonth: settings.financialYearEndMonth
        )
        return natural == period.upperBound
    }

    /// The natural end of a compounding period starting on `start`.
    ///
    /// Unlike posting periods, a quarter or half that starts on its own last day ends that day.
    /// Fineract takes February's length from the business date's year here; this takes it from the
    /// period's own year, which is what is meant and never names a day that does not exist.
    static func naturalEnd(
        ofPeriodStartingOn start: LocalDate,
        compounding: SavingsInterestTerms.CompoundingPeriod,
        financialYearEndMonth: Int
    ) -> LocalDate {
        switch compounding {
        case .daily:
            return start
        case .monthly:
            return start.endOfMonth
        case .quarterly:
            return self.boundary(onOrAfter: start, every: 3, financialYearEndMonth: financialYearEndMonth)
        case .biAnnual:
            return self.boundary(onOrAfter: start, every: 6, financialYearEndMonth: financialYearEndMonth)
        case .annual:
            let end = LocalDate.monthEnd(year: start.year, month: financialYearEndMonth)
            // Java's plusYears keeps the day where it can, so a February end moves to the 28th.
            return end < start ? end.adding(months: 12) : end
        }
    }

    private static func boundary(onOrAfter start: LocalDate, every months: Int, financialYearEndMonth: Int) -> LocalDate
    {
        let boundaryMonths = LocalDate.boundaryMonths(every: months, from: financialYearEndMonth)
        if let month = boundaryMonths.first(where: { $0 >= start.month }) {
            return LocalDate.monthEnd(year: start.year, month: month)
        }
        return LocalDate.monthEnd(year: start.year + 1, month: boundaryMonths[0])
    }
}
