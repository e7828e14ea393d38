import FineractDomain
import Foundation
import Testing

/// Derived from §2.2 steps 3 to 5 (not Fineract tests), on L1's schedule.
@Suite struct RepaymentAndArrearsTests {
    /// One day before 02-01 (COB 01-31) the due reminder names installment 1 and its 2041.84;
    /// one day after (COB 02-02) the overdue one does; three days before with a product override.
    @Test func remindsOfTheInstallmentDueOrOverdueByTheConfiguredDays() {
        let rule = RepaymentReminderRule(daysBeforeDue: 1, daysAfterDue: 1)
        let due = rule.reminder(.due, for: LoanFixtures.goldenL1, cobDate: LoanFixtures.date("2023-01-31"))
        #expect(due?.installmentNumber == 1)
        #expect(due?.amountOutstanding == dec("2041.84"))
        #expect(rule.reminder(.due, for: LoanFixtures.goldenL1, cobDate: LoanFixtures.date("2023-01-30")) == nil)
        #expect(
            rule.reminder(.overdue, for: LoanFixtures.goldenL1, cobDate: LoanFixtures.date("2023-02-02"))?
                .installmentNumber == 1
        )
        let early = RepaymentReminderRule(daysBeforeDue: 3, daysAfterDue: 1)
        #expect(
            early.reminder(.due, for: LoanFixtures.goldenL1, cobDate: LoanFixtures.date("2023-02-26"))?
                .installmentNumber == 2
        )
    }

    /// A paid installment is not reminded of.
    @Test func paidInstallmentsAreNotReminded() {
        var installments = LoanFixtures.goldenL1
        installments[0].principalOutstanding = 0
        installments[0].interestOutstanding = 0
        installments[0].isCompleted = true
        let rule = RepaymentReminderRule()
        #expect(rule.reminder(.due, for: installments, cobDate: LoanFixtures.date("2023-01-31")) == nil)
        #expect(rule.reminder(.overdue, for: installments, cobDate: LoanFixtures.date("2023-02-02")) == nil)
    }

    /// Arrears at COB 2023-03-02: installments 1 and 2 are due before it: principal 1975.17 +
    /// 1991.63 = 3966.80, interest 66.67 + 50.21 = 116.88, a penalty of 10 on installment 1,
    /// total 4093.68, overdue since 02-01. With 1 day of grace the cut-off is 03-01, so only
    /// installment 1 counts. Before 02-02 nothing is overdue.
    @Test func arrearsSumTheUnpaidInstallmentsDueBeforeTheCutOff() throws {
        var installments = LoanFixtures.goldenL1
        installments[0].penalty = 10
        installments[0].penaltyOutstanding = 10
        let arrears = try #require(ArrearsAging(installments, cobDate: LoanFixtures.date("2023-03-02")))
        #expect(arrears.principal == dec("3966.80"))
        #expect(arrears.interest == dec("116.88"))
        #expect(arrears.penalty == 10)
        #expect(arrears.total == dec("4093.68"))
        #expect(arrears.overdueSince == LoanFixtures.date("2023-02-01"))
        let graced = try #require(ArrearsAging(installments, cobDate: LoanFixtures.date("2023-03-02"), graceDays: 1))
        #expect(graced.principal == dec("1975.17"))
        #expect(ArrearsAging(installments, cobDate: LoanFixtures.date("2023-02-01")) == nil)
    }
}
