import FineractDomain
import Foundation
import Testing

/// Every figure below is derived by hand from §4.3's algorithm (not a Fineract test): interest of
/// the current installment is `interest / totalDays × elapsedDays` in Double, then half-even.
@Suite struct PeriodicAccrualTests {
    private typealias Posting = PeriodicAccrualResult.Posting

    private func posting(_ date: String, interest: String, fee: String = "0", penalty: String = "0") -> Posting {
        Posting(date: LoanFixtures.date(date), interest: dec(interest), fee: dec(fee), penalty: dec(penalty))
    }

    /// L1 accrued day by day across the end of January. 2023-01-31: installment 1 is current,
    /// 66.67 / 31 days × 30 elapsed = 64.5193… → 64.52, dated the till date. 2023-02-01: it is due,
    /// so the rest, 66.67 − 64.52 = 2.15, is accrued on its due date; installment 2 starts that
    /// day and has nothing yet. 2023-02-02: installment 2 is current, 50.21 / 28 × 1 = 1.7932… →
    /// 1.79.
    @Test func accruesTheCurrentInstallmentProRataAcrossAMonthEnd() {
        var installments = LoanFixtures.goldenL1
        var accrual = PeriodicAccrual(currency: LoanFixtures.eur)

        let january = accrual.accrue(installments, tillDate: LoanFixtures.date("2023-01-31"))
        #expect(january.postings == [self.posting("2023-01-31", interest: "64.52")])
        #expect(january.accruedTill == LoanFixtures.date("2023-01-31"))
        installments = LoanFixtures.applying(january, to: installments)
        accrual.accruedTill = january.accruedTill

        let dueDay = accrual.accrue(installments, tillDate: LoanFixtures.date("2023-02-01"))
        #expect(dueDay.postings == [self.posting("2023-02-01", interest: "2.15")])
        #expect(dueDay.installments.map(\.accruedInterest) == [dec("66.67")])
        installments = LoanFixtures.applying(dueDay, to: installments)
        accrual.accruedTill = dueDay.accruedTill

        let february = accrual.accrue(installments, tillDate: LoanFixtures.date("2023-02-02"))
        #expect(february.postings == [self.posting("2023-02-02", interest: "1.79")])
        #expect(february.installments.map(\.installmentID) == [2])
    }

    /// A due installment never accrued is accrued in full on its due date; the current one up to
    /// the till date on the till date. At 2023-02-15: installment 1 gives 66.67 dated 2023-02-01;
    /// installment 2 gives 50.21 / 28 × 14 = 25.105 exactly, which half-even rounds to 25.10
    /// (half-up would give 25.11).
    @Test func accruesADueInstallmentOnItsDueDateAndRoundsHalfEven() {
        let result = PeriodicAccrual(currency: LoanFixtures.eur)
            .accrue(LoanFixtures.goldenL1, tillDate: LoanFixtures.date("2023-02-15"))
        #expect(
            result.postings == [
                self.posting("2023-02-01", interest: "66.67"), self.posting("2023-02-15", interest: "25.10"),
            ]
        )
        #expect(result.totalAmount == dec("91.77"))
        #expect(result.accruedTill == LoanFixtures.date("2023-02-15"))
    }

    /// Running again for the same till date finds every delta zero: no posting, no row change,
    /// and the accrued-till date stays.
    @Test func rerunForTheSameTillDateAccruesNothing() {
        let tillDate = LoanFixtures.date("2023-02-15")
        let first = PeriodicAccrual(currency: LoanFixtures.eur).accrue(LoanFixtures.goldenL1, tillDate: tillDate)
        let accrued = LoanFixtures.applying(first, to: LoanFixtures.goldenL1)
        let rerun = PeriodicAccrual(currency: LoanFixtures.eur, accruedTill: first.accruedTill)
            .accrue(accrued, tillDate: tillDate)
        #expect(rerun.postings.isEmpty)
        #expect(rerun.installments.isEmpty)
        #expect(rerun.accruedTill == tillDate)
        // Even without the accrued-till watermark the deltas are zero.
        let unguarded = PeriodicAccrual(currency: LoanFixtures.eur).accrue(accrued, tillDate: tillDate)
        #expect(unguarded.postings.isEmpty)
    }

    /// Fees and penalties: installment 1 carries a fee of 5.00 and a penalty of 3.00 of which
    /// 1.00 was waived, so at 2023-02-01 it accrues 66.67 + 5.00 + 2.00 on its due date. The
    /// current installment 2 picks up the fee due 2023-02-10 (inside its period, before the till
    /// date 2023-02-15) but not the one due 2023-02-20; its interest is 25.10 as above.
    @Test func accruesFeesAndPenaltiesOfDueAndCurrentInstallments() {
        var installments = LoanFixtures.goldenL1
        installments[0].fee = dec("5.00")
        installments[0].penalty = dec("3.00")
        installments[0].penaltyWaived = dec("1.00")
        let charges = [
            PeriodicAccrual.Charge(dueDate: LoanFixtures.date("2023-02-10"), amount: dec("4.00"), isPenalty: false),
            PeriodicAccrual.Charge(dueDate: LoanFixtures.date("2023-02-20"), amount: dec("9.00"), isPenalty: false),
        ]
        let result = PeriodicAccrual(currency: LoanFixtures.eur)
            .accrue(installments, charges: charges, tillDate: LoanFixtures.date("2023-02-15"))
        #expect(
            result.postings == [
                self.posting("2023-02-01", interest: "66.67", fee: "5.00", penalty: "2.00"),
                self.posting("2023-02-15", interest: "25.10", fee: "4.00"),
            ]
        )
    }

    /// With `charge-accrual-date` = submitted date, the due installment's accrual is dated the till
    /// date too, and both are summed into the one accrual of that date: 66.67 + 25.10 = 91.77.
    @Test func submittedDateAccrualAggregatesIntoOnePostingPerDate() {
        let result = PeriodicAccrual(currency: LoanFixtures.eur, datesChargesOnTillDate: true)
            .accrue(LoanFixtures.goldenL1, tillDate: LoanFixtures.date("2023-02-15"))
        #expect(result.postings == [self.posting("2023-02-15", interest: "91.77")])
        #expect(result.installments.map(\.installmentID) == [1, 2])
    }

    /// A loan already accrued up to (or past) the till date skips its current installment, while
    /// a due installment still accrues what it lacks.
    @Test func accruedTillSkipsTheCurrentInstallmentOnly() {
        let result = PeriodicAccrual(currency: LoanFixtures.eur, accruedTill: LoanFixtures.date("2023-02-16"))
            .accrue(LoanFixtures.goldenL1, tillDate: LoanFixtures.date("2023-02-15"))
        #expect(result.postings == [self.posting("2023-02-01", interest: "66.67")])
        #expect(result.accruedTill == LoanFixtures.date("2023-02-16"))
    }

    /// Interest calculated from 2023-01-11 shortens installment 1 to 21 days: at 2023-01-18
    /// (7 days in) 66.67 / 21 × 7 = 22.2233… → 22.22.
    @Test func interestCalculatedFromShortensTheFirstPeriod() {
        let result = PeriodicAccrual(
            currency: LoanFixtures.eur,
            interestCalculatedFrom: LoanFixtures.date("2023-01-11")
        )
        .accrue(LoanFixtures.goldenL1, tillDate: LoanFixtures.date("2023-01-18"))
        #expect(result.postings == [self.posting("2023-01-18", interest: "22.22")])
    }

    /// Nothing is accrued before the first installment starts, and a waiver below what was already
    /// accrued is not taken back (no negative accrual).
    @Test func nothingBeforeTheLoanStartsAndNoNegativeDeltas() {
        let early = PeriodicAccrual(currency: LoanFixtures.eur)
            .accrue(LoanFixtures.goldenL1, tillDate: LoanFixtures.date("2022-12-31"))
        #expect(early.postings.isEmpty)
        #expect(early.accruedTill == nil)

        var installments = LoanFixtures.goldenL1
        installments[0].accruedInterest = dec("66.67")
        installments[0].interestWaived = dec("10.00")
        let waived = PeriodicAccrual(currency: LoanFixtures.eur, accruedTill: LoanFixtures.date("2023-02-01"))
            .accrue(installments, tillDate: LoanFixtures.date("2023-02-01"))
        #expect(waived.postings.isEmpty)
    }
}
