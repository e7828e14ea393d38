import FineractDomain
import Foundation

/// What a posting run does to one account, worked out before anything is written: the interest
/// calculation, the compare-and-correct plan, and the GL accounts its journal entries need.
struct SavingsAccountPosting: Sendable {
    /// Fineract's savings GL placeholders (`CashAccountsForSavings`), the financial account types of
    /// `acc_product_mapping`.
    enum GLPlaceholder: Int, Sendable {
        case savingsReference = 1
        case savingsControl = 2
        case interestOnSavings = 3
        case incomeFromInterest = 12
    }

    /// The GL accounts one posting is debited to and credited from.
    struct JournalAccounts: Sendable, Hashable {
        var debit: Int64
        var credit: Int64
    }

    var account: SavingsAccountRecord
    var history: [StoredSavingsTransaction]
    var calculation: SavingsInterestCalculation
    var plan: SavingsPostingPlan
    /// Per posting type, when the product posts journal entries.
    var journalAccounts: [SavingsTransactionType: JournalAccounts]

    /// Calculates and plans the account's postings due by `businessDate`.
    ///
    /// - Throws: `SavingsInterestError` for inconsistent terms; `SavingsAccountFailure.Reason` when
    ///   the product posts journal entries but a GL account it needs is not mapped.
    init(
        account: SavingsAccountRecord,
        history: [StoredSavingsTransaction],
        businessDate: LocalDate,
        settings: SavingsInterestSettings,
        glAccounts: [Int: Int64]
    ) throws {
        let transactions = history.map(\.transaction)
        let calculator = SavingsInterestCalculator(terms: account.terms, settings: settings, purpose: .posting)
        self.account = account
        self.history = history
        self.calculation = try calculator.calculate(
            transactions: transactions,
            interestStartDate: account.interestStartDate,
            through: businessDate
        )
        self.plan = SavingsPostingPlan.make(
            periods: self.calculation.periods,
            dueBy: businessDate,
            existing: transactions
        )
        self.journalAccounts = [:]
        guard account.hasAccounting else { return }
        for type in Set(self.plan.postingsToInsert.filter { $0.amount > 0 }.map(\.type)) {
            self.journalAccounts[type] = try Self.journalAccounts(
                for: type,
                productID: account.productID,
                mapped: glAccounts
            )
        }
    }

    /// Fineract's cash accounting for savings interest: interest posted is an expense paid into the
    /// savings liability (debit interest on savings, credit savings control); overdraft interest is
    /// income taken from the account (debit savings reference, credit income from interest).
    private static func journalAccounts(
        for type: SavingsTransactionType,
        productID: Int64,
        mapped: [Int: Int64]
    ) throws -> JournalAccounts {
        let (debit, credit): (GLPlaceholder, GLPlaceholder) =
            type == .overdraftInterest
            ? (.savingsReference, .incomeFromInterest) : (.interestOnSavings, .savingsControl)
        guard let debitAccount = mapped[debit.rawValue], let creditAccount = mapped[credit.rawValue] else {
            let missing = mapped[debit.rawValue] == nil ? debit : credit
            throw SavingsAccountFailure.Reason(
                "savings product \(productID) posts journal entries but maps no GL account to "
                    + "\(missing) (\(missing.rawValue))"
            )
        }
        return JournalAccounts(debit: debitAccount, credit: creditAccount)
    }
}
