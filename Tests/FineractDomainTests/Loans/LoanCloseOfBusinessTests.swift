import FineractDomain
import Foundation
import Testing

/// The steps together, derived by hand (not Fineract tests): each step sees what the ones before
/// it did.
@Suite struct LoanCloseOfBusinessTests {
    private func loan(penaltyCalculation: Int = 1, accountingType: Int = 3) -> LoanCOBInput {
        LoanCOBInput(
            loanID: 42,
            status: 300,
            currency: LoanFixtures.eur,
            disbursedOn: LoanFixtures.date("2023-01-01"),
            accountingType: accountingType,
            overdueCharges: [.init(id: 7, amount: 10, calculationCode: penaltyCalculation)],
            delinquencyRanges: [
                .init(id: 10, classification: "RANGE_1", minimumAgeDays: 1, maximumAgeDays: 3),
                .init(id: 11, classification: "RANGE_2", minimumAgeDays: 4, maximumAgeDays: nil),
            ],
            installments: LoanFixtures.goldenL1
        )
    }

    /// L1 at COB 2023-02-03 with every step: installment 1 (due 02-01) gets the 10.00 penalty dated
    /// 02-01; classified at 02-04 it is 3 days overdue → RANGE_1; no reminder falls on this date;
    /// arrears = 1975.17 + 66.67 + 10.00 = 2051.84 since 02-01; the accrual picks up the new
    /// penalty with the installment's interest on 02-01 (66.67 + 10.00), and installment 2's
    /// 50.21 / 28 × 2 = 3.5864… → 3.59 on 02-03.
    @Test func everyStepSeesTheStepsBeforeIt() throws {
        let cob = LoanCloseOfBusiness(steps: LoanCOBStep.defaultOrder)
        let outcome = try cob.close(self.loan(), cobDate: LoanFixtures.date("2023-02-03"))
        #expect(outcome.penalties.map(\.amount) == [10])
        #expect(outcome.penalties.map(\.dueDate) == [LoanFixtures.date("2023-02-01")])
        #expect(outcome.delinquency == .add(rangeID: 10))
        #expect(outcome.businessDate == LoanFixtures.date("2023-02-04"))
        #expect(outcome.reminders.isEmpty)
        #expect(outcome.recomputesArrears)
        #expect(outcome.arrears?.total == dec("2051.84"))
        #expect(
            outcome.accrual?.postings == [
                .init(date: LoanFixtures.date("2023-02-01"), interest: dec("66.67"), fee: 0, penalty: 10),
                .init(date: LoanFixtures.date("2023-02-03"), interest: dec("3.59"), fee: 0, penalty: 0),
            ]
        )
        #expect(outcome.installments[0].penalty == 10)
        #expect(outcome.installments[0].accruedPenalty == 10)
    }

    /// Only the configured steps run: with the accrual alone there is no penalty to accrue, and a
    /// loan without periodic accrual accounting accrues nothing at all.
    @Test func onlyConfiguredStepsRun() throws {
        let accrualOnly = LoanCloseOfBusiness(steps: [.addPeriodicAccrualEntries])
        let outcome = try accrualOnly.close(self.loan(), cobDate: LoanFixtures.date("2023-02-03"))
        #expect(outcome.penalties.isEmpty)
        #expect(outcome.delinquency == .unchanged)
        #expect(!outcome.recomputesArrears)
        #expect(outcome.accrual?.postings.first?.penalty == 0)
        let cashLoan = try accrualOnly.close(self.loan(accountingType: 2), cobDate: LoanFixtures.date("2023-02-03"))
        #expect(cashLoan.accrual == nil)
    }

    /// A rule that cannot apply fails the loan and names the step.
    @Test func aFailingRuleNamesItsStep() {
        let cob = LoanCloseOfBusiness(steps: LoanCOBStep.defaultOrder)
        let failure = #expect(throws: LoanStepFailure.self) {
            try cob.close(self.loan(penaltyCalculation: 5), cobDate: LoanFixtures.date("2023-02-03"))
        }
        #expect(failure?.step == .applyChargeToOverdueLoans)
        #expect((failure?.cause as? LoanRuleError)?.code == "unsupported_charge_calculation")
    }
}
