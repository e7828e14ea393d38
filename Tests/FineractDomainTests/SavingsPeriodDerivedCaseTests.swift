import FineractDomain
import Foundation
import Testing

/// Cases derived by hand from the algorithm of the Fineract domain notes (§3.2), one per posting and
/// compounding period. They are not Fineract tests. Common terms: 10 % nominal, 365-day year, daily
/// balance, USD with 2 decimals, half-even.
///
/// Shared working: R = 10/100 = 0.1; 1/365 in DECIMAL64 = 0.002739726027397260; the daily rate
/// D64(R × 1/365) = 0.0002739726027397260; a segment of n days earns S9(D64(B × D64(daily × n))).
@Suite struct SavingsPeriodDerivedCaseTests {
    typealias Support = SavingsTestSupport

    /// Derived: daily compounding and daily posting, 1000.00 from 2024-01-01, business date Jan 4.
    /// (1 + r) = 1.000273972602739726 as a double prints 1.0002739726027396.
    /// Jan 1: FV = S9(D64(1000 × 1.0002739726027396)) = 1000.273972603 → 0.273972603 → 0.27 (Jan 2).
    /// Jan 2: PV = 1000.273972603; FV = 1000.548020267 → 0.274047664 → 0.27 (Jan 3).
    /// Jan 3: PV = 1000.548020267 → 0.274122745 → 0.27 (Jan 4).
    /// Jan 4 is open (posting Jan 5): PV = 1000.822143012 → 0.274197847 → 0.27, earned not posted.
    @Test func dailyPostingCompoundsEveryDay() throws {
        let terms = Support.terms(compounding: .daily, posting: .daily)
        let history = [Support.transaction(1, .deposit, "2024-01-01", "1000.00")]
        let calculation = try Support.calculate(terms, history, start: "2024-01-01", through: "2024-01-04")
        #expect(
            Support.postings(calculation, dueBy: "2024-01-04") == [
                .init("2024-01-02", "0.273972603", "0.27"),
                .init("2024-01-03", "0.274047664", "0.27"),
                .init("2024-01-04", "0.274122745", "0.27"),
            ]
        )
        #expect(calculation.periods.last?.unroundedInterest == Support.decimal("0.274197847"))
        #expect(calculation.totalInterestEarned == Support.decimal("1.08"))
    }

    /// Derived: daily posting from activation on 2024-01-01, first deposit of 1000.00 on Jan 3. The
    /// days before it hold nothing and earn 0.00, still posted (see `SavingsPostingPlan.make`);
    /// Jan 3 earns 1000 × (1.0002739726027396 − 1) = 0.273972603 → 0.27, posted on Jan 4.
    @Test func daysBeforeTheFirstDepositEarnNothing() throws {
        let terms = Support.terms(compounding: .daily, posting: .daily)
        let history = [Support.transaction(1, .deposit, "2024-01-03", "1000.00")]
        let calculation = try Support.calculate(terms, history, start: "2024-01-01", through: "2024-01-04")
        #expect(
            Support.postings(calculation, dueBy: "2024-01-04") == [
                .init("2024-01-02", "0", "0.00"),
                .init("2024-01-03", "0", "0.00"),
                .init("2024-01-04", "0.273972603", "0.27"),
            ]
        )
    }

    /// Derived: monthly compounding inside a quarterly posting period, 1000.00 from 2024-01-01.
    /// Jan: 1000 × D64(daily × 31 = 0.008493150684931506) = 8.493150685; compounds at Jan 31.
    /// Feb: 1008.493150685 × D64(daily × 29 = 0.007945205479452054) = 8.012685307.
    /// Mar: 1016.505835992 × 0.008493150684931506 = 8.633337237.
    /// Q1 = 25.139173229 → 25.14 posted on Apr 1.
    @Test func monthlyCompoundingInsideQuarterlyPosting() throws {
        let terms = Support.terms(compounding: .monthly, posting: .quarterly)
        let history = [Support.transaction(1, .deposit, "2024-01-01", "1000.00")]
        let calculation = try Support.calculate(terms, history, start: "2024-01-01", through: "2024-04-01")
        #expect(Support.postings(calculation, dueBy: "2024-04-01") == [.init("2024-04-01", "25.139173229", "25.14")])
    }

    /// Derived: quarterly compounding and posting; 1000.00 on 2024-01-01, 400.00 withdrawn on Feb 15.
    /// Q1: 1000 × D64(daily × 45) = 12.328767123 (Jan 1–Feb 14); 600 × D64(daily × 46) = 7.561643836
    /// (Feb 15–Mar 31); 19.890410959 → 19.89 on Apr 1.
    /// Q2 (91 days): (600 + 19.890410959) × D64(daily × 91 = 0.02493150684931507) = 15.454802027
    /// → 15.45 on Jul 1.
    @Test func quarterlyCompoundingAndPosting() throws {
        let terms = Support.terms(compounding: .quarterly, posting: .quarterly)
        let history = [
            Support.transaction(1, .deposit, "2024-01-01", "1000.00"),
            Support.transaction(2, .withdrawal, "2024-02-15", "400.00"),
        ]
        let calculation = try Support.calculate(terms, history, start: "2024-01-01", through: "2024-07-01")
        #expect(
            Support.postings(calculation, dueBy: "2024-07-01") == [
                .init("2024-04-01", "19.890410959", "19.89"),
                .init("2024-07-01", "15.454802027", "15.45"),
            ]
        )
    }

    /// Derived: bi-annual compounding and posting, 1000.00 from 2023-01-01.
    /// H1 (181 days): 1000 × D64(daily × 181 = 0.04958904109589041) = 49.589041096 → 49.59 on Jul 1.
    /// H2 (184 days): 1049.589041096 × 0.05041095890410958 = 52.910790017 → 52.91 on 2024-01-01.
    @Test func biAnnualCompoundingAndPosting() throws {
        let terms = Support.terms(compounding: .biAnnual, posting: .biAnnual)
        let history = [Support.transaction(1, .deposit, "2023-01-01", "1000.00")]
        let calculation = try Support.calculate(terms, history, start: "2023-01-01", through: "2024-01-01")
        #expect(
            Support.postings(calculation, dueBy: "2024-01-01") == [
                .init("2023-07-01", "49.589041096", "49.59"),
                .init("2024-01-01", "52.910790017", "52.91"),
            ]
        )
    }

    /// Derived: annual compounding and posting, 1000.00 from 2023-01-01.
    /// 2023: D64(daily × 365) = 0.09999999999999999; 1000 × that = 99.99999999999999 → S9 100.000000000.
    /// 2024 is a leap year, but the year stays 365 days: 366 days earn
    /// 1100 × D64(daily × 366 = 0.1002739726027397) = 110.301369863 → 110.30 on 2025-01-01.
    @Test func annualCompoundingAndPostingOverALeapYear() throws {
        let terms = Support.terms(compounding: .annual, posting: .annual)
        let history = [Support.transaction(1, .deposit, "2023-01-01", "1000.00")]
        let calculation = try Support.calculate(terms, history, start: "2023-01-01", through: "2025-01-01")
        #expect(
            Support.postings(calculation, dueBy: "2025-01-01") == [
                .init("2024-01-01", "100.000000000", "100.00"),
                .init("2025-01-01", "110.301369863", "110.30"),
            ]
        )
    }

    /// Derived: financial year beginning in February (it ends in January), quarterly posting with
    /// monthly compounding, 1000.00 from 2024-01-01. Quarters end Jan, Apr, Jul, Oct, so the first
    /// period is January alone: 8.493150685 → 8.49 on Feb 1. The next runs Feb 1–Apr 30:
    /// Feb 1008.493150685 × D64(daily × 29) = 8.012685307; Mar 1016.505835992 × D64(daily × 31) =
    /// 8.633337237; Apr 1025.139173229 × D64(daily × 30 = 0.008219178082191781) = 8.425801424;
    /// 25.071823968 → 25.07 on May 1.
    @Test func quarterlyPostingFollowsTheFinancialYear() throws {
        let terms = Support.terms(compounding: .monthly, posting: .quarterly)
        let settings = SavingsInterestSettings(financialYearBeginningMonth: 2)
        let history = [Support.transaction(1, .deposit, "2024-01-01", "1000.00")]
        let calculation = try Support.calculate(
            terms,
            history,
            start: "2024-01-01",
            through: "2024-05-01",
            settings: settings
        )
        #expect(
            Support.postings(calculation, dueBy: "2024-05-01") == [
                .init("2024-02-01", "8.493150685", "8.49"),
                .init("2024-05-01", "25.071823968", "25.07"),
            ]
        )
    }

    /// Derived: financial year beginning in July, annual posting and compounding, 1000.00 from
    /// 2024-01-01. The year ends on Jun 30: 182 days, 1000 × D64(daily × 182 = 0.04986301369863013)
    /// = 49.863013699 → 49.86 on Jul 1.
    @Test func annualPostingEndsWithTheFinancialYear() throws {
        let terms = Support.terms(compounding: .annual, posting: .annual)
        let settings = SavingsInterestSettings(financialYearBeginningMonth: 7)
        let history = [Support.transaction(1, .deposit, "2024-01-01", "1000.00")]
        let calculation = try Support.calculate(
            terms,
            history,
            start: "2024-01-01",
            through: "2024-07-01",
            settings: settings
        )
        #expect(Support.postings(calculation, dueBy: "2024-07-01") == [.init("2024-07-01", "49.863013699", "49.86")])
    }

    /// Derived: `savings-interest-posting-current-period-end` dates January's posting Jan 31, so the
    /// run of Jan 31 posts it, counting Jan 31 itself: 1000 × D64(daily × 31) = 8.493150685 → 8.49.
    /// Without the option nothing is due on Jan 31.
    @Test func postingOnThePeriodEnd() throws {
        let terms = Support.terms(compounding: .monthly, posting: .monthly)
        let history = [Support.transaction(1, .deposit, "2024-01-01", "1000.00")]
        let onEnd = try Support.calculate(
            terms,
            history,
            start: "2024-01-01",
            through: "2024-01-31",
            settings: SavingsInterestSettings(postsOnPeriodEnd: true)
        )
        #expect(Support.postings(onEnd, dueBy: "2024-01-31") == [.init("2024-01-31", "8.493150685", "8.49")])
        let dayAfter = try Support.calculate(terms, history, start: "2024-01-01", through: "2024-01-31")
        #expect(Support.postings(dayAfter, dueBy: "2024-01-31").isEmpty)
    }

    /// Derived: the open period counts towards interest earned up to and including the calculation
    /// date. D1's account on Feb 15: January 6.30, plus February 1–15:
    /// (500 + 6.301369863) × D64(daily × 15 = 0.004109589041095890) = 2.080690561 → 2.08; 8.38 earned.
    @Test func earnedInterestIncludesTheOpenPeriodThroughTheCalculationDate() throws {
        let terms = Support.terms(compounding: .monthly, posting: .monthly)
        let calculation = try Support.calculate(
            terms,
            SavingsGoldenCaseTests.history,
            start: "2024-01-01",
            through: "2024-02-15"
        )
        #expect(calculation.periods.map(\.amount) == [Support.decimal("6.30"), Support.decimal("2.08")])
        #expect(calculation.periods.last?.unroundedInterest == Support.decimal("2.080690561"))
        #expect(calculation.totalInterestEarned == Support.decimal("8.38"))
    }

    /// Derived: a live manual posting on Jan 16 splits January. Jan 1–15 earns 1000 × D64(daily × 15)
    /// = 4.109589041 (posted on Jan 16); Jan 16–31 earns 500 × D64(daily × 16) = 2.191780822, with
    /// nothing compounded yet, because the first piece did not end on a month end.
    @Test func manualPostingSplitsThePeriod() throws {
        let terms = Support.terms(compounding: .monthly, posting: .monthly)
        let history =
            SavingsGoldenCaseTests.history + [
                Support.transaction(3, .interestPosting, "2024-01-16", "4.11", manual: true)
            ]
        let calculation = try Support.calculate(terms, history, start: "2024-01-01", through: "2024-02-01")
        #expect(
            Support.postings(calculation, dueBy: "2024-02-01") == [
                .init("2024-01-16", "4.109589041", "4.11"),
                .init("2024-02-01", "2.191780822", "2.19"),
            ]
        )
    }
}
