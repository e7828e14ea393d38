import FineractDomain
import Foundation

/// The text of a repayment reminder, and the key that keeps it from being queued twice.
///
/// Fineract raises `LoanRepaymentDueBusinessEvent` / `LoanRepaymentOverdueBusinessEvent` here;
/// we queue an SMS and an e-mail to the client instead. The key names the loan, the installment
/// and its due date, so a rerun, a forced run or a catch-up never queues the same reminder
/// again (`ux_sms_dedup`, `ux_email_dedup`).
struct RepaymentReminderMessage: Sendable {
    var reminder: RepaymentReminderRule.Reminder
    var loanID: Int64
    var accountNumber: String
    var currencyCode: String

    var deduplicationKey: String {
        "loan-\(self.reminder.kind.rawValue):\(self.loanID):\(self.reminder.installmentNumber):\(self.reminder.dueDate)"
    }

    var subject: String {
        switch self.reminder.kind {
        case .due: "Loan \(self.accountNumber): repayment due on \(self.reminder.dueDate)"
        case .overdue: "Loan \(self.accountNumber): repayment overdue since \(self.reminder.dueDate)"
        }
    }

    var text: String {
        let amount = "\(self.reminder.amountOutstanding) \(self.currencyCode)"
        let installment = "installment \(self.reminder.installmentNumber) of loan \(self.accountNumber)"
        switch self.reminder.kind {
        case .due:
            return "Reminder: \(installment), \(amount), is due on \(self.reminder.dueDate)."
        case .overdue:
            return "Your \(installment), \(amount), was due on \(self.reminder.dueDate) and is overdue."
        }
    }
}
