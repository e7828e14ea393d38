public import Foundation

extension LoanScheduleGenerator {
    /// The interest rate of the period from `from` to `to`, as a fraction (0.0083… for 10 % a
    /// year over one month), following Fineract's `LoanApplicationTerms.periodicInterestRate`.
    ///
    /// - Same as repayment period: the annual rate over the number of repayment periods in a
    ///   year (12 months, 52 weeks, 1 year, or the days of the days-in-year setting, 365 for
    ///   actual), times `repayEvery`; the length of the month plays no part.
    /// - Daily: the annual rate per day of the year times the days of the period. Days are the
    ///   actual days between the dates, except that a month counts 30 days under days-in-month 30
    ///   and a year counts 360/364/365 days under those days-in-year settings.
    ///
    /// With days-in-year "actual" and daily interest, each day is divided by the length of its
    /// own calendar year, so a period inside a leap year divides by 366 and a period across New
    /// Year splits its days between the two years. Fineract describes actual as "the calendar
    /// year"; how it treats a period spanning two years was not traced, and this split is our
    /// reading of it.
    public func periodRate(from: LocalDate, to: LocalDate) -> Decimal {
        let annual = self.terms.annualInterestRate
        switch self.terms.interestCalculationPeriod {
        case .sameAsRepaymentPeriod:
            let perYear = Decimal(self.repaymentPeriodsPerYear)
            let perPeriod = self.context(self.context(annual / perYear) / 100)
            return self.context(perPeriod * Decimal(self.terms.repayEvery))
        case .daily:
            if self.terms.daysInYear == .actual, let days = self.daysCountedAsActual(from: from, to: to) {
                return self.actualYearRate(from: from, days: days)
            }
            let daysInYear = Decimal(self.terms.daysInYear == .actual ? 365 : self.terms.daysInYear.rawValue)
            let perDay = self.context(self.context(annual / daysInYear) / 100)
            return self.context(perDay * Decimal(self.countedDays(from: from, to: to)))
        }
    }

    /// Repayment periods in one year, Fineract's `calculatePeriodsInOneYear`.
    var repaymentPeriodsPerYear: Int {
        switch self.terms.repaymentFrequency {
        case .days: self.terms.daysInYear == .actual ? 365 : self.terms.daysInYear.rawValue
        case .weeks: 52
        case .months: 12
        case .years: 1
        }
    }

    /// The days a daily-interest period counts: fixed for 30-day months and fixed-length years.
    func countedDays(from: LocalDate, to: LocalDate) -> Int {
        switch self.terms.repaymentFrequency {
        case .months where self.terms.daysInMonth == .days30:
            return 30 * self.terms.repayEvery
        case .years where self.terms.daysInYear != .actual:
            return self.terms.daysInYear.rawValue * self.terms.repayEvery
        default:
            return from.days(to: to)
        }
    }

    /// The actual days of the period when they are to be split over calendar years; nil when a
    /// fixed count applies (30-day months).
    private func daysCountedAsActual(from: LocalDate, to: LocalDate) -> Int? {
        if self.terms.repaymentFrequency == .months && self.terms.daysInMonth == .days30 {
            return nil
        }
        return from.days(to: to)
    }

    /// The rate of `days` days from `from`, each divided by the length of its calendar year.
    private func actualYearRate(from: LocalDate, days: Int) -> Decimal {
        let annual = self.terms.annualInterestRate
        var rate = Decimal(0)
        var cursor = from
        let end = from.adding(days: days)
        while cursor < end {
            let nextYear = LocalDate(year: cursor.year + 1, month: 1, day: 1)
            let segmentEnd = min(nextYear, end)
            let yearLength = Decimal(cursor.isLeapYear ? 366 : 365)
            let perDay = self.context(self.context(annual / yearLength) / 100)
            rate += self.context(perDay * Decimal(cursor.days(to: segmentEnd)))
            cursor = segmentEnd
        }
        return self.context(rate)
    }
}
