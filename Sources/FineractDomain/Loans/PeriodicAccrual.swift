public import Foundation

/// Fineract's periodic accrual (`addPeriodicAccruals`): the income of a loan recognised up to a
/// till date, as deltas against what its schedule rows have already accrued.
///
/// - An installment due on or before the till date accrues all of its interest, fees and
///   penalties (less waivers); the accrual is dated its due date, or the till date when the
///   tenant's `charge-accrual-date` is the submitted date.
/// - The current installment (started before the till date, due after it) accrues its interest
///   pro rata over its days, and the fees and penalties that fall due in its period up to the
///   till date; it is dated the till date. It is skipped when the loan has already been accrued
///   up to the till date. The pro-rata figure is computed in `Double`, as Fineract does
///   (interest per day, times the elapsed days), then rounded half-even to the currency.
/// - Only positive deltas are accrued: a component already accrued beyond its target (after a
///   waiver, say) is left as it is.
///
/// Fineract may write several accrual transactions with the same date for one loan (the due
/// dates of several installments can coincide with the till date once `charge-accrual-date` is
/// the submitted date). Our schema keeps one live accrual per loan and date
/// (`ux_loan_txn_daily`), so the deltas are summed per date into one posting each; a posting on
/// a date that already carries an accrual from an earlier run is added to that transaction by
/// the writer. The amounts and the journal are the same as Fineract's; only the number of
/// transaction rows differs.
public struct PeriodicAccrual: Sendable {
    /// A fee or penalty charged to the loan, as the current installment's accrual needs it.
    public struct Charge: Sendable, Hashable {
        public var dueDate: LocalDate
        /// The amount less what was waived.
        public var amount: Decimal
        public var isPenalty: Bool

        public init(dueDate: LocalDate, amount: Decimal, isPenalty: Bool) {
            self.dueDate = dueDate
            self.amount = amount
            self.isPenalty = isPenalty
        }
    }

    public var currency: Currency
    /// The last date the loan was accrued to (`m_loan.accrued_till`).
    public var accruedTill: LocalDate?
    /// `m_loan.interest_calculated_from_date`: interest starts later than the first period.
    public var interestCalculatedFrom: LocalDate?
    /// Date due-installment accruals on the till date instead of their due dates.
    public var datesChargesOnTillDate: Bool

    public init(
        currency: Currency,
        accruedTill: LocalDate? = nil,
        interestCalculatedFrom: LocalDate? = nil,
        datesChargesOnTillDate: Bool = false
    ) {
        self.currency = currency
        self.accruedTill = accruedTill
        self.interestCalculatedFrom = interestCalculatedFrom
        self.datesChargesOnTillDate = datesChargesOnTillDate
    }

    /// The accrual of `installments` (and `charges`) up to `tillDate`.
    public func accrue(
        _ installments: [LoanInstallment],
        charges: [Charge] = [],
        tillDate: LocalDate
    ) -> PeriodicAccrualResult {
        var postings: [LocalDate: PeriodicAccrualResult.Posting] = [:]
        var totals: [PeriodicAccrualResult.InstallmentTotals] = []
        for installment in installments.sorted(by: { $0.number < $1.number }) {
            guard let target = self.target(of: installment, charges: charges, tillDate: tillDate) else { continue }
            let interest = max(target.interest - installment.accruedInterest, 0)
            let fee = max(target.fee - installment.accruedFee, 0)
            let penalty = max(target.penalty - installment.accruedPenalty, 0)
            guard interest + fee + penalty > 0 else { continue }
            postings[target.date, default: .init(date: target.date, interest: 0, fee: 0, penalty: 0)]
                .add(interest: interest, fee: fee, penalty: penalty)
            totals.append(
                .init(
                    installmentID: installment.id,
                    accruedInterest: installment.accruedInterest + interest,
                    accruedFee: installment.accruedFee + fee,
                    accruedPenalty: installment.accruedPenalty + penalty
                )
            )
        }
        let accruedTill =
            postings.isEmpty ? self.accruedTill : max(self.accruedTill ?? tillDate, tillDate)
        return PeriodicAccrualResult(
            postings: postings.values.sorted { $0.date < $1.date },
            installments: totals,
            accruedTill: accruedTill
        )
    }

    /// What `installment` should have accrued by `tillDate`, and the date of its accrual; nil
    /// when it is not accrued at this till date.
    private func target(
        of installment: LoanInstallment,
        charges: [Charge],
        tillDate: LocalDate
    ) -> (interest: Decimal, fee: Decimal, penalty: Decimal, date: LocalDate)? {
        if installment.dueDate <= tillDate {
            return (
                installment.interest - installment.interestWaived,
                installment.fee - installment.feeWaived,
                installment.penalty - installment.penaltyWaived,
                self.datesChargesOnTillDate ? tillDate : installment.dueDate
            )
        }
        let isCurrent =
            installment.fromDate < tillDate || (installment.number == 1 && installment.fromDate == tillDate)
        guard isCurrent else { return nil }
        if let accruedTill = self.accruedTill, accruedTill >= tillDate { return nil }
        let dueInPeriod = charges.filter { installment.covers($0.dueDate) && $0.dueDate <= tillDate }
        return (
            self.interestAccrued(of: installment, tillDate: tillDate),
            dueInPeriod.filter { !$0.isPenalty }.reduce(0) { $0 + $1.amount },
            dueInPeriod.filter(\.isPenalty).reduce(0) { $0 + $1.amount },
            tillDate
        )
    }

    /// The current installment's interest earned by `tillDate` (the till date itself not
    /// counted), Fineract's `getInterestAccruedTillDate`.
    func interestAccrued(of installment: LoanInstallment, tillDate: LocalDate) -> Decimal {
        var start = installment.fromDate
        if let calculatedFrom = self.interestCalculatedFrom, start < calculatedFrom {
            start = min(calculatedFrom, installment.dueDate)
        }
        let totalDays = start.days(to: installment.dueDate)
        let elapsedDays = max(start.days(to: tillDate), 0)
        guard totalDays > 0, elapsedDays > 0 else { return 0 }
        // Fineract divides and multiplies in binary floating point here; the figure is then made
        // a decimal from its shortest text (`BigDecimal.valueOf`) and rounded half-even.
        let interest = installment.interest - installment.interestWaived
        // A Decimal's description is always plain digits, which Double parses, correctly rounded.
        let perDay = (Double(interest.description) ?? 0) / Double(totalDays)
        let accrued = perDay * Double(elapsedDays)
        let decimal = Decimal(string: "\(accrued)", locale: Locale(identifier: "en_US_POSIX")) ?? 0
        return decimal.rounded(scale: self.currency.digits, .halfEven)
    }
}
