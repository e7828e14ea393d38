/// The tenant's global configuration (`c_configuration`) as the loan COB steps read it, with
/// Fineract's defaults.
public struct LoanCOBConfiguration: Sendable, Hashable {
    /// `penalty-wait-period`: days after a due date before the installment is penalised.
    public var penaltyWaitPeriod: Int
    /// `grace-on-penalty-posting`: days the penalty's date moves after the due date.
    public var graceOnPenaltyPosting: Int
    /// `backdate-penalties-enabled`: penalise every overdue installment, not only the one
    /// reaching the wait on the COB date.
    public var backdatesPenalties: Bool
    /// `days-before-repayment-is-due`.
    public var daysBeforeRepaymentIsDue: Int
    /// `days-after-repayment-is-overdue`.
    public var daysAfterRepaymentIsOverdue: Int
    /// `rounding-mode`.
    public var roundingMode: MoneyRoundingMode
    /// `charge-accrual-date` set to the submitted date: due installments accrue on the till date.
    public var accruesChargesOnSubmittedDate: Bool

    public init(
        penaltyWaitPeriod: Int = 2,
        graceOnPenaltyPosting: Int = 0,
        backdatesPenalties: Bool = true,
        daysBeforeRepaymentIsDue: Int = 1,
        daysAfterRepaymentIsOverdue: Int = 1,
        roundingMode: MoneyRoundingMode = .fineractDefault,
        accruesChargesOnSubmittedDate: Bool = false
    ) {
        self.penaltyWaitPeriod = penaltyWaitPeriod
        self.graceOnPenaltyPosting = graceOnPenaltyPosting
        self.backdatesPenalties = backdatesPenalties
        self.daysBeforeRepaymentIsDue = daysBeforeRepaymentIsDue
        self.daysAfterRepaymentIsOverdue = daysAfterRepaymentIsOverdue
        self.roundingMode = roundingMode
        self.accruesChargesOnSubmittedDate = accruesChargesOnSubmittedDate
    }
}
