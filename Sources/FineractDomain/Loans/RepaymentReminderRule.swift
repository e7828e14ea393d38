public import Foundation

/// The CHECK_LOAN_REPAYMENT_DUE and CHECK_LOAN_REPAYMENT_OVERDUE steps: whether a COB date is
/// the day to remind a borrower of an installment, Fineract's `CheckLoanRepaymentDueBusinessStep`
/// and `CheckLoanRepaymentOverdueBusinessStep`.
///
/// A loan that is disbursed and still owes something is reminded of the first installment with
/// something outstanding whose due date is `daysBeforeDue` days after the COB date (due soon),
/// or `daysAfterDue` days before it (overdue). The product's `due_days_for_repayment_event` and
/// `overdue_days_for_repayment_event` override the tenant's `days-before-repayment-is-due` and
/// `days-after-repayment-is-overdue`. Fineract raises a business event; we queue a message.
public struct RepaymentReminderRule: Sendable {
    public enum Kind: String, Sendable, Hashable {
        case due
        case overdue
    }

    /// A reminder for one installment.
    public struct Reminder: Sendable, Hashable {
        public var kind: Kind
        public var installmentNumber: Int
        public var dueDate: LocalDate
        /// What the installment still owes.
        public var amountOutstanding: Decimal
    }

    public var daysBeforeDue: Int
    public var daysAfterDue: Int

    public init(daysBeforeDue: Int = 1, daysAfterDue: Int = 1) {
        self.daysBeforeDue = daysBeforeDue
        self.daysAfterDue = daysAfterDue
    }

    /// The reminder of `kind` for `cobDate`, if one is due.
    public func reminder(_ kind: Kind, for installments: [LoanInstallment], cobDate: LocalDate) -> Reminder? {
        guard installments.contains(where: { $0.totalOutstanding > 0 }) else { return nil }
        let dueDate =
            switch kind {
            case .due: cobDate.adding(days: self.daysBeforeDue)
            case .overdue: cobDate.adding(days: -self.daysAfterDue)
            }
        let match = installments.sorted { $0.number < $1.number }
            .first { $0.totalOutstanding > 0 && $0.dueDate == dueDate }
        return match.map {
            Reminder(
                kind: kind,
                installmentNumber: $0.number,
                dueDate: $0.dueDate,
                amountOutstanding: $0.totalOutstanding
            )
        }
    }
}
