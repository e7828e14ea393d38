import FineractDomain
import Foundation
import Testing

/// Cases derived by hand from the algorithm of the Fineract domain notes (§3.2) about which balance
/// earns and at what rate: calculation types, thresholds, overdrafts, year length, currencies and
/// the precision of the rate. Not Fineract tests. Unless a case says otherwise: monthly compounding
/// and posting, 10 %, 365 days, USD with 2 decimals; D1's account (1000.00 on 2024-01-01, 500.00
/// withdrawn on Jan 16, so 1000 for 15 days and 500 for 16 in January).
@Suite struct SavingsBalanceDerivedCaseTests {
    typealias Support = SavingsTestSupport

    /// Derived: a minimum balance of 600. Daily balance: 1000 × 15 days earns 4.109589041, the 500
    /// segment is below the minimum and earns nothing → 4.11. Average daily balance: cumulative
    /// S9(D64(1000 × 15)) + S9(D64(500 × 16)) = 23000; average S9(D64(23000 / 31)) = 741.935483871,
    /// above the minimum, earns 741.935483871 × D64(daily × 31 = 0.008493150684931506) =
    /// 6.301369863 → 6.30. Without a minimum both give 6.301369863.
    @Test func averageDailyBalanceDiffersOnlyAtTheMinimumBalance() throws {
        func january(_ calculation: SavingsInterestTerms.CalculationType, minBalance: String?) throws -> Decimal? {
            let terms = Support.terms(
                compounding: .monthly,
                posting: .monthly,
                calculation: calculation,
                minBalance: minBalance
            )
            let result = try Support.calculate(
                terms,
                SavingsGoldenCaseTests.history,
                start: "2024-01-01",
                through: "2024-02-01"
            )
            return result.periods.first?.unroundedInterest
        }
        #expect(try january(.dailyBalance, minBalance: "600") == Support.decimal("4.109589041"))
        #expect(try january(.averageDailyBalance, minBalance: "600") == Support.decimal("6.301369863"))
        #expect(try january(.dailyBalance, minBalance: nil) == Support.decimal("6.301369863"))
        #expect(try january(.averageDailyBalance, minBalance: nil) == Support.decimal("6.301369863"))
    }

    /// Derived: a minimum balance of 750 under daily compounding. Segment 1: PV 1000 earns
    /// 4.117479809 (as in D4). Segment 2: PV = 500 + 4.117479809 = 504.117479809 < 750, so its
    /// future value is the present value and it earns 0. January 4.117479809 → 4.12.
    @Test func minimumBalanceUnderDailyCompounding() throws {
        let terms = Support.terms(compounding: .daily, posting: .monthly, minBalance: "750")
        let calculation = try Support.calculate(
            terms,
            SavingsGoldenCaseTests.history,
            start: "2024-01-01",
            through: "2024-02-01"
        )
        #expect(Support.postings(calculation, dueBy: "2024-02-01") == [.init("2024-02-01", "4.117479809", "4.12")])
    }

    /// Derived: a 360-day year. 1/360 in DECIMAL64 = 0.002777777777777778; daily rate
    /// 0.0002777777777777778. Jan: 1000 × D64(daily × 15 = 0.004166666666666667) = 4.166666667;
    /// 500 × D64(daily × 16 = 0.004444444444444445) = 2.222222222; 6.388888889 → 6.39.
    /// Feb: (500 + 6.388888889) × D64(daily × 29 = 0.008055555555555556) = 4.079243827 → 4.08.
    @Test func threeHundredSixtyDayYear() throws {
        let terms = Support.terms(compounding: .monthly, posting: .monthly, daysInYear: .days360)
        let calculation = try Support.calculate(
            terms,
            SavingsGoldenCaseTests.history,
            start: "2024-01-01",
            through: "2024-03-01"
        )
        #expect(
            Support.postings(calculation, dueBy: "2024-03-01") == [
                .init("2024-02-01", "6.388888889", "6.39"),
                .init("2024-03-01", "4.079243827", "4.08"),
            ]
        )
    }

    /// Derived: an overdraft at 20 %. 100.00 deposited on Jan 1, 600.00 withdrawn on Jan 11.
    /// 100 × D64(daily × 10 = 0.002739726027397260) = 0.273972603 at 10 %; −500 × D64(0.2 × 1/365 ×
    /// 21 = 0.01150684931506849) = −5.753424658 at 20 %; January −5.479452055 → −5.48: posted as
    /// overdraft interest (17) of 5.48. With a minimum overdraft of 1000 the −500 segment costs
    /// nothing, and January earns 0.273972603 → 0.27, an ordinary posting.
    @Test func overdraftInterestIsPostedAsTypeSeventeen() throws {
        let history = [
            Support.transaction(1, .deposit, "2024-01-01", "100.00"),
            Support.transaction(2, .withdrawal, "2024-01-11", "600.00"),
        ]
        let overdrawn = Support.terms(
            compounding: .monthly,
            posting: .monthly,
            allowOverdraft: true,
            overdraftRate: "20"
        )
        let calculation = try Support.calculate(overdrawn, history, start: "2024-01-01", through: "2024-02-01")
        #expect(Support.postings(calculation, dueBy: "2024-02-01") == [.init("2024-02-01", "-5.479452055", "-5.48")])
        let plan = SavingsPostingPlan.make(
            periods: calculation.periods,
            dueBy: Support.date("2024-02-01"),
            existing: history
        )
        #expect(
            plan.insertions == [
                .init(date: Support.date("2024-02-01"), type: .overdraftInterest, amount: Support.decimal("5.48"))
            ]
        )

        let tolerant = Support.terms(
            compounding: .monthly,
            posting: .monthly,
            allowOverdraft: true,
            overdraftRate: "20",
            minOverdraft: "1000"
        )
        let small = try Support.calculate(tolerant, history, start: "2024-01-01", through: "2024-02-01")
        #expect(Support.postings(small, dueBy: "2024-02-01") == [.init("2024-02-01", "0.273972603", "0.27")])
    }

    /// Derived: a currency without decimals. 1,000,000 from 2024-01-01 earns in January
    /// 1000000 × 0.008493150684931506 = 8493.150684932. XOF (no multiple): 8493. UGX (multiples of
    /// 100): 8493 → 84.93 hundreds → 85 → 8500.
    @Test func currencyWithoutDecimalsAndItsMultiple() throws {
        let history = [Support.transaction(1, .deposit, "2024-01-01", "1000000")]
        for (currency, expected) in [
            (Currency(code: "XOF", digits: 0), "8493"), (Currency(code: "UGX", digits: 0, multiplesOf: 100), "8500"),
        ] {
            let terms = Support.terms(compounding: .monthly, posting: .monthly, currency: currency)
            let calculation = try Support.calculate(terms, history, start: "2024-01-01", through: "2024-02-01")
            #expect(
                Support.postings(calculation, dueBy: "2024-02-01") == [.init("2024-02-01", "8493.150684932", expected)]
            )
        }
    }

    /// Derived: the precision of the rate fraction. Nominal 7.123456789012 % on 1,000,000 for January.
    /// Posting divides to 10 digits: R = 0.07123456789, daily D64(R × 1/365) = 0.0001951631996986301,
    /// × 31 = 0.006050059190657533, interest 6050.059190658. Calculation divides to 15 digits:
    /// R = 0.07123456789012, daily 0.0001951631996989589, × 31 = 0.006050059190667726, interest
    /// 6050.059190668. Both are 6050.06 as money.
    @Test func rateFractionPrecisionDependsOnThePurpose() throws {
        let terms = Support.terms(rate: "7.123456789012", compounding: .monthly, posting: .monthly)
        let history = [Support.transaction(1, .deposit, "2024-01-01", "1000000.00")]
        let posting = try Support.calculate(terms, history, start: "2024-01-01", through: "2024-02-01")
        let calculating = try Support.calculate(
            terms,
            history,
            start: "2024-01-01",
            through: "2024-02-01",
            purpose: .calculation
        )
        #expect(posting.periods.first?.unroundedInterest == Support.decimal("6050.059190658"))
        #expect(calculating.periods.first?.unroundedInterest == Support.decimal("6050.059190668"))
        #expect(posting.periods.first?.amount == calculating.periods.first?.amount)
    }

    /// Derived: a debit when the interest balance is zero and overdraft is not allowed takes the
    /// running balance, which counts posted interest. 100.00 on Jan 1, 0.50 interest posted Jan 3,
    /// a 100.00 fee on Jan 5 (balance 0), a 50.00 fee on Jan 10, 200.00 deposited Jan 20.
    /// Segments: 100 for 4 days earns 0.109589041; 0 for 5 days; the second fee takes the running
    /// balance 100 + 0.50 − 100 − 50 = −49.50 for 10 days (no overdraft rate, so 0); the deposit
    /// makes 150.50 for 12 days: 150.50 × D64(daily × 12 = 0.003287671232876712) = 0.494794521.
    /// January 0.604383562 → 0.60 (subtracting the fee from 0 would give 150.00 and 0.602739726).
    @Test func debitOnAnEmptyAccountTakesTheRunningBalance() throws {
        let terms = Support.terms(compounding: .monthly, posting: .monthly)
        let history = [
            Support.transaction(1, .deposit, "2024-01-01", "100.00"),
            Support.transaction(2, .interestPosting, "2024-01-03", "0.50"),
            Support.transaction(3, .withdrawalFee, "2024-01-05", "100.00"),
            Support.transaction(4, .withdrawalFee, "2024-01-10", "50.00"),
            Support.transaction(5, .deposit, "2024-01-20", "200.00"),
        ]
        let calculation = try Support.calculate(terms, history, start: "2024-01-01", through: "2024-02-01")
        #expect(Support.postings(calculation, dueBy: "2024-02-01") == [.init("2024-02-01", "0.604383562", "0.60")])
    }

    /// Derived: two transactions on one day. 1000.00 deposited and 400.00 withdrawn on Jan 1: the
    /// first balance holds for no day. A reversed deposit does not count; a withhold-tax row starts a
    /// segment without moving the interest balance: 600 × D64(daily × 11 = 0.003013698630136986) =
    /// 1.808219178 (Jan 1–11) and 600 × D64(daily × 20 = 0.005479452054794520) = 3.287671233
    /// (Jan 12–31); 5.095890411 → 5.10.
    @Test func sameDayTransactionsAndRowsThatDoNotCount() throws {
        let terms = Support.terms(compounding: .monthly, posting: .monthly)
        let history = [
            Support.transaction(1, .deposit, "2024-01-01", "1000.00"),
            Support.transaction(2, .withdrawal, "2024-01-01", "400.00"),
            Support.transaction(3, .deposit, "2024-01-10", "999.00", reversed: true),
            Support.transaction(4, .withholdTax, "2024-01-12", "5.00"),
        ]
        let calculation = try Support.calculate(terms, history, start: "2024-01-01", through: "2024-02-01")
        #expect(Support.postings(calculation, dueBy: "2024-02-01") == [.init("2024-02-01", "5.095890411", "5.10")])
    }
}
