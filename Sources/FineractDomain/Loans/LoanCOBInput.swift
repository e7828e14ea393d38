import Foundation

/// Everything the COB steps know about one loan: its own columns, what its product says, its
/// schedule, charges and the state earlier runs left (penalties applied, delinquency tag).
public struct LoanCOBInput: Sendable {
    /// Loan statuses that count as open: active, transfer in progress, transfer on hold.
    public static let openStatuses: Set<Int> = [300, 303, 304]
    /// `loan_status_id` of an active (disbursed) loan.
    public static let activeStatus = 300
    /// `accounting_type` of a product with periodic accrual accounting.
    public static let periodicAccrualAccounting = 3

    public var loanID: Int64
    public var status: Int
    public var currency: Currency
    public var disbursedOn: LocalDate?
    public var interestCalculatedFrom: LocalDate?
    public var accruedTill: LocalDate?
    /// The loan's grace on arrears ageing, or its product's; days.
    public var graceOnArrearsAgeing: Int
    public var isNPA: Bool
    public var isChargedOff: Bool
    /// The product's `accounting_type`.
    public var accountingType: Int
    /// The product's overdue-installment charges.
    public var overdueCharges: [OverduePenaltyRule.Charge]
    /// The ranges of the product's delinquency bucket; nil when the product has none.
    public var delinquencyRanges: [DelinquencyClassifier.Range]?
    /// The product's `due_days_for_repayment_event`.
    public var dueDaysForRepaymentEvent: Int?
    /// The product's `overdue_days_for_repayment_event`.
    public var overdueDaysForRepaymentEvent: Int?

    public var installments: [LoanInstallment]
    /// Active fees and penalties charged to the loan by date, without the overdue-installment
    /// penalties, which are tied to their installment instead.
    public var charges: [PeriodicAccrual.Charge]
    /// Overdue penalties already applied.
    public var appliedPenalties: Set<OverduePenaltyRule.Application>
    /// The range of the loan's open delinquency tag.
    public var openDelinquencyRangeID: Int64?

    public init(
        loanID: Int64,
        status: Int,
        currency: Currency,
        disbursedOn: LocalDate?,
        interestCalculatedFrom: LocalDate? = nil,
        accruedTill: LocalDate? = nil,
        graceOnArrearsAgeing: Int = 0,
        isNPA: Bool = false,
        isChargedOff: Bool = false,
        accountingType: Int,
        overdueCharges: [OverduePenaltyRule.Charge] = [],
        delinquencyRanges: [DelinquencyClassifier.Range]? = nil,
        dueDaysForRepaymentEvent: Int? = nil,
        overdueDaysForRepaymentEvent: Int? = nil,
        installments: [LoanInstallment],
        charges: [PeriodicAccrual.Charge] = [],
        appliedPenalties: Set<OverduePenaltyRule.Application> = [],
        openDelinquencyRangeID: Int64? = nil
    ) {
        self.loanID = loanID
        self.status = status
        self.currency = currency
        self.disbursedOn = disbursedOn
        self.interestCalculatedFrom = interestCalculatedFrom
        self.accruedTill = accruedTill
        self.graceOnArrearsAgeing = graceOnArrearsAgeing
        self.isNPA = isNPA
        self.isChargedOff = isChargedOff
        self.accountingType = accountingType
        self.overdueCharges = overdueCharges
        self.delinquencyRanges = delinquencyRanges
        self.dueDaysForRepaymentEvent = dueDaysForRepaymentEvent
        self.overdueDaysForRepaymentEvent = overdueDaysForRepaymentEvent
        self.installments = installments
        self.charges = charges
        self.appliedPenalties = appliedPenalties
        self.openDelinquencyRangeID = openDelinquencyRangeID
    }

    public var isOpen: Bool { Self.openStatuses.contains(self.status) }

    /// Whether the periodic accrual applies: active, accrual-accounted, performing, not charged off.
    public var accrues: Bool {
        self.status == Self.activeStatus && self.accountingType == Self.periodicAccrualAccounting && !self.isNPA
            && !self.isChargedOff
    }
}
