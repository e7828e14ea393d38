import FineractDomain
import Foundation

/// What the loan jobs will write for one loan: the steps' outcome and the journal lines of its
/// accruals, worked out in full before anything is written, so a loan the rules reject never
/// reaches the database.
struct LoanPlan: Sendable {
    /// One journal entry line of an accrual: a debit to a receivable, a credit to income.
    struct JournalLine: Sendable {
        var date: LocalDate
        var accountID: Int64
        var isDebit: Bool
        var amount: Decimal
    }

    var record: LoanRecord
    var outcome: LoanCOBOutcome
    var journal: [JournalLine]

    var loanID: Int64 { self.record.loanID }

    /// Runs `engine` over the loan for `date` and books its accruals.
    ///
    /// - Throws: `LoanStepFailure` when a step's rule cannot apply, including an accrual whose
    ///   product lacks the GL account it must post to.
    init(record: LoanRecord, engine: LoanCloseOfBusiness, date: LocalDate, product: LoanProductRules) throws {
        self.record = record
        self.outcome = try engine.close(record.input, cobDate: date)
        self.journal = []
        for posting in self.outcome.accrual?.postings ?? [] {
            do {
                try self.book(posting.interest, on: posting.date, product, .interestReceivable, .interestIncome)
                try self.book(posting.fee, on: posting.date, product, .feesReceivable, .feeIncome)
                try self.book(posting.penalty, on: posting.date, product, .penaltiesReceivable, .penaltyIncome)
            } catch {
                throw LoanStepFailure(step: .addPeriodicAccrualEntries, cause: error)
            }
        }
    }

    /// Fineract's accrual entries: debit the receivable, credit the income, for each portion.
    private mutating func book(
        _ amount: Decimal,
        on date: LocalDate,
        _ product: LoanProductRules,
        _ receivable: LoanProductRules.GLAccountType,
        _ income: LoanProductRules.GLAccountType
    ) throws {
        guard amount > 0 else { return }
        for (type, isDebit) in [(receivable, true), (income, false)] {
            guard let account = product.glAccount(type) else {
                throw LoanRuleError(
                    code: "missing_gl_mapping",
                    message:
                        "loan product \(self.record.productID) maps no GL account of financial account type \(type.rawValue)"
                )
            }
            self.journal.append(JournalLine(date: date, accountID: account, isDebit: isDebit, amount: amount))
        }
    }
}
