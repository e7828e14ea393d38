import FineractDomain
import Foundation
import Testing

/// The golden cases of the Fineract domain notes: S1 from a Fineract integration test, D1 and D4
/// derived there from the algorithm.
@Suite struct SavingsGoldenCaseTests {
    typealias Support = SavingsTestSupport

    /// S1, lifted from Fineract's `testSavingsDailyInterestPosting`: daily compounding and posting,
    /// 1000.00 deposited on activation, USD with 4 decimals. The first posting is 0.2740 on the
    /// day after the first day (1000 × 0.1/365 = 0.273972602… at 4 places; the test reads it back
    /// as the float "0.274").
    @Test func s1DailyPostingOfOneDay() throws {
        let terms = Support.terms(
            compounding: .daily,
            posting: .daily,
            currency: Currency(code: "USD", digits: 4)
        )
        let history = [Support.transaction(1, .deposit, "2021-11-01", "1000.00")]
        let calculation = try Support.calculate(terms, history, start: "2021-11-01", through: "2021-11-02")
        let first = try #require(calculation.periodsDue(by: Support.date("2021-11-02")).first)
        #expect(first.postingDate == Support.date("2021-11-02"))
        #expect(first.amount == Support.decimal("0.2740"))
        #expect(first.unroundedInterest == Support.decimal("0.273972603"))
        let plan = SavingsPostingPlan.make(
            periods: calculation.periods,
            dueBy: Support.date("2021-11-02"),
            existing: history
        )
        #expect(
            plan.insertions == [
                SavingsPostingPlan.Posting(
                    date: Support.date("2021-11-02"),
                    type: .interestPosting,
                    amount: Support.decimal("0.2740")
                )
            ]
        )
    }

    /// The account of D1 and D4: 1000.00 on 2024-01-01, 500.00 withdrawn on 2024-01-16, so January
    /// holds 1000 for 15 days and 500 for 16.
    static let history = [
        Support.transaction(1, .deposit, "2024-01-01", "1000.00"),
        Support.transaction(2, .withdrawal, "2024-01-16", "500.00"),
    ]

    /// D1 (derived in the domain notes, not a Fineract test): monthly compounding and posting,
    /// daily balance. January 1000·0.1/365·15 + 500·0.1/365·16 = 6.301369863 → 6.30 on Feb 1;
    /// February (500 + 6.301369863)·0.1/365·29 = 4.022668418 → 4.02 on Mar 1, compounding the
    /// unrounded January figure, not the posted 6.30.
    @Test func d1MonthlyCompoundsTheUnroundedInterest() throws {
        let terms = Support.terms(compounding: .monthly, posting: .monthly)
        let calculation = try Support.calculate(terms, Self.history, start: "2024-01-01", through: "2024-03-01")
        #expect(
            Support.postings(calculation, dueBy: "2024-03-01") == [
                .init("2024-02-01", "6.301369863", "6.30"),
                .init("2024-03-01", "4.022668418", "4.02"),
            ]
        )
    }

    /// D4 (derived in the domain notes): daily compounding, monthly posting. Segment 1
    /// 1000·((1+r)^15 − 1) = 4.117479809; segment 2 (500 + 4.117479809)·((1+r)^16 − 1) =
    /// 2.214376606; January 6.331856415 → 6.33.
    @Test func d4DailyCompoundingAcrossSegments() throws {
        let terms = Support.terms(compounding: .daily, posting: .monthly)
        let calculation = try Support.calculate(terms, Self.history, start: "2024-01-01", through: "2024-02-01")
        #expect(Support.postings(calculation, dueBy: "2024-02-01") == [.init("2024-02-01", "6.331856415", "6.33")])
    }
}
