import FineractDomain
import Foundation
import Postgres

extension LoanBatchWriter {
    /// Posts the accrual transactions (type 10) of the batch, then their journal entries; returns
    /// the number of journal entries written.
    ///
    /// One live accrual per loan and date is the rule (`ux_loan_txn_daily`): a posting on a date
    /// that already has one (a penalty accrued on an installment's due date, days after that
    /// date's interest accrual) is added to that transaction, and its journal lines reference it.
    /// The transaction then carries the date's whole accrual and the journal stays balanced line
    /// by line.
    func postAccruals(_ plans: [LoanPlan], on connection: PostgresConnection) async throws -> Int {
        var postings: [(loan: LoanRecord, posting: PeriodicAccrualResult.Posting)] = []
        var lines: [(loan: LoanRecord, line: LoanPlan.JournalLine)] = []
        for plan in plans {
            for posting in plan.outcome.accrual?.postings ?? [] {
                postings.append((plan.record, posting))
            }
            for line in plan.journal {
                lines.append((plan.record, line))
            }
        }
        guard !postings.isEmpty else { return 0 }
        let submitted = self.purpose.date
        let posted = try await connection.query(
            """
            INSERT INTO m_loan_transaction AS txn (tenant_id, loan_id, office_id, transaction_type_enum,
                transaction_date, submitted_on_date, amount, interest_portion_derived, fee_charges_portion_derived,
                penalty_charges_portion_derived, job_run_id)
            SELECT \(self.tenantID), t.loan_id, t.office_id, 10, t.transaction_date, \(submitted), t.amount, t.interest,
                t.fee, t.penalty, \(self.runID)::bigint
            FROM unnest(\(Self.ids(postings.map(\.loan.loanID)))::bigint[],
                \(Self.ids(postings.map(\.loan.officeID)))::bigint[],
                \(PostgresArray(postings.map { $0.posting.date.description }))::date[],
                \(PostgresArray(postings.map { $0.posting.amount.description }))::numeric[],
                \(PostgresArray(postings.map { $0.posting.interest.description }))::numeric[],
                \(PostgresArray(postings.map { $0.posting.fee.description }))::numeric[],
                \(PostgresArray(postings.map { $0.posting.penalty.description }))::numeric[])
                AS t(loan_id, office_id, transaction_date, amount, interest, fee, penalty)
            ON CONFLICT (tenant_id, loan_id, transaction_type_enum, transaction_date)
                WHERE NOT is_reversed AND transaction_type_enum IN (10, 19, 32)
            DO UPDATE SET amount = txn.amount + EXCLUDED.amount,
                interest_portion_derived = coalesce(txn.interest_portion_derived, 0) + EXCLUDED.interest_portion_derived,
                fee_charges_portion_derived = coalesce(txn.fee_charges_portion_derived, 0)
                    + EXCLUDED.fee_charges_portion_derived,
                penalty_charges_portion_derived = coalesce(txn.penalty_charges_portion_derived, 0)
                    + EXCLUDED.penalty_charges_portion_derived
            RETURNING txn.id, txn.loan_id, txn.transaction_date
            """
        )
        // The journal lines reference their transaction by id, matched here rather than by a join
        // in SQL, whose plan over unnested arrays the planner cannot estimate.
        var transactions: [TransactionKey: Int64] = [:]
        for row in posted {
            let key = TransactionKey(
                loanID: try row.decode("loan_id"),
                date: try row.decode("transaction_date", as: LocalDate.self)
            )
            transactions[key] = try row.decode("id")
        }
        let transactionIDs = try lines.map { entry in
            guard let id = transactions[TransactionKey(loanID: entry.loan.loanID, date: entry.line.date)] else {
                throw LoanRuleError(
                    code: "unposted_journal_line",
                    message: "loan \(entry.loan.loanID) has a journal line dated \(entry.line.date) without an accrual"
                )
            }
            return id
        }
        let rows = try await connection.query(
            """
            INSERT INTO acc_gl_journal_entry (tenant_id, account_id, office_id, currency_code, transaction_id,
                loan_transaction_id, type_enum, amount, transaction_date, entry_date)
            SELECT \(self.tenantID), j.account_id, j.office_id, j.currency_code, 'L' || j.transaction_id,
                j.transaction_id, j.type_enum, j.amount, j.transaction_date, j.transaction_date
            FROM unnest(\(Self.ids(transactionIDs))::bigint[],
                \(Self.ids(lines.map(\.loan.officeID)))::bigint[],
                \(PostgresArray(lines.map(\.loan.currencyCode)))::text[],
                \(PostgresArray(lines.map { $0.line.date.description }))::date[],
                \(Self.ids(lines.map(\.line.accountID)))::bigint[],
                \(PostgresArray(lines.map { $0.line.isDebit ? "2" : "1" }))::smallint[],
                \(PostgresArray(lines.map { $0.line.amount.description }))::numeric[])
                AS j(transaction_id, office_id, currency_code, transaction_date, account_id, type_enum, amount)
            """
        )
        return rows.affectedRows
    }
}

/// An accrual transaction's natural key within one loan.
private struct TransactionKey: Hashable {
    var loanID: Int64
    var date: LocalDate
}
