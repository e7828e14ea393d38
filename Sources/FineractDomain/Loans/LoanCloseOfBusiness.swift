public import Foundation

/// Runs the configured COB business steps over one loan and collects what each decides.
///
/// Steps see the effects of the steps before them, as they do in Fineract, where each step
/// reloads the loan: penalties applied by the first step are part of the arrears and of the
/// accrual that follow. All steps use the COB date as "today", except the delinquency
/// classification, which (like Fineract's) runs with the business date, the COB date plus one.
public struct LoanCloseOfBusiness: Sendable {
    public var configuration: LoanCOBConfiguration
    /// The steps to run, in order; duplicates run once.
    public var steps: [LoanCOBStep]

    public init(configuration: LoanCOBConfiguration = LoanCOBConfiguration(), steps: [LoanCOBStep]) {
        self.configuration = configuration
        var seen: Set<LoanCOBStep> = []
        self.steps = steps.filter { seen.insert($0).inserted }
    }

    /// The effects of closing `cobDate` for `loan`.
    ///
    /// - Throws: `LoanStepFailure` naming the step whose rule could not be applied.
    public func close(_ loan: LoanCOBInput, cobDate: LocalDate) throws -> LoanCOBOutcome {
        var outcome = LoanCOBOutcome(installments: loan.installments, businessDate: cobDate.adding(days: 1))
        for step in self.steps {
            do {
                try self.run(step, loan: loan, cobDate: cobDate, outcome: &outcome)
            } catch {
                throw LoanStepFailure(step: step, cause: error)
            }
        }
        return outcome
    }

    private func run(_ step: LoanCOBStep, loan: LoanCOBInput, cobDate: LocalDate, outcome: inout LoanCOBOutcome) throws
    {
        switch step {
        case .applyChargeToOverdueLoans:
            guard loan.isOpen else { return }
            let rule = OverduePenaltyRule(
                waitPeriod: self.configuration.penaltyWaitPeriod,
                graceOnPosting: self.configuration.graceOnPenaltyPosting,
                backdatesPenalties: self.configuration.backdatesPenalties,
                currency: loan.currency,
                roundingMode: self.configuration.roundingMode
            )
            let penalties = try rule.penalties(
                for: outcome.installments,
                charges: loan.overdueCharges,
                applied: loan.appliedPenalties,
                cobDate: cobDate
            )
            outcome.apply(penalties)
        case .loanDelinquencyClassification:
            guard loan.isOpen, let ranges = loan.delinquencyRanges else { return }
            let classifier = DelinquencyClassifier(ranges: ranges, graceDays: loan.graceOnArrearsAgeing)
            outcome.delinquency = classifier.transition(
                outcome.installments,
                openRangeID: loan.openDelinquencyRangeID,
                businessDate: outcome.businessDate
            )
        case .checkLoanRepaymentDue, .checkLoanRepaymentOverdue:
            guard loan.isOpen, loan.disbursedOn != nil else { return }
            let rule = RepaymentReminderRule(
                daysBeforeDue: loan.dueDaysForRepaymentEvent ?? self.configuration.daysBeforeRepaymentIsDue,
                daysAfterDue: loan.overdueDaysForRepaymentEvent ?? self.configuration.daysAfterRepaymentIsOverdue
            )
            let kind: RepaymentReminderRule.Kind = step == .checkLoanRepaymentDue ? .due : .overdue
            if let reminder = rule.reminder(kind, for: outcome.installments, cobDate: cobDate) {
                outcome.reminders.append(reminder)
            }
        case .updateLoanArrearsAging:
            outcome.recomputesArrears = true
            outcome.arrears =
                loan.status == LoanCOBInput.activeStatus
                ? ArrearsAging(outcome.installments, cobDate: cobDate, graceDays: loan.graceOnArrearsAgeing) : nil
        case .addPeriodicAccrualEntries:
            guard loan.accrues else { return }
            let accrual = PeriodicAccrual(
                currency: loan.currency,
                accruedTill: loan.accruedTill,
                interestCalculatedFrom: loan.interestCalculatedFrom,
                datesChargesOnTillDate: self.configuration.accruesChargesOnSubmittedDate
            )
            // Overdue penalties belong to the installment they punish and accrue with it, so they
            // are not among the charges the current installment picks up by date.
            let result = accrual.accrue(outcome.installments, charges: loan.charges, tillDate: cobDate)
            outcome.apply(result)
        }
    }
}

/// What closing one COB date decided for one loan; the writer turns it into rows.
public struct LoanCOBOutcome: Sendable {
    /// The schedule after the steps: penalties added, accrued figures raised.
    public var installments: [LoanInstallment]
    /// The date the delinquency step classified at (COB date + 1).
    public var businessDate: LocalDate
    public var penalties: [OverduePenaltyRule.Penalty] = []
    public var delinquency: DelinquencyClassifier.Transition = .unchanged
    public var reminders: [RepaymentReminderRule.Reminder] = []
    /// Whether the arrears step ran, so the loan's old arrears row goes.
    public var recomputesArrears = false
    public var arrears: ArrearsAging?
    public var accrual: PeriodicAccrualResult?

    public init(installments: [LoanInstallment], businessDate: LocalDate) {
        self.installments = installments
        self.businessDate = businessDate
    }

    /// The penalty charged by this COB.
    public var penaltyTotal: Decimal {
        self.penalties.reduce(0) { $0 + $1.amount }
    }

    mutating func apply(_ penalties: [OverduePenaltyRule.Penalty]) {
        self.penalties += penalties
        for penalty in penalties {
            guard let index = self.installments.firstIndex(where: { $0.id == penalty.installmentID }) else { continue }
            self.installments[index].penalty += penalty.amount
            self.installments[index].penaltyOutstanding += penalty.amount
        }
    }

    mutating func apply(_ accrual: PeriodicAccrualResult) {
        self.accrual = accrual
        for totals in accrual.installments {
            guard let index = self.installments.firstIndex(where: { $0.id == totals.installmentID }) else { continue }
            self.installments[index].accruedInterest = totals.accruedInterest
            self.installments[index].accruedFee = totals.accruedFee
            self.installments[index].accruedPenalty = totals.accruedPenalty
        }
    }
}
