import FineractDomain
import FineractJobs
import Foundation
import JobsCore
import Logging
import Postgres
import Testing

extension LoanTestBank {
    static var quietLogger: Logger {
        Logger(label: "loan-job-test", level: .warning, handler: StreamLogHandler(format: .text))
    }

    /// A context for the `default` tenant outside the engine, for an execution row of `jobType`
    /// that is running (`job_run` refers to it), with an optional progress callback.
    func context(
        _ jobType: JobType,
        tenant: String = LoanTestBank.tenant,
        progress: @escaping @Sendable (_ done: Int64, _ total: Int64?) async -> Void = { _, _ in }
    ) async throws -> JobContext {
        let row = try await self.pool.query(
            """
            WITH job AS (
                INSERT INTO job (name, job_type, tenant_id, status)
                VALUES (\("test " + jobType.rawValue), \(jobType.rawValue), \(tenant), 'active')
                RETURNING id
            )
            INSERT INTO job_execution (job_id, tenant_id, job_type, priority, status, trigger, attempt, max_attempts,
                timeout_seconds, started_at)
            SELECT id, \(tenant), \(jobType.rawValue), 1, 'running', 'manual', 1, 1, 600, now() FROM job
            RETURNING id, job_id
            """
        )[0]
        return JobContext(
            jobID: try row.decode("job_id"),
            executionID: try row.decode("id"),
            tenantID: tenant,
            attempt: 1,
            maxAttempts: 1,
            fireTime: nil,
            nodeID: "loan-test",
            logger: Self.quietLogger,
            progressReporter: progress
        )
    }

    /// Marks the execution of `context` ended, as the engine does once its worker returns or stops.
    func endExecution(_ context: JobContext, status: String = "succeeded") async throws {
        try await self.pool.query(
            "UPDATE job_execution SET status = \(status), finished_at = now() WHERE id = \(context.executionID)"
        )
    }

    /// Runs `worker` in an execution of its own, ended afterwards however the run went.
    func run(
        _ worker: any JobWorker,
        _ parameters: [String: JSONValue],
        tenant: String = LoanTestBank.tenant
    ) async throws -> JSONValue {
        let context = try await self.context(worker.jobType, tenant: tenant)
        do {
            let result = try await worker.process(parameters: parameters, context: context)
            try await self.endExecution(context)
            return result
        } catch {
            try await self.endExecution(context, status: "failed")
            throw error
        }
    }

    /// Runs `loan_cob` with `parameters`.
    @discardableResult
    func runCOB(_ parameters: [String: JSONValue] = [:]) async throws -> JSONValue {
        try await self.run(LoanCOBWorker(pool: self.pool), parameters)
    }

    /// Sets the business date to `cobDate` + 1 and closes `cobDate`.
    @discardableResult
    func closeDay(_ cobDate: String, _ parameters: [String: JSONValue] = [:]) async throws -> JSONValue {
        try await self.setBusinessDate(Self.date(cobDate).adding(days: 1).description)
        return try await self.runCOB(parameters)
    }

    @discardableResult
    func runInterestPosting(_ parameters: [String: JSONValue] = [:]) async throws -> JSONValue {
        try await self.run(LoanInterestPostingWorker(pool: self.pool), parameters)
    }

    /// A loan's live accrual transactions as "date amount interest/fee/penalty".
    func accruals(_ loan: Int64) async throws -> [String] {
        try await self.pool.query(
            """
            SELECT transaction_date::text AS day, amount::numeric(19,2)::text AS amount,
                interest_portion_derived::numeric(19,2)::text AS interest,
                fee_charges_portion_derived::numeric(19,2)::text AS fee,
                penalty_charges_portion_derived::numeric(19,2)::text AS penalty
            FROM m_loan_transaction
            WHERE tenant_id = \(Self.tenant) AND loan_id = \(loan) AND transaction_type_enum = 10 AND NOT is_reversed
            ORDER BY transaction_date
            """
        ).map { row in
            "\(try row.decode("day", as: String.self)) \(try row.decode("amount", as: String.self)) "
                + "\(try row.decode("interest", as: String.self))/\(try row.decode("fee", as: String.self))/"
                + "\(try row.decode("penalty", as: String.self))"
        }
    }

    /// A loan's journal entries as "date glCode D|C amount", by transaction date, then entry.
    func journal(_ loan: Int64) async throws -> [String] {
        try await self.pool.query(
            """
            SELECT j.transaction_date::text AS day, a.gl_code, j.type_enum, j.amount::numeric(19,2)::text AS amount,
                j.transaction_id, t.id AS txn
            FROM acc_gl_journal_entry j
            JOIN acc_gl_account a ON a.tenant_id = j.tenant_id AND a.id = j.account_id
            JOIN m_loan_transaction t ON t.tenant_id = j.tenant_id AND t.id = j.loan_transaction_id
            WHERE j.tenant_id = \(Self.tenant) AND t.loan_id = \(loan)
            ORDER BY j.transaction_date, j.id
            """
        ).map { row in
            let type: Int = try row.decode("type_enum")
            let txn: Int64 = try row.decode("txn")
            #expect(try row.decode("transaction_id", as: String.self) == "L\(txn)")
            return "\(try row.decode("day", as: String.self)) \(try row.decode("gl_code", as: String.self)) "
                + "\(type == 2 ? "D" : "C") \(try row.decode("amount", as: String.self))"
        }
    }

    /// One text value for a query's single column.
    func text(_ query: PostgresQuery) async throws -> String? {
        try await self.pool.query(query).first?.decode("value", as: String?.self)
    }

    /// Every row of `table` for the tenant, as JSON text in a stable order: the full contents a
    /// rerun must leave as they were.
    func contents(of table: String, orderedBy order: String) async throws -> String {
        try await self.text(
            PostgresQuery(
                unsafeSQL: """
                    SELECT coalesce(jsonb_agg(to_jsonb(t) ORDER BY \(order)), '[]')::text AS value
                    FROM \(table) t WHERE tenant_id = $1
                    """,
                bindings: [Self.tenant]
            )
        ) ?? ""
    }

    /// The full contents of every table the loan jobs write.
    func loanTablesContents() async throws -> [String: String] {
        let tables = [
            ("m_loan", "id"), ("m_loan_repayment_schedule", "id"), ("m_loan_transaction", "id"),
            ("m_loan_charge", "id"), ("m_loan_overdue_installment_charge", "id"),
            ("m_loan_delinquency_tag_history", "id"), ("m_loan_arrears_aging", "loan_id"),
            ("acc_gl_journal_entry", "id"), ("sms_messages_outbound", "id"),
            ("scheduled_email_messages_outbound", "id"), ("m_loan_account_locks", "loan_id"),
        ]
        var contents: [String: String] = [:]
        for (table, order) in tables {
            contents[table] = try await self.contents(of: table, orderedBy: order)
        }
        return contents
    }

    func count(_ query: PostgresQuery) async throws -> Int {
        try await self.pool.query(query)[0].decode("count")
    }
}

extension JSONValue {
    /// The integer at a dotted path of object keys, for reading worker results.
    func integer(_ path: String) -> Int64? {
        self.value(path)?.integerValue
    }

    func value(_ path: String) -> JSONValue? {
        path.split(separator: ".").reduce(Optional(self)) { value, key in value?[String(key)] }
    }
}
