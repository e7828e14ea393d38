import FineractDomain
import Foundation
public import JobsCore
public import JobsEngine
import Logging
public import Postgres

/// `end_of_month`: closes a month's books for a tenant once every day of it has been closed.
///
/// Fineract has no month-end job; these are its month-end effects, in order, for month M with
/// last day L:
/// 1. checks: the COB date has reached L, every active loan's COB watermark has reached L, and no
///    loan is locked by a failed COB. Otherwise the run fails with what is missing;
/// 2. `savings_interest_posting` at the business date, so every posting period ending by L is posted;
/// 3. `m_trial_balance` rows for the journal's days after its watermark, up to L, with running
///    closing balances (Fineract's "Update Trial Balance Details");
/// 4. an accounting closure (`acc_gl_closure`) dated L for every office, after which the database
///    refuses journal entries dated on or before L for that office.
///
/// M is the `month` parameter (`yyyy-MM`) when given; otherwise the month of the COB date when
/// that is a month's last day, else the month before.
public struct EndOfMonthWorker: JobWorker {
    public let jobType = JobType.endOfMonth

    private let pool: PostgresPool
    private let registry: WorkerRegistry

    public init(pool: PostgresPool, registry: WorkerRegistry) {
        self.pool = pool
        self.registry = registry
    }

    public func process(parameters: [String: JSONValue], context: JobContext) async throws -> JSONValue {
        let tenantID = try FineractParameters.requireTenant(context)
        let force = try FineractParameters.bool("force", in: parameters) ?? false
        let dates = try await BusinessDates.load(tenantID: tenantID, pool: self.pool)
        let lastDay = try Self.lastDayOfMonth(parameters["month"], cobDate: dates.cobDate)

        let ledger = JobRunLedger(pool: self.pool)
        let runID: Int64
        let closing: LocalDate
        switch try await ledger.begin(
            tenantID: tenantID,
            jobType: self.jobType,
            businessDate: lastDay,
            executionID: context.executionID,
            force: force
        ) {
        case .alreadySucceeded(_, let stats):
            return .object([
                "monthEnd": .string(lastDay.description), "skipped": .bool(true), "previous": stats ?? .null,
            ])
        case .started(let id, let recorded):
            runID = id
            closing = recorded ?? lastDay
        }
        context.logger.info("closing month", metadata: [.closingMonth: "\(closing.description.prefix(7))"])
        do {
            try await self.checkMonthIsClosed(closing, dates: dates, tenantID: tenantID)
            let savings = try await JobSteps(registry: self.registry, context: context).run(
                .savingsInterestPosting,
                key: "eom-\(closing)-savings_interest_posting",
                parameters: ["businessDate": .string(dates.businessDate.description)]
            )
            let trialBalanceRows = try await self.appendTrialBalance(
                through: closing,
                before: dates.businessDate,
                tenantID: tenantID
            )
            let closures = try await self.closeOffices(on: closing, tenantID: tenantID)
            let result: JSONValue = .object([
                "monthEnd": .string(closing.description),
                "savingsInterestPosting": savings,
                "trialBalanceRows": .integer(trialBalanceRows),
                "officesClosed": .integer(closures.closed),
                "officesAlreadyClosed": .integer(closures.already),
            ])
            try await ledger.finish(runID: runID, status: .succeeded, stats: result)
            return result
        } catch {
            try? await ledger.finish(runID: runID, status: .failed, stats: nil, error: "\(error)")
            throw error
        }
    }

    static func lastDayOfMonth(_ parameter: JSONValue?, cobDate: LocalDate) throws -> LocalDate {
        guard let parameter, parameter != .null else {
            return cobDate == cobDate.endOfMonth ? cobDate : cobDate.startOfMonth.adding(days: -1)
        }
        guard let text = parameter.stringValue, text.count == 7, let first = LocalDate(text + "-01") else {
            throw FineractParameters.invalid("month", "must be a month written yyyy-MM")
        }
        return first.endOfMonth
    }

    private func checkMonthIsClosed(_ lastDay: LocalDate, dates: BusinessDates, tenantID: String) async throws {
        var problems: [String] = []
        if dates.cobDate < lastDay {
            problems.append("the COB date is \(dates.cobDate), before the month's last day \(lastDay)")
        }
        let behind = try await self.pool.query(
            """
            SELECT id FROM m_loan
            WHERE tenant_id = \(tenantID) AND loan_status_id = 300
              AND (last_closed_business_date IS NULL OR last_closed_business_date < \(lastDay))
            ORDER BY id LIMIT 21
            """
        )
        if !behind.isEmpty {
            let ids = try behind.prefix(20).map { String(try $0.decode("id", as: Int64.self)) }
            problems.append(
                "active loans not closed through \(lastDay): \(ids.joined(separator: ", "))\(behind.count > 20 ? ", ..." : "")"
            )
        }
        let failed = try await self.pool.query(
            """
            SELECT loan_id FROM m_loan_account_locks
            WHERE tenant_id = \(tenantID) AND error IS NOT NULL ORDER BY loan_id LIMIT 21
            """
        )
        if !failed.isEmpty {
            let ids = try failed.prefix(20).map { String(try $0.decode("loan_id", as: Int64.self)) }
            problems.append(
                "loans locked by a failed COB: \(ids.joined(separator: ", "))\(failed.count > 20 ? ", ..." : "")"
            )
        }
        guard problems.isEmpty else {
            throw JobWorkerError(
                code: "month_not_closed",
                message: "the month ending \(lastDay) cannot be closed: " + problems.joined(separator: "; "),
                isRetryable: false
            )
        }
    }

    /// Appends one row per office, GL account and day with journal entries after the trial
    /// balance's watermark, through `lastDay` and before the business date, with debits positive
    /// and a running closing balance per office and account, as Fineract's tasklet does.
    private func appendTrialBalance(through lastDay: LocalDate, before businessDate: LocalDate, tenantID: String)
        async throws -> Int64
    {
        let rows = try await self.pool.query(
            """
            WITH watermark AS (
                SELECT coalesce(max(entry_date), '-infinity'::date) AS day
                FROM m_trial_balance WHERE tenant_id = \(tenantID)
            ), daily AS (
                SELECT j.office_id, j.account_id, j.transaction_date AS entry_date,
                       sum(CASE WHEN j.type_enum = 2 THEN j.amount ELSE -j.amount END) AS amount
                FROM acc_gl_journal_entry j, watermark w
                WHERE j.tenant_id = \(tenantID) AND NOT j.reversed AND j.transaction_date > w.day
                  AND j.transaction_date <= \(lastDay) AND j.transaction_date < \(businessDate)
                GROUP BY j.office_id, j.account_id, j.transaction_date
            ), inserted AS (
                INSERT INTO m_trial_balance (tenant_id, office_id, account_id, entry_date, amount, closing_balance)
                SELECT \(tenantID), d.office_id, d.account_id, d.entry_date, d.amount,
                       coalesce((
                           SELECT tb.closing_balance FROM m_trial_balance tb
                           WHERE tb.tenant_id = \(tenantID) AND tb.office_id = d.office_id
                             AND tb.account_id = d.account_id
                           ORDER BY tb.entry_date DESC LIMIT 1), 0)
                       + sum(d.amount) OVER (PARTITION BY d.office_id, d.account_id ORDER BY d.entry_date)
                FROM daily d
                ON CONFLICT DO NOTHING
                RETURNING 1
            )
            SELECT count(*) AS n FROM inserted
            """
        )
        return try rows[0].decode("n")
    }

    /// Closes every office's books on `lastDay`, unless it has a closure on or after that day
    /// (Fineract refuses a closure before an office's latest one).
    private func closeOffices(on lastDay: LocalDate, tenantID: String) async throws -> (closed: Int64, already: Int64) {
        let rows = try await self.pool.query(
            """
            WITH offices AS (
                SELECT o.id,
                       EXISTS (SELECT 1 FROM acc_gl_closure c
                               WHERE c.tenant_id = o.tenant_id AND c.office_id = o.id AND NOT c.is_deleted
                                 AND c.closing_date >= \(lastDay)) AS closed
                FROM m_office o WHERE o.tenant_id = \(tenantID)
            ), inserted AS (
                INSERT INTO acc_gl_closure (tenant_id, office_id, closing_date, comments)
                SELECT \(tenantID), offices.id, \(lastDay), 'end of month'
                FROM offices WHERE NOT offices.closed
                ON CONFLICT (tenant_id, office_id, closing_date) WHERE NOT is_deleted DO NOTHING
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM inserted) AS closed,
                   (SELECT count(*) FROM offices WHERE offices.closed) AS already
            """
        )
        return (try rows[0].decode("closed"), try rows[0].decode("already"))
    }
}
