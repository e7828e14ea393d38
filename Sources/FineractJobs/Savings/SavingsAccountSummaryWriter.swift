import FineractDomain
import Foundation
import Postgres

/// Writes the derived figures of `m_savings_account` for the accounts whose figures changed, in one
/// statement, bumping each changed account's `version` as Fineract's optimistic lock expects.
enum SavingsAccountSummaryWriter {
    static func update(
        _ changes: [(account: SavingsAccountRecord, summary: SavingsAccountRecord.Summary)],
        tenantID: String,
        connection: PostgresConnection
    ) async throws {
        guard !changes.isEmpty else { return }
        let ids = PostgresArray(changes.map { String($0.account.id) })
        let balances = PostgresArray(changes.map { $0.summary.accountBalance.description })
        let posted = PostgresArray(changes.map { $0.summary.totalInterestPosted.description })
        let overdraft = PostgresArray(changes.map { $0.summary.totalOverdraftInterest.description })
        let earned = PostgresArray(changes.map { $0.summary.totalInterestEarned.description })
        let calculated = PostgresArray(changes.map { $0.summary.lastInterestCalculationDate?.description })
        let postedTill = PostgresArray(changes.map { $0.summary.interestPostedTillDate?.description })
        try await connection.query(
            """
            UPDATE m_savings_account a
            SET account_balance_derived = u.balance, total_interest_posted_derived = u.posted,
                total_overdraft_interest_derived = u.overdraft, total_interest_earned_derived = u.earned,
                last_interest_calculation_date = u.calculated, interest_posted_till_date = u.posted_till,
                version = a.version + 1
            FROM unnest(\(ids)::bigint[], \(balances)::numeric[], \(posted)::numeric[], \(overdraft)::numeric[],
                \(earned)::numeric[], \(calculated)::date[], \(postedTill)::date[])
                AS u(id, balance, posted, overdraft, earned, calculated, posted_till)
            WHERE a.tenant_id = \(tenantID) AND a.id = u.id
            """
        )
    }
}
