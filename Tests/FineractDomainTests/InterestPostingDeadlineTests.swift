import FineractDomain
import Testing

struct InterestPostingDeadlineTests {
    /// Derived from the posting-period rules (FINERACT.md §3.2 step B), not Fineract tests.
    @Test(
        arguments: [
            // Monthly, posted the day after the month ends: on 2026-03-15 the February posting
            // (period ending 02-28) dated 03-01 is the latest due.
            (InterestPostingDeadline.PostingPeriod.monthly, "2026-03-15", 1, false, "2026-03-01", "2026-02-28"),
            // On the 1st itself the previous month's posting is already due.
            (.monthly, "2026-03-01", 1, false, "2026-03-01", "2026-02-28"),
            // Posted on the period's last day: on 03-15 that is 02-28 for February.
            (.monthly, "2026-03-15", 1, true, "2026-02-28", "2026-02-28"),
            // On 03-31 with period-end posting March's own posting (dated 03-31) is due.
            (.monthly, "2026-03-31", 1, true, "2026-03-31", "2026-03-31"),
            // Quarterly from January: quarters end 03-31, 06-30, 09-30, 12-31; on 05-20 the Q1
            // posting dated 04-01 is the latest due.
            (.quarterly, "2026-05-20", 1, false, "2026-04-01", "2026-03-31"),
            // Quarterly with the financial year from April: quarters end 06-30, 09-30, 12-31, 03-31;
            // on 05-20 the latest boundary is 04-01 (the quarter Jan-Mar).
            (.quarterly, "2026-05-20", 4, false, "2026-04-01", "2026-03-31"),
            // Quarterly from February: boundaries on the 1st of Feb, May, Aug, Nov; on 04-30 → 02-01.
            (.quarterly, "2026-04-30", 2, false, "2026-02-01", "2026-01-31"),
            // Half-yearly from July: boundaries 07-01 and 01-01; on 2026-06-30 → 2026-01-01.
            (.biannual, "2026-06-30", 7, false, "2026-01-01", "2025-12-31"),
            // Annual from January, on 2026-12-31: the 2025 posting dated 2026-01-01.
            (.annual, "2026-12-31", 1, false, "2026-01-01", "2025-12-31"),
            // Annual with period-end posting on 2026-12-31: the year's own posting, dated that day.
            (.annual, "2026-12-31", 1, true, "2026-12-31", "2026-12-31"),
            // Daily: yesterday's interest is posted today.
            (.daily, "2026-03-15", 1, false, "2026-03-15", "2026-03-14"),
        ]
    )
    func latestDuePosting(
        period: InterestPostingDeadline.PostingPeriod,
        businessDate: String,
        financialYearStartMonth: Int,
        postsOnPeriodEnd: Bool,
        postingDate: String,
        periodEnd: String
    ) throws {
        let deadline = InterestPostingDeadline(
            period: period,
            businessDate: try #require(LocalDate(businessDate)),
            financialYearStartMonth: financialYearStartMonth,
            postsOnPeriodEnd: postsOnPeriodEnd
        )
        #expect(deadline.postingDate.description == postingDate)
        #expect(deadline.periodEnd.description == periodEnd)
    }
}
