/// The most recent savings interest posting that should exist on a given business date, for one
/// posting period type (Fineract's `SavingsPostingInterestPeriodType`).
///
/// Posting periods end on natural boundaries: every day (DAILY), at each month end (MONTHLY), and at
/// the quarter, half-year or year ends counted from the financial year's first month (QUARTERLY,
/// BIANNUAL, ANNUAL). A period's interest is posted the day after it ends, or on its last day when
/// the `savings-interest-posting-current-period-end` configuration is on, and only once that
/// posting date has come (posting date ≤ business date). So on a business date the latest posting
/// that must already exist is the one of the last period whose posting date is not after it; an
/// account that earned interest in that period (its interest started on or before the period's end)
/// and whose `interest_posted_till_date` is earlier than the posting date is missing a posting.
public struct InterestPostingDeadline: Sendable, Hashable {
    /// `interest_posting_period_enum` values.
    public enum PostingPeriod: Int, Sendable, CaseIterable {
        case daily = 1
        case monthly = 4
        case quarterly = 5
        case biannual = 6
        case annual = 7

        /// Months between boundaries; nil for daily posting.
        var months: Int? {
            switch self {
            case .daily: nil
            case .monthly: 1
            case .quarterly: 3
            case .biannual: 6
            case .annual: 12
            }
        }
    }

    /// The date the latest due posting carries.
    public var postingDate: LocalDate
    /// The last day of the period that posting covers.
    public var periodEnd: LocalDate

    /// The latest posting due on or before `businessDate`.
    ///
    /// - Parameters:
    ///   - financialYearStartMonth: `financial-year-beginning-month`, 1-12.
    ///   - postsOnPeriodEnd: `savings-interest-posting-current-period-end`.
    public init(
        period: PostingPeriod,
        businessDate: LocalDate,
        financialYearStartMonth: Int,
        postsOnPeriodEnd: Bool
    ) {
        precondition((1...12).contains(financialYearStartMonth), "the financial year starts in month 1 to 12")
        guard let months = period.months else {
            // Yesterday's period is posted today, or today's own period on its last day.
            self.postingDate = businessDate
            self.periodEnd = postsOnPeriodEnd ? businessDate : businessDate.adding(days: -1)
            return
        }
        // The first day after the period, the latest one that makes the posting due by the business date.
        let latestDayAfter = postsOnPeriodEnd ? businessDate.adding(days: 1) : businessDate
        var boundary = latestDayAfter.startOfMonth
        while ((boundary.month - financialYearStartMonth) % months + months) % months != 0 {
            boundary = boundary.adding(months: -1)
        }
        self.periodEnd = boundary.adding(days: -1)
        self.postingDate = postsOnPeriodEnd ? self.periodEnd : boundary
    }
}
