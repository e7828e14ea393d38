import FineractDomain
import Foundation
import Postgres

/// Writes the plans of a batch of loans with one set-based statement per table (arrays bound as
/// parameters and `unnest`ed), inside the caller's transaction.
///
/// The caller's transaction holds every loan's row lock and, for the COB, moves each loan's
/// watermark and deletes its lock row with the same commit, so for every loan either all its
/// effects are stored or none are.
struct LoanBatchWriter: Sendable {
    /// What the batch is for.
    enum Purpose: Sendable {
        /// A COB date: set the watermark and release the COB locks of every loan written.
        case closeOfBusiness(cobDate: LocalDate)
        /// A stand-alone accrual up to a till date.
        case accrual(tillDate: LocalDate)

        var date: LocalDate {
            switch self {
            case .closeOfBusiness(let date), .accrual(let date): date
            }
        }
    }

    /// The owner name Fineract gives the locks of a COB chunk.
    static let lockOwner = "LOAN_COB_CHUNK_PROCESSING"

    let tenantID: String
    let purpose: Purpose
    /// The `job_run` the rows belong to.
    let runID: Int64?

    /// Writes `plans` and returns what the database took (queued messages, journal entries).
    func write(_ plans: [LoanPlan], on connection: PostgresConnection) async throws -> LoanRunReport {
        var report = LoanRunReport()
        guard !plans.isEmpty else { return report }
        try await self.insertPenalties(plans, on: connection)
        try await self.updateSchedules(plans, on: connection)
        try await self.updateLoans(plans, on: connection)
        try await self.writeDelinquency(plans, on: connection)
        try await self.writeArrears(plans, on: connection)
        let queued = try await self.queueReminders(plans, on: connection)
        report.smsQueued = queued.sms
        report.emailsQueued = queued.emails
        report.journalEntries = try await self.postAccruals(plans, on: connection)
        if case .closeOfBusiness = self.purpose {
            try await connection.query(
                """
                DELETE FROM m_loan_account_locks
                WHERE tenant_id = \(self.tenantID) AND loan_id = ANY(\(Self.ids(plans.map(\.loanID)))::bigint[])
                  AND lock_owner = \(Self.lockOwner)
                """
            )
        }
        return report
    }

    // MARK: - Schedule and loan

    /// Adds the new penalties to their installments and stores the new accrued figures.
    private func updateSchedules(_ plans: [LoanPlan], on connection: PostgresConnection) async throws {
        var ids: [String?] = []
        var penalties: [String?] = []
        var interest: [String?] = []
        var fees: [String?] = []
        var penaltyAccruals: [String?] = []
        for plan in plans {
            var added: [Int64: Decimal] = [:]
            for penalty in plan.outcome.penalties {
                added[penalty.installmentID, default: 0] += penalty.amount
            }
            let accrued = Dictionary(
                (plan.outcome.accrual?.installments ?? []).map { ($0.installmentID, $0) },
                uniquingKeysWith: { _, last in last }
            )
            for id in Set(added.keys).union(accrued.keys).sorted() {
                ids.append(String(id))
                penalties.append((added[id] ?? 0).description)
                interest.append(accrued[id]?.accruedInterest.description)
                fees.append(accrued[id]?.accruedFee.description)
                penaltyAccruals.append(accrued[id]?.accruedPenalty.description)
            }
        }
        guard !ids.isEmpty else { return }
        try await connection.query(
            """
            UPDATE m_loan_repayment_schedule s SET
                penalty_charges_amount = s.penalty_charges_amount + u.penalty_added,
                accrual_interest_derived = coalesce(u.accrued_interest, s.accrual_interest_derived),
                accrual_fee_charges_derived = coalesce(u.accrued_fee, s.accrual_fee_charges_derived),
                accrual_penalty_charges_derived = coalesce(u.accrued_penalty, s.accrual_penalty_charges_derived)
            FROM unnest(\(PostgresArray(ids))::bigint[], \(PostgresArray(penalties))::numeric[],
                \(PostgresArray(interest))::numeric[], \(PostgresArray(fees))::numeric[],
                \(PostgresArray(penaltyAccruals))::numeric[])
                AS u(id, penalty_added, accrued_interest, accrued_fee, accrued_penalty)
            WHERE s.tenant_id = \(self.tenantID) AND s.id = u.id
            """
        )
    }

    /// Moves the watermark (COB), `accrued_till` and the penalty outstanding of each loan.
    private func updateLoans(_ plans: [LoanPlan], on connection: PostgresConnection) async throws {
        let closes: Bool
        switch self.purpose {
        case .closeOfBusiness: closes = true
        case .accrual: closes = false
        }
        let changed = plans.filter { plan in
            closes || plan.outcome.accrual?.accruedTill != plan.record.input.accruedTill
                || !plan.outcome.penalties.isEmpty
        }
        guard !changed.isEmpty else { return }
        let watermark: LocalDate? = closes ? self.purpose.date : nil
        try await connection.query(
            """
            UPDATE m_loan l SET
                last_closed_business_date = coalesce(\(watermark)::date, l.last_closed_business_date),
                accrued_till = coalesce(u.accrued_till, l.accrued_till),
                penalty_charges_outstanding_derived = l.penalty_charges_outstanding_derived + u.penalty,
                total_outstanding_derived = l.total_outstanding_derived + u.penalty,
                version = l.version + 1
            FROM unnest(\(Self.ids(changed.map(\.loanID)))::bigint[],
                \(PostgresArray(changed.map { $0.outcome.accrual?.accruedTill?.description }))::date[],
                \(PostgresArray(changed.map { $0.outcome.penaltyTotal.description }))::numeric[])
                AS u(id, accrued_till, penalty)
            WHERE l.tenant_id = \(self.tenantID) AND l.id = u.id
            """
        )
    }

    static func ids(_ ids: [Int64]) -> PostgresArray {
        PostgresArray(ids.map(String.init))
    }
}
