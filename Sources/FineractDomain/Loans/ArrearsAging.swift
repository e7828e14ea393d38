public import Foundation

/// The UPDATE_LOAN_ARREARS_AGING step: the overdue sums of one loan (`m_loan_arrears_aging`),
/// Fineract's `LoanArrearsAgeingUpdateHandler`.
///
/// Sums what is outstanding on unpaid installments due before the COB date less the grace on
/// arrears ageing, and the oldest such due date. A loan with no such installment has no row.
public struct ArrearsAging: Sendable, Hashable {
    public var principal: Decimal
    public var interest: Decimal
    public var fee: Decimal
    public var penalty: Decimal
    public var overdueSince: LocalDate

    public var total: Decimal { self.principal + self.interest + self.fee + self.penalty }

    /// The loan's arrears at `cobDate`, or nil when nothing is overdue.
    public init?(_ installments: [LoanInstallment], cobDate: LocalDate, graceDays: Int = 0) {
        let cutOff = cobDate.adding(days: -graceDays)
        let overdue = installments.filter { !$0.isCompleted && $0.dueDate < cutOff }
        guard let since = overdue.map(\.dueDate).min() else { return nil }
        self.principal = overdue.reduce(0) { $0 + $1.principalOutstanding }
        self.interest = overdue.reduce(0) { $0 + $1.interestOutstanding }
        self.fee = overdue.reduce(0) { $0 + $1.feeOutstanding }
        self.penalty = overdue.reduce(0) { $0 + $1.penaltyOutstanding }
        self.overdueSince = since
    }
}
