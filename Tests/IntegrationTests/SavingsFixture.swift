import FineractDomain
import FineractJobs
import Foundation
import JobsCore
import Logging
import Postgres
import TestSupport
import Testing

/// Seeds savings products, accounts and transactions into the `default` tenant of a fresh migrated
/// database (which has Fineract's day-zero data: business dates, configuration, the head office and
/// GL accounts), and runs the savings interest workers the way the engine would.
struct SavingsFixture {
    static let tenantID = "default"
    /// Quiet: the runs under test report failed accounts at warning, on purpose.
    static let logger = Logger(label: "test", level: .error, handler: StreamLogHandler(format: .text))

    let pool: PostgresPool
    let officeID: Int64
    let clientID: Int64

    /// Runs `body` with a fixture on a fresh database, dropped afterwards.
    static func with(_ body: (SavingsFixture) async throws -> Void) async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            let office = try await pool.query(
                "SELECT id FROM m_office WHERE tenant_id = \(Self.tenantID) AND name = 'Head Office'"
            )
            let officeID: Int64 = try office[0].decode("id")
            let client = try await pool.query(
                """
                INSERT INTO m_client (tenant_id, office_id, account_no, display_name, activation_date)
                VALUES (\(Self.tenantID), \(officeID), 'C-1', 'Saver', '2023-01-01') RETURNING id
                """
            )
            try await body(SavingsFixture(pool: pool, officeID: officeID, clientID: try client[0].decode("id")))
        }
    }

    // MARK: - Seeding

    struct Terms {
        var rate = "10"
        var compounding = 4
        var posting = 4
        var calculation = 1
        var daysInYear = 365
        var allowOverdraft = false
        var overdraftRate: String?
        var currency = "USD"
        var digits = 2
        /// 1 none, 2 cash.
        var accounting = 1
    }

    func setBusinessDate(_ date: String) async throws {
        try await self.pool.query(
            """
            UPDATE m_business_date SET date = \(date)::date WHERE tenant_id = \(Self.tenantID) AND type = 'BUSINESS_DATE'
            """
        )
    }

    /// A product with `terms`; with accounting, its four savings GL placeholders are mapped.
    func product(_ terms: Terms) async throws -> Int64 {
        let rows = try await self.pool.query(
            """
            INSERT INTO m_savings_product (
                tenant_id, name, currency_code, currency_digits, nominal_annual_interest_rate,
                interest_compounding_period_enum, interest_posting_period_enum, interest_calculation_type_enum,
                interest_calculation_days_in_year_type_enum, accounting_type, allow_overdraft,
                nominal_annual_interest_rate_overdraft)
            VALUES (
                \(Self.tenantID), 'Savings ' || gen_random_uuid(), \(terms.currency), \(terms.digits),
                \(terms.rate)::numeric, \(terms.compounding), \(terms.posting), \(terms.calculation), \(terms.daysInYear),
                \(terms.accounting), \(terms.allowOverdraft), \(terms.overdraftRate)::numeric)
            RETURNING id
            """
        )
        let productID: Int64 = try rows[0].decode("id")
        if terms.accounting != 1 {
            try await self.mapGLAccounts(productID: productID)
        }
        return productID
    }

    /// Maps savings reference (a cash account made for the purpose), savings control (2100),
    /// interest on savings (5100) and income from interest (4400).
    func mapGLAccounts(productID: Int64) async throws {
        try await self.pool.query(
            """
            INSERT INTO acc_gl_account (tenant_id, gl_code, name, classification_enum)
            VALUES (\(Self.tenantID), '1000', 'Cash', 1) ON CONFLICT DO NOTHING
            """
        )
        try await self.pool.query(
            """
            INSERT INTO acc_product_mapping (tenant_id, product_type, product_id, financial_account_type, gl_account_id)
            SELECT \(Self.tenantID), 2, \(productID), m.type, g.id
            FROM (VALUES (1, '1000'), (2, '2100'), (3, '5100'), (12, '4400')) AS m(type, code)
            JOIN acc_gl_account g ON g.tenant_id = \(Self.tenantID) AND g.gl_code = m.code
            """
        )
    }

    func glAccountID(code: String) async throws -> Int64 {
        let rows = try await self.pool.query(
            "SELECT id FROM acc_gl_account WHERE tenant_id = \(Self.tenantID) AND gl_code = \(code)"
        )
        return try rows[0].decode("id")
    }

    /// An active account of `productID`, its terms copied from the product as Fineract does.
    func account(productID: Int64, activatedOn: String, officeID: Int64? = nil, status: Int = 300) async throws -> Int64
    {
        let rows = try await self.pool.query(
            """
            INSERT INTO m_savings_account (
                tenant_id, account_no, client_id, product_id, office_id, status_enum, activatedon_date,
                currency_code, currency_digits, currency_multiplesof, nominal_annual_interest_rate,
                interest_compounding_period_enum, interest_posting_period_enum, interest_calculation_type_enum,
                interest_calculation_days_in_year_type_enum, min_balance_for_interest_calculation, allow_overdraft,
                overdraft_limit, nominal_annual_interest_rate_overdraft, min_overdraft_for_interest_calculation)
            SELECT p.tenant_id, 'S-' || substr(md5(random()::text), 1, 16), \(self.clientID), p.id, \(officeID ?? self.officeID), \(status),
                \(activatedOn)::date, p.currency_code, p.currency_digits, p.currency_multiplesof,
                p.nominal_annual_interest_rate, p.interest_compounding_period_enum, p.interest_posting_period_enum,
                p.interest_calculation_type_enum, p.interest_calculation_days_in_year_type_enum,
                p.min_balance_for_interest_calculation, p.allow_overdraft, p.overdraft_limit,
                p.nominal_annual_interest_rate_overdraft, p.min_overdraft_for_interest_calculation
            FROM m_savings_product p WHERE p.tenant_id = \(Self.tenantID) AND p.id = \(productID)
            RETURNING id
            """
        )
        return try rows[0].decode("id")
    }

    @discardableResult
    func transaction(_ accountID: Int64, type: Int, date: String, amount: String) async throws -> Int64 {
        let rows = try await self.pool.query(
            """
            INSERT INTO m_savings_account_transaction (
                tenant_id, savings_account_id, office_id, transaction_type_enum, transaction_date,
                submitted_on_date, amount)
            SELECT a.tenant_id, a.id, a.office_id, \(type), \(date)::date, \(date)::date, \(amount)::numeric
            FROM m_savings_account a WHERE a.tenant_id = \(Self.tenantID) AND a.id = \(accountID)
            RETURNING id
            """
        )
        return try rows[0].decode("id")
    }

    // MARK: - Running the workers

    /// A job and a `running` execution of `jobType` for the tenant, as the engine has them while a
    /// worker runs: `job_run` rows point at the execution.
    func startExecution(_ jobType: JobType) async throws -> (jobID: UUID, executionID: UUID) {
        let rows = try await self.pool.query(
            """
            WITH job AS (
                INSERT INTO job (name, job_type, tenant_id, status)
                VALUES ('test ' || \(jobType.rawValue), \(jobType.rawValue), \(Self.tenantID), 'active')
                RETURNING id
            )
            INSERT INTO job_execution (
                job_id, tenant_id, job_type, priority, status, trigger, attempt, max_attempts, timeout_seconds)
            SELECT id, \(Self.tenantID), \(jobType.rawValue), 1, 'running', 'manual', 1, 3, 600 FROM job
            RETURNING id, job_id
            """
        )
        return (try rows[0].decode("job_id"), try rows[0].decode("id"))
    }

    /// Records how an execution ended, as the engine does after the worker returns or throws.
    func endExecution(_ executionID: UUID, status: String) async throws {
        try await self.pool.query(
            "UPDATE job_execution SET status = \(status), finished_at = now() WHERE id = \(executionID)"
        )
    }

    func context(
        jobID: UUID,
        executionID: UUID,
        attempt: Int = 1,
        progress: @escaping @Sendable (_ done: Int64, _ total: Int64?) async -> Void = { _, _ in }
    ) -> JobContext {
        JobContext(
            jobID: jobID,
            executionID: executionID,
            tenantID: Self.tenantID,
            attempt: attempt,
            maxAttempts: 3,
            fireTime: nil,
            nodeID: "test-node",
            logger: Self.logger,
            progressReporter: progress
        )
    }

    /// Runs `worker` in an execution of its own, which ends succeeded or failed with the worker.
    func run(_ worker: any JobWorker, _ parameters: [String: JSONValue]) async throws -> JSONValue {
        let (jobID, executionID) = try await self.startExecution(worker.jobType)
        do {
            let result = try await worker.process(
                parameters: parameters,
                context: self.context(jobID: jobID, executionID: executionID)
            )
            try await self.endExecution(executionID, status: "succeeded")
            return result
        } catch {
            try await self.endExecution(executionID, status: "failed")
            throw error
        }
    }

    func post(_ parameters: [String: JSONValue] = [:], parallelism: Int = 2) async throws -> JSONValue {
        try await self.run(SavingsInterestPostingWorker(pool: self.pool, parallelism: parallelism), parameters)
    }

    func calculate(_ parameters: [String: JSONValue] = [:]) async throws -> JSONValue {
        try await self.run(SavingsInterestCalculationWorker(pool: self.pool), parameters)
    }

    // MARK: - Reading back

    /// Every row of `table`, all columns, as JSON text in id order: what "unchanged" is checked against.
    func snapshot(_ table: String) async throws -> [String] {
        let rows = try await self.pool.query(
            PostgresQuery(unsafeSQL: "SELECT row_to_json(t)::text AS row FROM \(table) t ORDER BY t.id")
        )
        return try rows.map { try $0.decode("row", as: String.self) }
    }

    struct Posting: Equatable, CustomStringConvertible {
        var type: Int
        var date: String
        var amount: Decimal
        var reversed: Bool

        var description: String { "\(self.type) \(self.date) \(self.amount)\(self.reversed ? " reversed" : "")" }
    }

    /// The account's interest postings (3 and 17), reversed ones included, in id order.
    func postings(_ accountID: Int64) async throws -> [Posting] {
        let rows = try await self.pool.query(
            """
            SELECT transaction_type_enum, transaction_date::text AS day, amount, is_reversed
            FROM m_savings_account_transaction
            WHERE tenant_id = \(Self.tenantID) AND savings_account_id = \(accountID) AND transaction_type_enum IN (3, 17)
            ORDER BY id
            """
        )
        return try rows.map {
            Posting(
                type: try $0.decode("transaction_type_enum"),
                date: try $0.decode("day"),
                amount: try $0.decode("amount"),
                reversed: try $0.decode("is_reversed")
            )
        }
    }

    static func decimal(_ text: String) -> Decimal {
        Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) ?? .nan
    }
}
