import FineractDomain
import Foundation
import Testing

/// Compare-and-correct and the derived balances of a posting run, on D1's account (1000.00 on
/// 2024-01-01, 500.00 withdrawn on Jan 16; monthly compounding and posting, 10 %, 365 days).
@Suite struct SavingsPostingPlanTests {
    typealias Support = SavingsTestSupport

    static let terms = Support.terms(compounding: .monthly, posting: .monthly)

    static func plan(_ history: [SavingsTransaction], businessDate: String) throws -> SavingsPostingPlan {
        let calculation = try Support.calculate(Self.terms, history, start: "2024-01-01", through: businessDate)
        return SavingsPostingPlan.make(
            periods: calculation.periods,
            dueBy: Support.date(businessDate),
            existing: history
        )
    }

    @Test func aRepeatedRunKeepsEveryPosting() throws {
        let history =
            SavingsGoldenCaseTests.history + [
                Support.transaction(10, .interestPosting, "2024-02-01", "6.300000"),
                Support.transaction(11, .interestPosting, "2024-03-01", "4.02"),
            ]
        let plan = try Self.plan(history, businessDate: "2024-03-01")
        #expect(plan.isEmpty)
        #expect(plan.unchanged == [10, 11])
    }

    /// Derived (not a Fineract test): after January was posted as 6.30, a deposit of 1000.00 is
    /// backdated to Jan 20. January now holds 1000 for 15 days (4.109589041), 500 for 4 days
    /// (500 × D64(daily × 4 = 0.001095890410958904) = 0.547945205) and 1500 for 12 days
    /// (1500 × D64(daily × 12 = 0.003287671232876712) = 4.931506849): 9.589041095 → 9.59.
    /// The 6.30 posting is reversed and a 9.59 posting replaces it.
    @Test func aBackdatedDepositReversesAndReplacesThePosting() throws {
        let history =
            SavingsGoldenCaseTests.history + [
                Support.transaction(10, .interestPosting, "2024-02-01", "6.30"),
                Support.transaction(11, .deposit, "2024-01-20", "1000.00"),
            ]
        let plan = try Self.plan(history, businessDate: "2024-02-01")
        #expect(plan.insertions.isEmpty)
        #expect(plan.unchanged.isEmpty)
        #expect(
            plan.corrections == [
                .init(
                    reversedTransactionID: 10,
                    replacement: .init(
                        date: Support.date("2024-02-01"),
                        type: .interestPosting,
                        amount: Support.decimal("9.59")
                    )
                )
            ]
        )
    }

    /// A period that earns nothing is still posted, as 0.00 (the decision documented on
    /// `SavingsPostingPlan.make`); postings on dates no period ends on are left alone.
    @Test func zeroInterestIsPostedAndStrayPostingsAreLeftAlone() throws {
        let stray = Support.transaction(5, .interestPosting, "2024-01-10", "1.00")
        let plan = try Self.plan([stray], businessDate: "2024-02-01")
        #expect(plan.insertions == [.init(date: Support.date("2024-02-01"), type: .interestPosting, amount: 0)])
        #expect(plan.corrections.isEmpty)
        #expect(plan.unchanged.isEmpty)
    }

    @Test func overdraftInterestComparesWithItsSign() throws {
        let terms = Support.terms(compounding: .monthly, posting: .monthly, allowOverdraft: true, overdraftRate: "20")
        let history = [
            Support.transaction(1, .deposit, "2024-01-01", "100.00"),
            Support.transaction(2, .withdrawal, "2024-01-11", "600.00"),
            Support.transaction(3, .overdraftInterest, "2024-02-01", "5.48"),
        ]
        let calculation = try Support.calculate(terms, history, start: "2024-01-01", through: "2024-02-01")
        let plan = SavingsPostingPlan.make(
            periods: calculation.periods,
            dueBy: Support.date("2024-02-01"),
            existing: history
        )
        #expect(plan.unchanged == [3])
        // The same amount as an ordinary interest posting is wrong: it is the other way round.
        var flipped = history
        flipped[2].type = .interestPosting
        let corrected = SavingsPostingPlan.make(
            periods: calculation.periods,
            dueBy: Support.date("2024-02-01"),
            existing: flipped
        )
        #expect(corrected.corrections.map(\.reversedTransactionID) == [3])
        #expect(corrected.corrections.first?.replacement.type == .overdraftInterest)
    }

    /// Derived running balances, business date 2024-02-10: deposit 1000 (running 1000, holds Jan 1–15,
    /// 15 days, cumulative 15000.00); withdrawal 500 (running 500, holds Jan 16–Feb 10, 26 days,
    /// cumulative 13000.00); interest 6.30 on Feb 1 (running 506.30, no balance period); a reversed
    /// deposit keeps no derived field. The account: balance 506.30, interest posted 6.30, posted
    /// till Feb 1.
    @Test func runningBalancesAndTheAccountSummary() {
        let history =
            SavingsGoldenCaseTests.history + [
                Support.transaction(3, .interestPosting, "2024-02-01", "6.30"),
                Support.transaction(4, .deposit, "2024-01-20", "250.00", reversed: true),
            ]
        let balances = SavingsRunningBalances(
            transactions: history,
            through: Support.date("2024-02-10"),
            currency: Support.usd2,
            rounding: .halfEven
        )
        typealias Derived = SavingsRunningBalances.Derived
        #expect(
            balances.derived == [
                Derived(
                    transactionID: 1,
                    runningBalance: 1000,
                    balanceEndDate: Support.date("2024-01-15"),
                    numberOfDays: 15,
                    cumulativeBalance: 15000
                ),
                Derived(
                    transactionID: 2,
                    runningBalance: 500,
                    balanceEndDate: Support.date("2024-02-10"),
                    numberOfDays: 26,
                    cumulativeBalance: 13000
                ),
                Derived(transactionID: 3, runningBalance: Support.decimal("506.30")),
                Derived(transactionID: 4),
            ]
        )
        #expect(balances.accountBalance == Support.decimal("506.30"))
        #expect(balances.totalInterestPosted == Support.decimal("6.30"))
        #expect(balances.totalOverdraftInterest == 0)
        #expect(balances.interestPostedTillDate == Support.date("2024-02-01"))
    }
}
