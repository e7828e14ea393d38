import FineractDomain
import Foundation
import JobsCore

/// The counts a loan job reports for one business date: loans selected, closed, skipped and
/// failed, and what each step wrote.
struct LoanRunReport: Sendable {
    /// At most this many failed loans are listed by id; the count covers them all.
    static let listedFailureLimit = 100

    var selected = 0
    var processed = 0
    var skippedLocked = 0
    var chunks = 0
    var failures: [(loanID: Int64, error: String)] = []
    var failedCount = 0

    var penaltyLoans = 0
    var penalties = 0
    var penaltyAmount: Decimal = 0
    var delinquencyAdded = 0
    var delinquencyChanged = 0
    var delinquencyLifted = 0
    var dueReminders = 0
    var overdueReminders = 0
    var smsQueued = 0
    var emailsQueued = 0
    var arrearsRows = 0
    var accrualLoans = 0
    var accrualTransactions = 0
    var accrualAmount: Decimal = 0
    var journalEntries = 0

    mutating func recordFailure(loanID: Int64, error: String) {
        self.failedCount += 1
        if self.failures.count < Self.listedFailureLimit {
            self.failures.append((loanID, error))
        }
    }

    /// Counts what `plans` decided; the rows the database accepted are added by the writer.
    mutating func count(_ plans: [LoanPlan]) {
        self.processed += plans.count
        for plan in plans {
            let outcome = plan.outcome
            if !outcome.penalties.isEmpty {
                self.penaltyLoans += 1
                self.penalties += outcome.penalties.count
                self.penaltyAmount += outcome.penaltyTotal
            }
            switch outcome.delinquency {
            case .unchanged: break
            case .add: self.delinquencyAdded += 1
            case .change: self.delinquencyChanged += 1
            case .lift: self.delinquencyLifted += 1
            }
            self.dueReminders += outcome.reminders.filter { $0.kind == .due }.count
            self.overdueReminders += outcome.reminders.filter { $0.kind == .overdue }.count
            self.arrearsRows += outcome.arrears == nil ? 0 : 1
            if let accrual = outcome.accrual, !accrual.postings.isEmpty {
                self.accrualLoans += 1
                self.accrualTransactions += accrual.postings.count
                self.accrualAmount += accrual.totalAmount
            }
        }
    }

    mutating func merge(_ other: LoanRunReport) {
        self.selected += other.selected
        self.processed += other.processed
        self.skippedLocked += other.skippedLocked
        self.chunks += other.chunks
        for failure in other.failures where self.failures.count < Self.listedFailureLimit {
            self.failures.append(failure)
        }
        self.failedCount += other.failedCount
        self.penaltyLoans += other.penaltyLoans
        self.penalties += other.penalties
        self.penaltyAmount += other.penaltyAmount
        self.delinquencyAdded += other.delinquencyAdded
        self.delinquencyChanged += other.delinquencyChanged
        self.delinquencyLifted += other.delinquencyLifted
        self.dueReminders += other.dueReminders
        self.overdueReminders += other.overdueReminders
        self.smsQueued += other.smsQueued
        self.emailsQueued += other.emailsQueued
        self.arrearsRows += other.arrearsRows
        self.accrualLoans += other.accrualLoans
        self.accrualTransactions += other.accrualTransactions
        self.accrualAmount += other.accrualAmount
        self.journalEntries += other.journalEntries
    }

    var failedJSON: JSONValue {
        .object([
            "count": .integer(Int64(self.failedCount)),
            "loans": .array(
                self.failures.map { .object(["loanId": .integer($0.loanID), "error": .string($0.error)]) }
            ),
        ])
    }

    var accrualJSON: JSONValue {
        .object([
            "loans": .integer(Int64(self.accrualLoans)),
            "transactions": .integer(Int64(self.accrualTransactions)),
            "amount": .string(self.accrualAmount.description),
            "journalEntries": .integer(Int64(self.journalEntries)),
        ])
    }

    /// Per-step counts, keyed by step name, for the steps that ran.
    func stepsJSON(_ steps: [LoanCOBStep]) -> JSONValue {
        var json: [String: JSONValue] = [:]
        for step in steps {
            switch step {
            case .applyChargeToOverdueLoans:
                json[step.rawValue] = .object([
                    "loans": .integer(Int64(self.penaltyLoans)),
                    "penalties": .integer(Int64(self.penalties)),
                    "amount": .string(self.penaltyAmount.description),
                ])
            case .loanDelinquencyClassification:
                json[step.rawValue] = .object([
                    "added": .integer(Int64(self.delinquencyAdded)),
                    "changed": .integer(Int64(self.delinquencyChanged)),
                    "lifted": .integer(Int64(self.delinquencyLifted)),
                ])
            case .checkLoanRepaymentDue:
                json[step.rawValue] = .object(["reminders": .integer(Int64(self.dueReminders))])
            case .checkLoanRepaymentOverdue:
                json[step.rawValue] = .object(["reminders": .integer(Int64(self.overdueReminders))])
            case .updateLoanArrearsAging:
                json[step.rawValue] = .object(["loansInArrears": .integer(Int64(self.arrearsRows))])
            case .addPeriodicAccrualEntries:
                json[step.rawValue] = self.accrualJSON
            }
        }
        if steps.contains(.checkLoanRepaymentDue) || steps.contains(.checkLoanRepaymentOverdue) {
            json["notificationsQueued"] = .object([
                "sms": .integer(Int64(self.smsQueued)),
                "email": .integer(Int64(self.emailsQueued)),
            ])
        }
        return .object(json)
    }
}
