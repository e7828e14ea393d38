/// Step B of the interest calculation: the posting periods of an account, Fineract's
/// `determineInterestPostingPeriods`.
///
/// Periods run back to back from the interest start date. Each ends on its natural boundary (the
/// same day, the month end, or the next quarter, half-year or year end counted from the tenant's
/// financial year), or the day before a manual "post interest as on" posting, which splits the
/// period it falls in. Periods are generated while they start on or before the calculation date,
/// so the last one is usually still open.
public enum SavingsPostingPeriods {
    /// The posting periods from `start` up to the one containing `calculationDate`.
    ///
    /// - Parameters:
    ///   - start: the account's interest start date (`start_interest_calculation_date`, else its
    ///     activation date).
    ///   - calculationDate: the last day interest is calculated for.
    ///   - period: the account's posting period.
    ///   - settings: the tenant's financial year.
    ///   - manualPostingDates: dates of live manual interest postings.
    /// - Returns: the periods as inclusive date ranges, in order.
    public static func periods(
        from start: LocalDate,
        through calculationDate: LocalDate,
        period: SavingsInterestTerms.PostingPeriod,
        settings: SavingsInterestSettings,
        manualPostingDates: [LocalDate] = []
    ) -> [ClosedRange<LocalDate>] {
        let splits = manualPostingDates.sorted()
        var periods: [ClosedRange<LocalDate>] = []
        var periodStart = start
        while periodStart <= calculationDate {
            var periodEnd = self.naturalEnd(
                ofPeriodStartingOn: periodStart,
                period: period,
                financialYearEndMonth: settings.financialYearEndMonth
            )
            // A manual posting after the start ends the period the day before it.
            if let split = splits.first(where: { $0 > periodStart && $0 <= periodEnd }) {
                periodEnd = split.adding(days: -1)
            }
            periods.append(periodStart...periodEnd)
            periodStart = periodEnd.adding(days: 1)
        }
        return periods
    }

    /// The date of the posting transaction for a period: the day after its end, or its last day
    /// when the tenant posts on the period end.
    public static func postingDate(of period: ClosedRange<LocalDate>, settings: SavingsInterestSettings) -> LocalDate {
        settings.postsOnPeriodEnd ? period.upperBound : period.upperBound.adding(days: 1)
    }

    /// The last day of a posting period that starts on `start` and is not split.
    ///
    /// Quarters and halves end at the first boundary strictly after the start, as in Fineract's
    /// `SavingsHelper`; a period starting on a boundary therefore runs to the next one.
    static func naturalEnd(
        ofPeriodStartingOn start: LocalDate,
        period: SavingsInterestTerms.PostingPeriod,
        financialYearEndMonth: Int
    ) -> LocalDate {
        switch period {
        case .daily:
            return start
        case .monthly:
            return start.endOfMonth
        case .quarterly:
            return self.firstBoundary(after: start, every: 3, financialYearEndMonth: financialYearEndMonth)
        case .biAnnual:
            return self.firstBoundary(after: start, every: 6, financialYearEndMonth: financialYearEndMonth)
        case .annual:
            let year = financialYearEndMonth < start.month ? start.year + 1 : start.year
            return LocalDate.monthEnd(year: year, month: financialYearEndMonth)
        }
    }

    /// The first month end after `start` among the boundaries every `months` months from the end
    /// of the financial year.
    private static func firstBoundary(after start: LocalDate, every months: Int, financialYearEndMonth: Int)
        -> LocalDate
    {
        let boundaries = LocalDate.boundaryMonths(every: months, from: financialYearEndMonth)
            .map { LocalDate.monthEnd(year: start.year, month: $0) }
        if let next = boundaries.first(where: { $0 > start }) {
            return next
        }
        return LocalDate.monthEnd(year: start.year + 1, month: boundaries[0].month)
    }
}

extension LocalDate {
    /// The last day of `month` in `year`.
    static func monthEnd(year: Int, month: Int) -> LocalDate {
        LocalDate(year: year, month: month, day: LocalDate.length(ofMonth: month, year: year))
    }

    /// The months (1–12, ascending) that end a period of `months` months, counted from `month`.
    static func boundaryMonths(every months: Int, from month: Int) -> [Int] {
        stride(from: 0, to: 12, by: months).map { (month - 1 + $0) % 12 + 1 }.sorted()
    }
}
