import FineractDomain
import Foundation
import Testing

/// Derived from §2.2 step 1 (not Fineract tests). L1's installments fall due on the 1st of
/// February to May 2023; none is paid.
@Suite struct OverduePenaltyRuleTests {
    private let flatTen = OverduePenaltyRule.Charge(id: 7, amount: 10)

    private func rule(wait: Int = 2, grace: Int = 0, backdates: Bool = true) -> OverduePenaltyRule {
        OverduePenaltyRule(
            waitPeriod: wait,
            graceOnPosting: grace,
            backdatesPenalties: backdates,
            currency: LoanFixtures.eur
        )
    }

    private func penalties(
        _ rule: OverduePenaltyRule,
        charges: [OverduePenaltyRule.Charge],
        applied: Set<OverduePenaltyRule.Application> = [],
        cob: String
    ) throws -> [String] {
        try rule.penalties(
            for: LoanFixtures.goldenL1,
            charges: charges,
            applied: applied,
            cobDate: LoanFixtures.date(cob)
        ).map { "#\($0.installmentNumber)/\($0.frequencyNumber) \($0.dueDate) \($0.amount)" }
    }

    /// Wait 2: installment 1 (due 02-01) is penalised once the COB date is 2 days past it, so not
    /// at 02-02 (1 day) but at 02-03; the penalty is dated 02-01 + 3 − max(3 − 0, 1) = 02-01.
    @Test func penaltyWaitsTwoDaysAndIsDatedTheDueDate() throws {
        #expect(try self.penalties(self.rule(), charges: [self.flatTen], cob: "2023-02-02").isEmpty)
        #expect(try self.penalties(self.rule(), charges: [self.flatTen], cob: "2023-02-03") == ["#1/1 2023-02-01 10"])
    }

    /// With backdating off only the installment reaching the wait today is charged: at 03-03 that
    /// is installment 2 (03-01 = 03-03 − 2), not installment 1; with backdating on, both.
    @Test func backdatingOffChargesOnlyTheInstallmentReachingTheWait() throws {
        #expect(
            try self.penalties(self.rule(backdates: false), charges: [self.flatTen], cob: "2023-03-03")
                == ["#2/1 2023-03-01 10"]
        )
        #expect(try self.penalties(self.rule(backdates: false), charges: [self.flatTen], cob: "2023-03-04").isEmpty)
        #expect(
            try self.penalties(self.rule(), charges: [self.flatTen], cob: "2023-03-03")
                == ["#1/1 2023-02-01 10", "#2/1 2023-03-01 10"]
        )
    }

    /// Grace on penalty posting 1: the date moves to 02-01 + 3 − max(3 − 1, 1) = 02-02. A grace
    /// larger than the wait still leaves a shift of at least one day: 02-01 + 3 − 1 = 02-03.
    @Test func graceOnPostingMovesThePenaltyDate() throws {
        #expect(
            try self.penalties(self.rule(grace: 1), charges: [self.flatTen], cob: "2023-02-03") == [
                "#1/1 2023-02-02 10"
            ]
        )
        #expect(
            try self.penalties(self.rule(grace: 5), charges: [self.flatTen], cob: "2023-02-03") == [
                "#1/1 2023-02-03 10"
            ]
        )
    }

    /// Weekly recurring penalty: starts at 02-04, 02-11, 02-18 (02-01 + 3, then + 7 days), each
    /// dated 3 days earlier. At 02-03 no start has come yet; at 02-18 three have; already applied
    /// frequency 1 is skipped.
    @Test func weeklyRecurringPenaltyAppliesOncePerElapsedWeek() throws {
        let weekly = OverduePenaltyRule.Charge(id: 8, amount: 5, frequency: .weeks, interval: 1)
        #expect(try self.penalties(self.rule(), charges: [weekly], cob: "2023-02-03").isEmpty)
        #expect(try self.penalties(self.rule(), charges: [weekly], cob: "2023-02-04") == ["#1/1 2023-02-01 5"])
        let applied: Set<OverduePenaltyRule.Application> = [.init(installmentID: 1, chargeID: 8, frequencyNumber: 1)]
        #expect(
            try self.penalties(self.rule(), charges: [weekly], applied: applied, cob: "2023-02-18")
                == ["#1/2 2023-02-08 5", "#1/3 2023-02-15 5"]
        )
    }

    /// Monthly recurring penalty steps from one start to the next, clamping like `plusMonths`:
    /// for an installment due 01-28 the starts are 01-31, 02-28, then 03-28 (from 02-28, not 03-31),
    /// dated 01-28, 02-25, 03-25. Every 3 days: starts 02-04, 02-07, 02-10 for installment 1.
    @Test func recurringFrequenciesStepFromStartToStart() throws {
        let monthly = OverduePenaltyRule.Charge(id: 9, amount: 1, frequency: .months, interval: 1)
        let dates = try self.rule().applicationDates(
            of: monthly,
            dueDate: LoanFixtures.date("2023-01-28"),
            cobDate: LoanFixtures.date("2023-03-31")
        )
        #expect(dates.map(\.number) == [1, 2, 3])
        #expect(dates.map(\.date.description) == ["2023-01-28", "2023-02-25", "2023-03-25"])

        let everyThreeDays = OverduePenaltyRule.Charge(id: 10, amount: 1, frequency: .days, interval: 3)
        let days = try self.rule().applicationDates(
            of: everyThreeDays,
            dueDate: LoanFixtures.date("2023-02-01"),
            cobDate: LoanFixtures.date("2023-02-10")
        )
        #expect(days.map(\.date.description) == ["2023-02-01", "2023-02-04", "2023-02-07"])
    }

    /// Percentage penalties take the installment's outstanding amounts: 2 % of principal and
    /// interest of installment 1 = (1975.17 + 66.67) × 0.02 = 40.8368 → 40.84; 1 % of its
    /// interest = 0.6667 → 0.67; 1 % of its principal = 19.7517 → 19.75.
    @Test func percentagePenaltiesUseTheOutstandingAmounts() throws {
        let charges = [
            OverduePenaltyRule.Charge(id: 1, amount: 2, calculationCode: 3),
            OverduePenaltyRule.Charge(id: 2, amount: 1, calculationCode: 4),
            OverduePenaltyRule.Charge(id: 3, amount: 1, calculationCode: 2),
        ]
        #expect(
            try self.penalties(self.rule(), charges: charges, cob: "2023-02-03")
                == ["#1/1 2023-02-01 40.84", "#1/1 2023-02-01 0.67", "#1/1 2023-02-01 19.75"]
        )
    }

    /// A paid installment is never penalised; an unsupported calculation or a recurring charge
    /// without an interval is refused.
    @Test func paidInstallmentsAndBadChargesAreHandled() throws {
        var installments = LoanFixtures.goldenL1
        installments[0].isCompleted = true
        let rule = self.rule()
        #expect(
            try rule.penalties(
                for: installments,
                charges: [self.flatTen],
                applied: [],
                cobDate: LoanFixtures.date("2023-02-03")
            )
            .isEmpty
        )
        let disbursementPercent = OverduePenaltyRule.Charge(id: 4, amount: 1, calculationCode: 5)
        #expect(throws: LoanRuleError.self) {
            try self.penalties(rule, charges: [disbursementPercent], cob: "2023-02-03")
        }
        let noInterval = OverduePenaltyRule.Charge(id: 5, amount: 1, frequency: .weeks, interval: 0)
        #expect(throws: LoanRuleError.self) {
            try self.penalties(rule, charges: [noInterval], cob: "2023-02-10")
        }
    }
}
