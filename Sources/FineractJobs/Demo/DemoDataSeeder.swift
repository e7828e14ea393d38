public import FineractDomain
import Foundation
public import Logging
public import Postgres

/// Creates demo tenants with realistic Fineract data, so a fresh installation has real work to do:
/// products with their GL mappings, clients, savings accounts with a daily transaction history, and
/// loans with schedules, repayments and some arrears, and the nightly jobs scheduled for each tenant.
///
/// Data is generated in the database (`generate_series`) from a deterministic pattern, so a
/// hundred thousand accounts take seconds and two seedings with the same options are identical.
/// A tenant that already has clients is left alone.
public struct DemoDataSeeder: Sendable {
    /// What to create.
    public struct Options: Sendable {
        public var tenantIDs: [String] = ["demo-a", "demo-b"]
        public var clientsPerTenant = 1_000
        public var loansPerTenant = 1_000
        public var savingsAccountsPerTenant = 1_000
        /// Days of savings history, one transaction per account per day.
        public var historyDays = 31
        /// The tenants' business date; the COB date is the day before.
        public var businessDate: LocalDate
        /// Loans (in percent) whose most recent installments are unpaid.
        public var overdueLoanPercent = 15

        public init(businessDate: LocalDate) {
            self.businessDate = businessDate
        }
    }

    /// What was created, per tenant.
    public struct Summary: Sendable {
        public var seededTenants: [String] = []
        public var skippedTenants: [String] = []
        public var clients = 0
        public var savingsAccounts = 0
        public var savingsTransactions = 0
        public var loans = 0
        public var scheduleRows = 0
    }

    let pool: PostgresPool
    let logger: Logger

    public init(pool: PostgresPool, logger: Logger) {
        self.pool = pool
        self.logger = logger
    }

    public func seed(_ options: Options) async throws -> Summary {
        precondition(options.clientsPerTenant > 0, "demo accounts need at least one client")
        precondition(options.historyDays > 1, "a savings history needs at least two days")
        var summary = Summary()
        for tenantID in options.tenantIDs {
            let seeded = try await self.pool.withTransaction { connection in
                try await self.seedTenant(tenantID, options: options, on: connection)
            }
            guard let seeded else {
                summary.skippedTenants.append(tenantID)
                self.logger.info("tenant already has data; left alone", metadata: [.tenantID: "\(tenantID)"])
                continue
            }
            summary.seededTenants.append(tenantID)
            summary.clients += seeded.clients
            summary.savingsAccounts += seeded.savingsAccounts
            summary.savingsTransactions += seeded.savingsTransactions
            summary.loans += seeded.loans
            summary.scheduleRows += seeded.scheduleRows
            self.logger.info("demo tenant seeded", metadata: [.tenantID: "\(tenantID)"])
        }
        for table in [
            "m_client", "m_savings_account", "m_savings_account_transaction", "m_loan",
            "m_loan_repayment_schedule", "m_loan_transaction",
        ] {
            try await self.pool.query(PostgresQuery(unsafeSQL: "ANALYZE \(table)"))
        }
        return summary
    }

    /// Seeds one tenant in the caller's transaction; nil when the tenant already has clients.
    private func seedTenant(_ tenantID: String, options: Options, on connection: PostgresConnection)
        async throws -> Summary?
    {
        try await connection.query(
            """
            INSERT INTO tenant (id, name, timezone) VALUES (\(tenantID), \("Demo bank " + tenantID), 'UTC')
            ON CONFLICT (id) DO NOTHING
            """
        )
        let existing = try await connection.query("SELECT 1 FROM m_client WHERE tenant_id = \(tenantID) LIMIT 1")
        guard existing.isEmpty else { return nil }
        let businessDate = options.businessDate
        try await connection.query(
            """
            UPDATE m_business_date
            SET date = CASE type WHEN 'BUSINESS_DATE' THEN \(businessDate)::date ELSE \(businessDate.adding(days: -1))::date END
            WHERE tenant_id = \(tenantID)
            """
        )
        let products = try await DemoProducts.create(tenantID: tenantID, on: connection)
        var summary = Summary()
        summary.clients = try await self.createClients(tenantID, options: options, on: connection)
        let savings = try await DemoSavings(tenantID: tenantID, products: products, options: options)
            .create(on: connection)
        summary.savingsAccounts = savings.accounts
        summary.savingsTransactions = savings.transactions
        let loans = try await DemoLoans(tenantID: tenantID, products: products, options: options)
            .create(on: connection)
        summary.loans = loans.loans
        summary.scheduleRows = loans.scheduleRows
        try await DemoJobs.create(tenantID: tenantID, on: connection)
        return summary
    }

    private func createClients(_ tenantID: String, options: Options, on connection: PostgresConnection)
        async throws -> Int
    {
        try await Self.count(
            """
            INSERT INTO m_client (tenant_id, office_id, account_no, display_name, status_enum, activation_date,
                                  mobile_no, email_address)
            SELECT \(tenantID), o.id, lpad(i::text, 9, '0'), 'Client ' || i, 300,
                   \(options.businessDate)::date - 400 + (i % 30),
                   '+2547' || lpad((10000000 + i)::text, 8, '0'), 'client' || i || '@example.com'
            FROM generate_series(1, \(options.clientsPerTenant)) AS i,
                 (SELECT id FROM m_office WHERE tenant_id = \(tenantID) AND parent_id IS NULL) AS o
            """,
            on: connection
        )
    }

    /// Runs an `INSERT` and returns how many rows it wrote, without sending them back.
    static func count(_ insert: PostgresQuery, on connection: PostgresConnection) async throws -> Int {
        var statement: PostgresQuery = "WITH written AS ("
        statement.append(insert)
        statement.append(" RETURNING 1) SELECT count(*) AS n FROM written")
        return try await connection.query(statement)[0].decode("n")
    }
}
