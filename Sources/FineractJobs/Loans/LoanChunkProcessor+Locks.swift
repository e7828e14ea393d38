import FineractDomain
import Foundation
import Logging
import Postgres

extension LoanChunkProcessor {
    /// Places this run's lock rows on the range's eligible loans, in a transaction of its own.
    ///
    /// - Returns: how many loans of the range are eligible, and the ids this run now holds.
    func placeLocks(idRange: ClosedRange<Int64>) async throws -> (eligible: Int, claimed: [Int64]) {
        guard case .closeOfBusiness(let cobDate) = self.purpose else { return (0, []) }
        let rows = try await self.pool.query(
            """
            WITH eligible AS (
                SELECT id FROM m_loan
                WHERE tenant_id = \(self.tenantID) AND id BETWEEN \(idRange.lowerBound) AND \(idRange.upperBound)
                  AND loan_status_id = ANY(\(PostgresArray(Self.cobStatuses.map(String.init)))::int[])
                  AND (last_closed_business_date = \(cobDate.adding(days: -1))
                       OR (NOT \(self.catchUp) AND last_closed_business_date IS NULL))
            ), claimed AS (
                INSERT INTO m_loan_account_locks AS held (tenant_id, loan_id, lock_owner,
                    lock_placed_on_cob_business_date, job_run_id)
                SELECT \(self.tenantID), id, \(LoanBatchWriter.lockOwner), \(cobDate), \(self.runID)::bigint
                FROM eligible
                ON CONFLICT (tenant_id, loan_id) DO UPDATE SET version = held.version + 1, lock_placed_on = now(),
                    lock_placed_on_cob_business_date = EXCLUDED.lock_placed_on_cob_business_date,
                    job_run_id = EXCLUDED.job_run_id
                -- Only a lock without an error, left by this run or by one that no longer runs.
                WHERE held.lock_owner = \(LoanBatchWriter.lockOwner) AND held.error IS NULL
                  AND (held.job_run_id IS NOT DISTINCT FROM EXCLUDED.job_run_id
                       OR NOT EXISTS (SELECT 1 FROM job_run r WHERE r.id = held.job_run_id AND r.status = 'RUNNING'))
                RETURNING loan_id
            )
            SELECT NULL::bigint AS loan_id, count(*) AS eligible FROM eligible
            UNION ALL
            SELECT loan_id, NULL FROM claimed
            """
        )
        var eligible = 0
        var claimed: [Int64] = []
        for row in rows {
            if let loanID = try row.decode("loan_id", as: Int64?.self) {
                claimed.append(loanID)
            } else {
                eligible = try row.decode("eligible")
            }
        }
        return (eligible, claimed.sorted())
    }

    /// The range's loans the stand-alone accrual applies to, and those of them not locked by a COB.
    func accrualCandidates(idRange: ClosedRange<Int64>) async throws -> (eligible: Int, free: [Int64]) {
        let rows = try await self.pool.query(
            """
            SELECT l.id, EXISTS (SELECT 1 FROM m_loan_account_locks k
                                 WHERE k.tenant_id = l.tenant_id AND k.loan_id = l.id) AS locked
            FROM m_loan l JOIN m_product_loan p ON p.tenant_id = l.tenant_id AND p.id = l.product_id
            WHERE l.tenant_id = \(self.tenantID) AND l.id BETWEEN \(idRange.lowerBound) AND \(idRange.upperBound)
              AND \(unescaped: Self.accrualCondition)
            ORDER BY l.id
            """
        )
        var free: [Int64] = []
        for row in rows where !(try row.decode("locked", as: Bool.self)) {
            free.append(try row.decode("id"))
        }
        return (rows.count, free)
    }

    /// Which loans periodic accrual covers (§4.3), over `m_loan l` joined to its product `p`.
    static let accrualCondition =
        "l.loan_status_id = 300 AND p.accounting_type = 3 AND NOT l.is_npa AND NOT l.is_charged_off"

    /// Writes each failure onto the loan's lock row (COB) and adds it to the report.
    func recordFailures(_ failures: [(Int64, any Error)], into report: inout LoanRunReport) async throws {
        guard !failures.isEmpty else { return }
        let described = failures.map { (loanID: $0.0, failure: LoanFailure($0.1)) }
        for failure in described {
            report.recordFailure(loanID: failure.loanID, error: failure.failure.error)
            self.logger.error(
                "loan failed its COB steps and stays locked",
                metadata: [.loanID: "\(failure.loanID)", .error: "\(failure.failure.error)"]
            )
        }
        guard case .closeOfBusiness = self.purpose else { return }
        try await self.pool.withTransaction { connection in
            try await connection.query(
                """
                UPDATE m_loan_account_locks k SET error = u.error, stacktrace = u.trace, version = k.version + 1
                FROM unnest(\(LoanBatchWriter.ids(described.map(\.loanID)))::bigint[],
                    \(PostgresArray(described.map(\.failure.error)))::text[],
                    \(PostgresArray(described.map(\.failure.trace)))::text[]) AS u(loan_id, error, trace)
                WHERE k.tenant_id = \(self.tenantID) AND k.loan_id = u.loan_id
                """
            )
        }
    }
}

/// A loan's failure in words safe to store and show: what failed and where, never SQL or values.
struct LoanFailure: Sendable {
    var error: String
    var trace: String

    init(_ error: any Error) {
        switch error {
        case let failure as LoanStepFailure:
            self.error = failure.description
            self.trace = "step \(failure.step.rawValue); " + Self.origin(of: failure.cause)
        case let database as PostgresError:
            var words = "the database refused the loan's changes"
            if let state = database.sqlState { words += " (SQLSTATE \(state)" }
            if let constraint = database.constraintName { words += ", constraint \(constraint)" }
            if database.sqlState != nil { words += ")" }
            self.error = words
            self.trace = "writing the loan's effects; " + Self.origin(of: database)
        default:
            self.error = String(describing: error)
            self.trace = Self.origin(of: error)
        }
    }

    private static func origin(of error: any Error) -> String {
        switch error {
        case let rule as LoanRuleError: "\(rule.code) raised at \(rule.file):\(rule.line)"
        case let database as PostgresError: "\(database.code) raised at \(database.file):\(database.line)"
        default: "\(type(of: error))"
        }
    }
}
