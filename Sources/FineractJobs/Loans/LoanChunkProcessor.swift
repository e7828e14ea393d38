import FineractDomain
import Foundation
import Logging
import Postgres

/// Processes the loans of one tenant whose ids fall in one range: the unit of work the loan jobs
/// split into, and that any node may later be given on its own.
///
/// For the COB it first places a lock row (`m_loan_account_locks`, owner
/// LOAN_COB_CHUNK_PROCESSING) on every eligible loan of the range in a transaction of its own,
/// as Fineract does, so other writers see the loans are being closed. Loans locked by someone
/// else, or left locked with an error by an earlier run, are skipped; lock rows without an
/// error left by a run that is no longer RUNNING (a crash) are taken over. Then, in one
/// transaction, it row-locks the loans, checks they are still eligible, loads them, runs the
/// steps, writes every effect, moves each watermark and deletes each lock row. A loan whose
/// rules fail is left out of that transaction; when the database refuses the batch, the loans are
/// retried one transaction each, so only the loan at fault fails. Each failed loan keeps its lock
/// row, with the error written on it in a transaction of its own.
struct LoanChunkProcessor: Sendable {
    /// `loan_status_id`s the COB selects: submitted, approved, active, transfer in progress or on hold.
    static let cobStatuses = [100, 200, 300, 303, 304]

    let pool: PostgresPool
    let tenantID: String
    let settings: LoanTenantSettings
    let engine: LoanCloseOfBusiness
    let purpose: LoanBatchWriter.Purpose
    let runID: Int64?
    /// A catch-up COB selects only loans closed up to the day before (no NULL watermark).
    let catchUp: Bool
    let logger: Logger

    var writer: LoanBatchWriter {
        LoanBatchWriter(tenantID: self.tenantID, purpose: self.purpose, runID: self.runID)
    }

    /// Processes every eligible loan with an id in `idRange`.
    func processLoans(idRange: ClosedRange<Int64>) async throws -> LoanRunReport {
        var report = LoanRunReport()
        report.chunks = 1
        let claimed: [Int64]
        switch self.purpose {
        case .closeOfBusiness:
            let locks = try await self.placeLocks(idRange: idRange)
            report.selected = locks.eligible
            report.skippedLocked = locks.eligible - locks.claimed.count
            claimed = locks.claimed
        case .accrual:
            let candidates = try await self.accrualCandidates(idRange: idRange)
            report.selected = candidates.eligible
            report.skippedLocked = candidates.eligible - candidates.free.count
            claimed = candidates.free
        }
        guard !claimed.isEmpty else { return report }
        var failures: [(Int64, any Error)] = []
        do {
            let batch = try await self.pool.withTransaction { connection in
                try await self.processBatch(claimed, on: connection)
            }
            report.merge(batch.report)
            failures = batch.failures
        } catch let error where Self.isRefusal(error) {
            // The database refused the batch; find the loan at fault by going one loan at a time.
            self.logger.info(
                "loan batch refused by the database; retrying its loans one by one",
                metadata: [.loanCount: "\(claimed.count)", .error: "\(error)"]
            )
            for loanID in claimed {
                try Task.checkCancellation()
                do {
                    let single = try await self.pool.withTransaction { connection in
                        try await self.processBatch([loanID], on: connection)
                    }
                    report.merge(single.report)
                    failures += single.failures
                } catch let error where Self.isRefusal(error) {
                    failures.append((loanID, error))
                }
            }
        }
        try await self.recordFailures(failures, into: &report)
        return report
    }

    /// Loads, decides and writes `loanIDs` in the caller's transaction; loans whose rules fail are
    /// returned, not written.
    private func processBatch(_ loanIDs: [Int64], on connection: PostgresConnection) async throws
        -> (report: LoanRunReport, failures: [(Int64, any Error)])
    {
        let confirmed = try await self.lockRows(loanIDs, on: connection)
        if case .closeOfBusiness = self.purpose, confirmed.count < loanIDs.count {
            // Closed by someone else since the locks were placed: nothing to do, release them.
            let gone = Set(loanIDs).subtracting(confirmed)
            try await connection.query(
                """
                DELETE FROM m_loan_account_locks
                WHERE tenant_id = \(self.tenantID) AND loan_id = ANY(\(LoanBatchWriter.ids(gone.sorted()))::bigint[])
                  AND lock_owner = \(LoanBatchWriter.lockOwner) AND error IS NULL
                """
            )
        }
        let reader = LoanBatchReader(
            tenantID: self.tenantID,
            products: self.settings.products,
            steps: self.engine.steps
        )
        var plans: [LoanPlan] = []
        var failures: [(Int64, any Error)] = []
        for (loanID, loaded) in try await reader.read(confirmed, on: connection) {
            do {
                let record = try loaded.get()
                guard let product = self.settings.products[record.productID] else {
                    throw LoanRuleError(code: "unknown_product", message: "loan product \(record.productID) is missing")
                }
                plans.append(
                    try LoanPlan(record: record, engine: self.engine, date: self.purpose.date, product: product)
                )
            } catch {
                failures.append((loanID, error))
            }
        }
        var report = try await self.writer.write(plans, on: connection)
        report.count(plans)
        return (report, failures)
    }

    /// Row-locks the loans that are still eligible, in id order, so concurrent writers wait.
    private func lockRows(_ loanIDs: [Int64], on connection: PostgresConnection) async throws -> [Int64] {
        let ids = LoanBatchWriter.ids(loanIDs)
        let rows: PostgresRows
        switch self.purpose {
        case .closeOfBusiness(let cobDate):
            rows = try await connection.query(
                """
                SELECT id FROM m_loan
                WHERE tenant_id = \(self.tenantID) AND id = ANY(\(ids)::bigint[])
                  AND loan_status_id = ANY(\(PostgresArray(Self.cobStatuses.map(String.init)))::int[])
                  AND (last_closed_business_date = \(cobDate.adding(days: -1))
                       OR (NOT \(self.catchUp) AND last_closed_business_date IS NULL))
                ORDER BY id FOR UPDATE
                """
            )
        case .accrual:
            rows = try await connection.query(
                """
                SELECT id FROM m_loan WHERE tenant_id = \(self.tenantID) AND id = ANY(\(ids)::bigint[])
                ORDER BY id FOR UPDATE
                """
            )
        }
        return try rows.map { try $0.decode("id", as: Int64.self) }
    }

    /// Whether `error` is the database refusing the work (constraint, trigger, data), as opposed
    /// to a cancellation or a lost connection, which must end the run instead.
    static func isRefusal(_ error: any Error) -> Bool {
        guard !Task.isCancelled, let error = error as? PostgresError else { return false }
        return error.code == .server && error.sqlState?.hasPrefix("57") == false
            && error.sqlState?.hasPrefix("08") == false
    }
}
