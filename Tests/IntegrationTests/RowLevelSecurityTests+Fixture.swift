import Foundation
import Postgres
import TestSupport

/// The data the row-level security tests look at: two tenants with the same rows each, and a job for
/// all tenants, which belongs to no tenant.
extension RowLevelSecurityTests {
    /// A table a tenant session is checked on, and the SQL expression that names each row's tenant.
    struct ScopedTable: Sendable, CustomStringConvertible {
        var name: String
        var tenantExpression = "tenant_id"

        var description: String { self.name }
    }

    static let scopedTables: [ScopedTable] = [
        ScopedTable(name: "tenant", tenantExpression: "id"),
        ScopedTable(name: "m_business_date"),
        ScopedTable(name: "c_configuration"),
        ScopedTable(name: "m_office"),
        ScopedTable(name: "m_client"),
        ScopedTable(name: "acc_gl_account"),
        ScopedTable(name: "m_loan"),
        ScopedTable(name: "m_savings_account"),
        ScopedTable(name: "job"),
        ScopedTable(name: "job_execution"),
        // Attempts have no tenant column; their execution's tenant is theirs. Read through a subquery, a row
        // that leaked from another tenant shows up with a NULL tenant, since its execution stays hidden.
        ScopedTable(
            name: "job_execution_attempt",
            tenantExpression: "(SELECT e.tenant_id FROM job_execution e WHERE e.id = execution_id)"
        ),
    ]

    /// Runs `body` on a migrated database holding tenants `a` and `b` with one client, loan, savings
    /// account, job, execution and attempt each, plus a job and execution for all tenants.
    static func withTwoTenants(_ body: (PostgresPool) async throws -> Void) async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            try await pool.query("INSERT INTO tenant (id, name) VALUES ('a', 'Bank A'), ('b', 'Bank B')")
            for tenant in ["a", "b"] {
                try await pool.withTransaction { connection in
                    try await self.seedAccounts(of: tenant, on: connection)
                    try await self.seedJob(of: tenant, on: connection)
                }
            }
            try await pool.withTransaction { connection in
                try await self.seedJob(of: nil, on: connection)
            }
            try await body(pool)
        }
    }

    /// Runs `body` in a transaction as `fineract_tenant_access` with the given settings made local to it,
    /// so the role and the settings end with the transaction and the connection returns to the pool as
    /// the service's own role.
    @discardableResult
    static func asTenantSession<Result: Sendable>(
        _ pool: PostgresPool,
        settings: [(name: String, value: String)],
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await pool.withTransaction { connection in
            try await connection.query("SET LOCAL ROLE fineract_tenant_access")
            for setting in settings {
                try await connection.query("SELECT set_config(\(setting.name), \(setting.value), true)")
            }
            return try await body(connection)
        }
    }

    /// The tenant of every row of `table` the connection can see, NULL as "-".
    static func visibleTenants(of table: ScopedTable, on connection: PostgresConnection) async throws -> [String] {
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT \(table.tenantExpression) AS owner FROM \(table.name) ORDER BY 1")
        )
        return try rows.map { try $0.decode("owner", as: String?.self) ?? "-" }
    }

    private static func seedAccounts(of tenant: String, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            INSERT INTO m_client (tenant_id, office_id, account_no, display_name)
            SELECT \(tenant), id, 'C-1', 'First client' FROM m_office WHERE tenant_id = \(tenant)
            """
        )
        try await connection.query(
            """
            INSERT INTO m_product_loan (tenant_id, name, currency_code, currency_digits, annual_nominal_interest_rate,
                interest_method_enum, interest_calculated_in_period_enum, amortization_method_enum, repay_every,
                repayment_period_frequency_enum, number_of_repayments, days_in_year_enum, days_in_month_enum)
            VALUES (\(tenant), 'Monthly loan', 'USD', 2, 12, 1, 1, 1, 1, 2, 12, 365, 30)
            """
        )
        try await connection.query(
            """
            INSERT INTO m_loan (tenant_id, account_no, client_id, product_id, loan_status_id, currency_code,
                currency_digits, principal_amount, annual_nominal_interest_rate, interest_method_enum,
                interest_calculated_in_period_enum, amortization_method_enum, repay_every,
                repayment_period_frequency_enum, number_of_repayments, days_in_year_enum, days_in_month_enum)
            SELECT \(tenant), 'L-1', c.id, p.id, 300, 'USD', 2, 1000, 12, 1, 1, 1, 1, 2, 12, 365, 30
            FROM m_client c JOIN m_product_loan p ON p.tenant_id = c.tenant_id
            WHERE c.tenant_id = \(tenant)
            """
        )
        try await connection.query(
            """
            INSERT INTO m_savings_product (tenant_id, name, currency_code, currency_digits, nominal_annual_interest_rate,
                interest_compounding_period_enum, interest_posting_period_enum, interest_calculation_type_enum,
                interest_calculation_days_in_year_type_enum)
            VALUES (\(tenant), 'Passbook', 'USD', 2, 5, 1, 4, 1, 365)
            """
        )
        try await connection.query(
            """
            INSERT INTO m_savings_account (tenant_id, account_no, client_id, product_id, office_id, status_enum,
                currency_code, currency_digits, nominal_annual_interest_rate, interest_compounding_period_enum,
                interest_posting_period_enum, interest_calculation_type_enum,
                interest_calculation_days_in_year_type_enum)
            SELECT \(tenant), 'S-1', c.id, p.id, c.office_id, 300, 'USD', 2, 5, 1, 4, 1, 365
            FROM m_client c JOIN m_savings_product p ON p.tenant_id = c.tenant_id
            WHERE c.tenant_id = \(tenant)
            """
        )
    }

    /// A job with one execution and one attempt; `tenant` nil makes it a job for all tenants.
    private static func seedJob(of tenant: String?, on connection: PostgresConnection) async throws {
        let job: UUID = try await connection.query(
            "INSERT INTO job (name, job_type, tenant_id) VALUES ('Health', 'system_health_check', \(tenant)) RETURNING id"
        )[0].decode("id")
        let execution: UUID = try await connection.query(
            """
            INSERT INTO job_execution (job_id, tenant_id, job_type, priority, trigger, max_attempts, timeout_seconds)
            VALUES (\(job), \(tenant), 'system_health_check', 1, 'manual', 1, 60) RETURNING id
            """
        )[0].decode("id")
        try await connection.query(
            """
            INSERT INTO job_execution_attempt (execution_id, attempt, node_id, fencing_token, status)
            VALUES (\(execution), 1, 'node-1', 1, 'succeeded')
            """
        )
    }
}
