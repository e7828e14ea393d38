import FineractDomain
import Foundation
import Postgres

/// Writes the planned postings of a set of accounts inside the caller's transaction, in a handful
/// of set-based statements whatever the number of accounts: reversals, new postings, the derived
/// balances that changed, the accounts' figures, and journal entries.
struct SavingsPostingWriter: Sendable {
    var tenantID: String
    var businessDate: LocalDate
    var settings: SavingsInterestSettings
    /// The `job_run` row the new postings belong to, when the run has one.
    var jobRunID: Int64?

    /// Writes everything for `postings` and counts what was written.
    func write(_ postings: [SavingsAccountPosting], connection: PostgresConnection) async throws -> SavingsRunTally {
        var tally = SavingsRunTally()
        var newRows: [NewPosting] = []
        var derivedChanges: [SavingsRunningBalances.Derived] = []
        var accountChanges: [(SavingsAccountRecord, SavingsAccountRecord.Summary)] = []
        // Rows not yet inserted take ids above any existing one, in insertion order, which is the
        // order the database assigns the real ids in: the history order comes out the same.
        var provisionalID = Int64.max / 2
        for posting in postings {
            let writes = self.writes(for: posting, provisionalIDs: &provisionalID)
            newRows += writes.newRows
            derivedChanges += writes.derivedChanges
            if let summary = writes.summary {
                accountChanges.append((posting.account, summary))
            }
            tally.accounts += 1
            tally.postingsInserted += posting.plan.insertions.count
            tally.postingsCorrected += posting.plan.corrections.count
            tally.postingsUnchanged += posting.plan.unchanged.count
        }
        let reversedIDs = postings.flatMap { $0.plan.corrections.map(\.reversedTransactionID) }
        if !reversedIDs.isEmpty {
            try await self.reverse(reversedIDs, connection: connection)
        }
        let ids = try await self.insert(newRows, connection: connection)
        try await self.updateDerived(derivedChanges, connection: connection)
        try await SavingsAccountSummaryWriter.update(accountChanges, tenantID: self.tenantID, connection: connection)
        // A zero posting gets no journal entry: an entry of nothing records nothing.
        let journal = newRows.compactMap { row -> JournalLine? in
            guard row.transaction.amount > 0, let glAccounts = row.glAccounts,
                let id = ids[PostingKey(accountID: row.account.id, date: row.transaction.date)]
            else { return nil }
            var transaction = row.transaction
            transaction.id = id
            return JournalLine(account: row.account, transaction: transaction, glAccounts: glAccounts)
        }
        try await self.insertJournal(journal, connection: connection)
        tally.transactionsUpdated = derivedChanges.count + newRows.count
        tally.accountsUpdated = accountChanges.count
        tally.journalEntriesInserted = journal.count * 2
        return tally
    }

    /// A posting about to be inserted, with the running balance it will carry.
    private struct NewPosting {
        var account: SavingsAccountRecord
        var transaction: SavingsTransaction
        var runningBalance: Decimal?
        /// Where its journal entry goes, when the product keeps accounts.
        var glAccounts: SavingsAccountPosting.JournalAccounts?
    }

    /// What one account's run writes, worked out before any statement runs.
    private struct AccountWrites {
        var newRows: [NewPosting]
        /// Existing rows whose derived balance fields change (reversed postings among them).
        var derivedChanges: [SavingsRunningBalances.Derived]
        /// The account's new figures, nil when they stay as they are.
        var summary: SavingsAccountRecord.Summary?
    }

    /// Recomputes the account's balances as they will be once its plan is applied.
    private func writes(for posting: SavingsAccountPosting, provisionalIDs: inout Int64) -> AccountWrites {
        let account = posting.account
        let reversed = Set(posting.plan.corrections.map(\.reversedTransactionID))
        var history = posting.history.map(\.transaction)
        for index in history.indices where reversed.contains(history[index].id) {
            history[index].isReversed = true
        }
        var inserted: [SavingsTransaction] = []
        for planned in posting.plan.postingsToInsert {
            provisionalIDs += 1
            inserted.append(
                SavingsTransaction(id: provisionalIDs, type: planned.type, date: planned.date, amount: planned.amount)
            )
        }
        let balances = SavingsRunningBalances(
            transactions: history + inserted,
            through: self.businessDate,
            currency: account.terms.currency,
            rounding: self.settings.roundingMode
        )
        let stored = Dictionary(posting.history.map { ($0.transaction.id, $0.derived) }) { first, _ in first }
        var derivedChanges: [SavingsRunningBalances.Derived] = []
        var newRunningBalances: [Int64: Decimal] = [:]
        for derived in balances.derived {
            if let current = stored[derived.transactionID] {
                if current != derived {
                    derivedChanges.append(derived)
                }
            } else {
                newRunningBalances[derived.transactionID] = derived.runningBalance
            }
        }
        let summary = SavingsAccountRecord.Summary(
            accountBalance: balances.accountBalance,
            totalInterestPosted: balances.totalInterestPosted,
            totalOverdraftInterest: balances.totalOverdraftInterest,
            totalInterestEarned: posting.calculation.totalInterestEarned,
            lastInterestCalculationDate: self.businessDate,
            interestPostedTillDate: balances.interestPostedTillDate
        )
        return AccountWrites(
            newRows: inserted.map {
                NewPosting(
                    account: account,
                    transaction: $0,
                    runningBalance: newRunningBalances[$0.id],
                    glAccounts: posting.journalAccounts[$0.type]
                )
            },
            derivedChanges: derivedChanges,
            summary: summary == account.summary ? nil : summary
        )
    }

    // MARK: - Statements

    /// Reverses postings and the journal entries that recorded them.
    private func reverse(_ ids: [Int64], connection: PostgresConnection) async throws {
        let idArray = PostgresArray(ids.map(String.init))
        try await connection.query(
            """
            UPDATE m_savings_account_transaction SET is_reversed = true
            WHERE tenant_id = \(self.tenantID) AND id = ANY(\(idArray)::bigint[]) AND NOT is_reversed
            """
        )
        try await connection.query(
            """
            UPDATE acc_gl_journal_entry SET reversed = true
            WHERE tenant_id = \(self.tenantID) AND savings_transaction_id = ANY(\(idArray)::bigint[]) AND NOT reversed
            """
        )
    }

    private struct PostingKey: Hashable {
        var accountID: Int64
        var date: LocalDate
    }

    /// Inserts every new and corrected posting with its running balance; returns their ids by
    /// account and date (one live posting per account and date).
    private func insert(_ rows: [NewPosting], connection: PostgresConnection) async throws -> [PostingKey: Int64] {
        guard !rows.isEmpty else { return [:] }
        let accounts = PostgresArray(rows.map { String($0.account.id) })
        let offices = PostgresArray(rows.map { String($0.account.officeID) })
        let types = PostgresArray(rows.map { String($0.transaction.type.rawValue) })
        let dates = PostgresArray(rows.map { $0.transaction.date.description })
        let amounts = PostgresArray(rows.map { $0.transaction.amount.description })
        let running = PostgresArray(rows.map { $0.runningBalance?.description })
        let inserted = try await connection.query(
            """
            INSERT INTO m_savings_account_transaction (
                tenant_id, savings_account_id, office_id, transaction_type_enum, transaction_date,
                submitted_on_date, amount, running_balance_derived, job_run_id)
            SELECT \(self.tenantID), u.account, u.office, u.type, u.day, \(self.businessDate), u.amount,
                u.running, \(self.jobRunID)
            FROM unnest(\(accounts)::bigint[], \(offices)::bigint[], \(types)::smallint[], \(dates)::date[],
                \(amounts)::numeric[], \(running)::numeric[]) AS u(account, office, type, day, amount, running)
            RETURNING id, savings_account_id, transaction_date
            """
        )
        var ids: [PostingKey: Int64] = [:]
        for row in inserted {
            let key = PostingKey(
                accountID: try row.decode("savings_account_id"),
                date: try row.decode("transaction_date")
            )
            ids[key] = try row.decode("id")
        }
        return ids
    }

    /// Writes the derived balance fields of the rows whose values changed.
    private func updateDerived(_ changes: [SavingsRunningBalances.Derived], connection: PostgresConnection) async throws
    {
        guard !changes.isEmpty else { return }
        let ids = PostgresArray(changes.map { String($0.transactionID) })
        let running = PostgresArray(changes.map { $0.runningBalance?.description })
        let endDates = PostgresArray(changes.map { $0.balanceEndDate?.description })
        let days = PostgresArray(changes.map { $0.numberOfDays.map(String.init) })
        let cumulative = PostgresArray(changes.map { $0.cumulativeBalance?.description })
        try await connection.query(
            """
            UPDATE m_savings_account_transaction t
            SET running_balance_derived = u.running, balance_end_date_derived = u.end_date,
                balance_number_of_days_derived = u.days, cumulative_balance_derived = u.cumulative
            FROM unnest(\(ids)::bigint[], \(running)::numeric[], \(endDates)::date[], \(days)::int[],
                \(cumulative)::numeric[]) AS u(id, running, end_date, days, cumulative)
            WHERE t.tenant_id = \(self.tenantID) AND t.id = u.id
            """
        )
    }

    /// One posting's journal entry: a debit and a credit of its amount.
    private struct JournalLine {
        var account: SavingsAccountRecord
        var transaction: SavingsTransaction
        var glAccounts: SavingsAccountPosting.JournalAccounts
    }

    private func insertJournal(_ lines: [JournalLine], connection: PostgresConnection) async throws {
        guard !lines.isEmpty else { return }
        var glAccounts: [String] = []
        var offices: [String] = []
        var currencies: [String] = []
        var transactions: [String] = []
        var sides: [String] = []
        var amounts: [String] = []
        var dates: [String] = []
        for line in lines {
            // Fineract's JournalEntryType: 1 credit, 2 debit.
            for (glAccount, side) in [(line.glAccounts.debit, 2), (line.glAccounts.credit, 1)] {
                glAccounts.append(String(glAccount))
                offices.append(String(line.account.officeID))
                currencies.append(line.account.terms.currency.code)
                transactions.append(String(line.transaction.id))
                sides.append(String(side))
                amounts.append(line.transaction.amount.description)
                dates.append(line.transaction.date.description)
            }
        }
        try await connection.query(
            """
            INSERT INTO acc_gl_journal_entry (
                tenant_id, account_id, office_id, currency_code, transaction_id, savings_transaction_id,
                type_enum, amount, transaction_date, entry_date)
            SELECT \(self.tenantID), u.gl_account, u.office, u.currency, 'S' || u.txn, u.txn, u.side, u.amount, u.day,
                u.day
            FROM unnest(\(PostgresArray(glAccounts))::bigint[], \(PostgresArray(offices))::bigint[],
                \(PostgresArray(currencies))::text[], \(PostgresArray(transactions))::bigint[],
                \(PostgresArray(sides))::smallint[], \(PostgresArray(amounts))::numeric[],
                \(PostgresArray(dates))::date[]) AS u(gl_account, office, currency, txn, side, amount, day)
            """
        )
    }
}
