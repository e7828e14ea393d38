import FineractDomain
import Foundation
import Postgres

/// A savings transaction row with the derived balance fields it currently holds.
struct StoredSavingsTransaction: Sendable {
    var accountID: Int64
    var transaction: SavingsTransaction
    /// The stored `running_balance_derived` and friends, to write only the rows a run changes.
    var derived: SavingsRunningBalances.Derived

    /// The columns `init(row:withDerived:)` reads from `m_savings_account_transaction`.
    static func columns(withDerived: Bool) -> String {
        let base = "id, savings_account_id, transaction_type_enum, transaction_date, amount, is_reversed, is_manual"
        guard withDerived else { return base }
        return base
            + ", running_balance_derived, balance_end_date_derived, balance_number_of_days_derived,"
            + " cumulative_balance_derived"
    }

    init(row: PostgresRow, withDerived: Bool) throws {
        let id: Int64 = try row.decode("id")
        self.accountID = try row.decode("savings_account_id")
        self.transaction = SavingsTransaction(
            id: id,
            type: SavingsTransactionType(rawValue: try row.decode("transaction_type_enum")),
            date: try row.decode("transaction_date"),
            amount: try row.decode("amount"),
            isReversed: try row.decode("is_reversed"),
            isManual: try row.decode("is_manual")
        )
        guard withDerived else {
            self.derived = SavingsRunningBalances.Derived(transactionID: id)
            return
        }
        self.derived = SavingsRunningBalances.Derived(
            transactionID: id,
            runningBalance: try row.decode("running_balance_derived"),
            balanceEndDate: try row.decode("balance_end_date_derived"),
            numberOfDays: try row.decode("balance_number_of_days_derived"),
            cumulativeBalance: try row.decode("cumulative_balance_derived")
        )
    }
}
