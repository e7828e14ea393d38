import FineractDomain
import Foundation
public import JobsCore
public import JobsEngine
import Logging
public import Postgres

/// `end_of_day`: closes one business day for a tenant, as Fineract's midnight chain does.
///
/// For the day D being closed, in order:
/// 1. the business date moves from D to D + 1 and the COB date to D (a compare-and-set, so a
///    repeat never advances twice);
/// 2. `loan_cob` catches up loans a missed night left behind, then closes D for every loan;
/// 3. `loan_interest_posting` accrues to D, unless periodic accrual is already a COB step;
/// 4. `savings_interest_posting` then `savings_interest_calculation` as of D + 1.
///
/// The run is PARTIAL when loans stayed locked with an error for D. D is the `businessDate`
/// parameter when given; for a scheduled run, the day the fire time closes (see `closedDay`);
/// otherwise the tenant's current business date. A retried attempt keeps the D of its first
/// attempt, recorded in `job_run`.
public struct EndOfDayWorker: JobWorker {
    public let jobType = JobType.endOfDay

    private let pool: PostgresPool
    private let registry: WorkerRegistry

    public init(pool: PostgresPool, registry: WorkerRegistry) {
        self.pool = pool
        self.registry = registry
    }

    public func process(parameters: [String: JSONValue], context: JobContext) async throws -> JSONValue {
        let tenantID = try FineractParameters.requireTenant(context)
        let force = try FineractParameters.bool("force", in: parameters) ?? false
        let requested = try FineractParameters.date("businessDate", in: parameters)
        let dates = try await BusinessDates.load(tenantID: tenantID, pool: self.pool)
        let day: LocalDate
        if let requested {
            day = requested
        } else if let fireTime = context.fireTime {
            day = try await Self.closedDay(firedAt: fireTime, tenantID: tenantID, pool: self.pool)
        } else {
            day = dates.businessDate
        }

        let ledger = JobRunLedger(pool: self.pool)
        let start = try await ledger.begin(
            tenantID: tenantID,
            jobType: self.jobType,
            businessDate: day,
            executionID: context.executionID,
            force: force
        )
        let closing: LocalDate
        let runID: Int64
        switch start {
        case .alreadySucceeded(_, let stats):
            context.logger.info("business day already closed", metadata: [.businessDate: "\(day)"])
            return .object([
                "businessDate": .string(day.description), "skipped": .bool(true), "previous": stats ?? .null,
            ])
        case .started(let id, let recorded):
            runID = id
            closing = recorded ?? day
        }

        do {
            let result = try await self.close(day: closing, tenantID: tenantID, dates: dates, context: context)
            let stayedLocked = result["stayedLocked"]?.integerValue ?? 0
            try await ledger.finish(runID: runID, status: stayedLocked > 0 ? .partial : .succeeded, stats: result)
            return result
        } catch {
            try? await ledger.finish(runID: runID, status: .failed, stats: nil, error: "\(error)")
            throw error
        }
    }

    private func close(
        day: LocalDate,
        tenantID: String,
        dates: BusinessDates,
        context: JobContext
    ) async throws -> JSONValue {
        guard dates.businessDate >= day else {
            throw JobWorkerError(
                code: "business_day_not_reached",
                message: "cannot close \(day): the business date of tenant \(tenantID) is still \(dates.businessDate)",
                isRetryable: false
            )
        }
        let advanced = try await self.pool.withTransaction { connection in
            try await BusinessDates.advance(tenantID: tenantID, closing: day, on: connection)
        }
        context.logger.info(
            "closing business day",
            metadata: [.businessDate: "\(day)", .businessDateAdvanced: "\(advanced)"]
        )
        let next = day.adding(days: 1)
        let steps = JobSteps(registry: self.registry, context: context)
        var results: [String: JSONValue] = [:]
        // Loans left behind by a missed night are closed day by day first (Fineract's catch-up),
        // so the night's own run finds every loan at the day before.
        results["loan_cob_catch_up"] = try await steps.run(
            .loanCOB,
            key: "eod-\(day)-1-loan_cob-catch-up",
            parameters: ["cobDate": .string(day.adding(days: -1).description), "catchUp": true]
        )
        results["loan_cob"] = try await steps.run(
            .loanCOB,
            key: "eod-\(day)-2-loan_cob",
            parameters: ["cobDate": .string(day.description)]
        )
        if try await !self.accrualIsACOBStep(tenantID: tenantID) {
            results["loan_interest_posting"] = try await steps.run(
                .loanInterestPosting,
                key: "eod-\(day)-3-loan_interest_posting",
                parameters: ["tillDate": .string(day.description)]
            )
        }
        results["savings_interest_posting"] = try await steps.run(
            .savingsInterestPosting,
            key: "eod-\(day)-4-savings_interest_posting",
            parameters: ["businessDate": .string(next.description)]
        )
        results["savings_interest_calculation"] = try await steps.run(
            .savingsInterestCalculation,
            key: "eod-\(day)-5-savings_interest_calculation",
            parameters: ["asOf": .string(next.description)]
        )
        let locked = try await self.pool.query(
            """
            SELECT count(*) AS n FROM m_loan_account_locks
            WHERE tenant_id = \(tenantID) AND error IS NOT NULL AND lock_placed_on_cob_business_date = \(day)
            """
        )
        return .object([
            "businessDate": .string(day.description),
            "advanced": .bool(advanced),
            "stayedLocked": .integer(try locked[0].decode("n")),
            "steps": .object(results),
        ])
    }

    private func accrualIsACOBStep(tenantID: String) async throws -> Bool {
        let rows = try await self.pool.query(
            """
            SELECT 1 FROM m_batch_business_steps
            WHERE tenant_id = \(tenantID) AND job_name = 'LOAN_CLOSE_OF_BUSINESS'
              AND step_name = 'ADD_PERIODIC_ACCRUAL_ENTRIES'
            """
        )
        return !rows.isEmpty
    }

    /// The business day a scheduled run closes: the tenant-local day of its fire time, or the day
    /// before when it fires before noon, since a nightly close fires just after midnight.
    static func closedDay(firedAt fireTime: Date, tenantID: String, pool: PostgresPool) async throws -> LocalDate {
        let rows = try await pool.query(
            """
            SELECT ((\(fireTime) AT TIME ZONE t.timezone) - interval '12 hours')::date AS day
            FROM tenant t WHERE t.id = \(tenantID)
            """
        )
        guard let day: LocalDate = try rows.first?.decode("day") else {
            throw JobWorkerError(code: "tenant_not_found", message: "no tenant \(tenantID)", isRetryable: false)
        }
        return day
    }
}
