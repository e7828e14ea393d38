public import Foundation

/// One row of a loan's stored repayment schedule (`m_loan_repayment_schedule`) as the COB steps
/// and the periodic accrual see it.
///
/// Each charged component (principal, interest, fees, penalties) comes with what is still
/// outstanding of it (charged less paid, waived and written off), and the income components
/// with what has been accrued so far (`accrual_*_derived`).
public struct LoanInstallment: Sendable, Hashable {
    /// The schedule row's id.
    public var id: Int64
    public var number: Int
    public var fromDate: LocalDate
    public var dueDate: LocalDate

    public var principal: Decimal
    public var principalOutstanding: Decimal

    public var interest: Decimal
    public var interestWaived: Decimal
    public var interestOutstanding: Decimal
    public var accruedInterest: Decimal

    public var fee: Decimal
    public var feeWaived: Decimal
    public var feeOutstanding: Decimal
    public var accruedFee: Decimal

    public var penalty: Decimal
    public var penaltyWaived: Decimal
    public var penaltyOutstanding: Decimal
    public var accruedPenalty: Decimal

    /// `completed_derived`: fully paid (or otherwise settled).
    public var isCompleted: Bool

    public init(
        id: Int64,
        number: Int,
        fromDate: LocalDate,
        dueDate: LocalDate,
        principal: Decimal,
        principalOutstanding: Decimal? = nil,
        interest: Decimal,
        interestWaived: Decimal = 0,
        interestOutstanding: Decimal? = nil,
        accruedInterest: Decimal = 0,
        fee: Decimal = 0,
        feeWaived: Decimal = 0,
        feeOutstanding: Decimal? = nil,
        accruedFee: Decimal = 0,
        penalty: Decimal = 0,
        penaltyWaived: Decimal = 0,
        penaltyOutstanding: Decimal? = nil,
        accruedPenalty: Decimal = 0,
        isCompleted: Bool = false
    ) {
        self.id = id
        self.number = number
        self.fromDate = fromDate
        self.dueDate = dueDate
        self.principal = principal
        self.principalOutstanding = principalOutstanding ?? principal
        self.interest = interest
        self.interestWaived = interestWaived
        self.interestOutstanding = interestOutstanding ?? interest - interestWaived
        self.accruedInterest = accruedInterest
        self.fee = fee
        self.feeWaived = feeWaived
        self.feeOutstanding = feeOutstanding ?? fee - feeWaived
        self.accruedFee = accruedFee
        self.penalty = penalty
        self.penaltyWaived = penaltyWaived
        self.penaltyOutstanding = penaltyOutstanding ?? penalty - penaltyWaived
        self.accruedPenalty = accruedPenalty
        self.isCompleted = isCompleted
    }

    /// Everything still owed on this installment.
    public var totalOutstanding: Decimal {
        self.principalOutstanding + self.interestOutstanding + self.feeOutstanding + self.penaltyOutstanding
    }

    /// Whether `date` falls in this installment's period: after its start and up to its due
    /// date; the first installment also owns its start date, as in Fineract.
    public func covers(_ date: LocalDate) -> Bool {
        (date > self.fromDate || (self.number == 1 && date == self.fromDate)) && date <= self.dueDate
    }
}
