import Foundation
import Logging
import Postgres
import TestSupport
import Testing

/// Row-level security, the database's own line of tenant isolation beneath Hasura's permissions: a
/// session as `fineract_tenant_access` sees and writes one tenant's rows, while the tables' owner,
/// which the service uses, sees everything.
@Suite(
    "Row-level security",
    .enabled(if: TestDatabase.isConfigured, "POSTGRES_HOST is not set; make test starts a PostgreSQL for these tests"),
    .timeLimit(.minutes(2))
)
struct RowLevelSecurityTests {
    static let hasuraSessionOfB = #"{"x-hasura-role": "tenant_admin", "x-hasura-tenant-id": "b"}"#

    @Test(arguments: RowLevelSecurityTests.scopedTables)
    func aTenantSessionSeesOnlyItsOwnRowsWithoutAnyFilter(table: ScopedTable) async throws {
        try await Self.withTwoTenants { pool in
            let everything = try await pool.withConnection { try await Self.visibleTenants(of: table, on: $0) }
            let ownRows = everything.filter { $0 == "a" }
            #expect(!ownRows.isEmpty && everything.contains("b"), "the fixture gives both tenants rows")
            let seen = try await Self.asTenantSession(pool, settings: [("fineract.tenant_id", "a")]) {
                try await Self.visibleTenants(of: table, on: $0)
            }
            #expect(seen == ownRows)
        }
    }

    @Test(arguments: RowLevelSecurityTests.scopedTables)
    func hasurasSessionNamesTheTenantWhenTheSettingIsUnset(table: ScopedTable) async throws {
        try await Self.withTwoTenants { pool in
            let everything = try await pool.withConnection { try await Self.visibleTenants(of: table, on: $0) }
            let seen = try await Self.asTenantSession(pool, settings: [("hasura.user", Self.hasuraSessionOfB)]) {
                try await Self.visibleTenants(of: table, on: $0)
            }
            #expect(seen == everything.filter { $0 == "b" })
            #expect(!seen.isEmpty)
        }
    }

    @Test func theServiceSettingWinsOverHasurasSession() async throws {
        try await Self.withTwoTenants { pool in
            let settings = [("hasura.user", Self.hasuraSessionOfB), ("fineract.tenant_id", "a")]
            let seen = try await Self.asTenantSession(pool, settings: settings) { connection in
                try await Self.visibleTenants(of: ScopedTable(name: "m_loan"), on: connection)
            }
            #expect(seen == ["a"])
        }
    }

    /// No tenant at all, a setting emptied (what SET LOCAL leaves behind) and a Hasura session without a
    /// tenant variable all mean the same: nothing is visible.
    @Test(arguments: [
        [(name: String, value: String)](),
        [("fineract.tenant_id", "")],
        [("fineract.tenant_id", ""), ("hasura.user", "")],
        [("hasura.user", #"{"x-hasura-role": "tenant_viewer"}"#)],
    ])
    func withoutATenantNothingIsVisible(settings: [(name: String, value: String)]) async throws {
        try await Self.withTwoTenants { pool in
            for table in Self.scopedTables {
                let seen = try await Self.asTenantSession(pool, settings: settings) {
                    try await Self.visibleTenants(of: table, on: $0)
                }
                #expect(seen.isEmpty, "\(table.name) shows \(seen) with settings \(settings)")
            }
        }
    }

    @Test func aRowForAnotherTenantIsRefusedAndNothingIsWritten() async throws {
        try await Self.withTwoTenants { pool in
            let officeOfB: Int64 = try await pool.query("SELECT id FROM m_office WHERE tenant_id = 'b'")[0].decode("id")
            let intrusion = try await #require(throws: PostgresError.self) {
                try await Self.asTenantSession(pool, settings: [("fineract.tenant_id", "a")]) { connection in
                    try await connection.query(
                        """
                        INSERT INTO m_client (tenant_id, office_id, account_no, display_name)
                        VALUES ('b', \(officeOfB), 'C-2', 'Intruder')
                        """
                    )
                }
            }
            #expect(intrusion.sqlState == "42501")
            #expect(intrusion.serverMessage?.contains("row-level security policy") == true)
            let written = try await pool.query("SELECT count(*) AS n FROM m_client WHERE display_name = 'Intruder'")
            #expect(try written[0].decode("n", as: Int64.self) == 0)

            // The same insert for its own tenant goes through, so the refusal above is the policy's, not a
            // missing privilege.
            try await Self.asTenantSession(pool, settings: [("fineract.tenant_id", "a")]) { connection in
                try await connection.query(
                    """
                    INSERT INTO m_client (tenant_id, office_id, account_no, display_name)
                    SELECT 'a', id, 'C-2', 'Second client' FROM m_office
                    """
                )
            }
            let owners = try await pool.query("SELECT tenant_id FROM m_client WHERE display_name = 'Second client'")
            #expect(try owners.map { try $0.decode("tenant_id", as: String.self) } == ["a"])
        }
    }

    @Test func aTenantCannotMoveItsRowToAnotherTenant() async throws {
        try await Self.withTwoTenants { pool in
            let move = try await #require(throws: PostgresError.self) {
                try await Self.asTenantSession(pool, settings: [("fineract.tenant_id", "a")]) { connection in
                    try await connection.query("UPDATE job SET tenant_id = 'b'")
                }
            }
            #expect(move.sqlState == "42501")
            let tenants = try await pool.query("SELECT tenant_id FROM job ORDER BY tenant_id NULLS LAST")
            #expect(try tenants.map { try $0.decode("tenant_id", as: String?.self) } == ["a", "b", nil])
        }
    }

    @Test func theServicesOwnRoleSeesEveryTenant() async throws {
        try await Self.withTwoTenants { pool in
            for table in Self.scopedTables {
                let seen = try await pool.withConnection { try await Self.visibleTenants(of: table, on: $0) }
                #expect(Set(seen).isSuperset(of: ["a", "b"]), "\(table.name) shows \(seen)")
            }
            // The test server's user is a superuser, which row security never restricts; a plain role that
            // owns the tables is not restricted either, because security is enabled but not forced. The
            // role lives only inside this transaction, which is rolled back.
            let owner = "rls_owner_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            let tables = ["m_loan", "m_savings_account", "job", "job_execution"]
            let seen = try await pool.withConnection { connection in
                try await connection.query("BEGIN")
                do {
                    try await connection.query(PostgresQuery(unsafeSQL: "CREATE ROLE \(owner) NOLOGIN"))
                    for table in tables {
                        try await connection.query(PostgresQuery(unsafeSQL: "ALTER TABLE \(table) OWNER TO \(owner)"))
                    }
                    try await connection.query(PostgresQuery(unsafeSQL: "SET LOCAL ROLE \(owner)"))
                    var seen: [String: [String]] = [:]
                    for table in tables {
                        seen[table] = try await Self.visibleTenants(of: ScopedTable(name: table), on: connection)
                    }
                    try await connection.query("ROLLBACK")
                    return seen
                } catch {
                    _ = try? await connection.query("ROLLBACK")
                    throw error
                }
            }
            #expect(seen["m_loan"] == ["a", "b"])
            #expect(seen["m_savings_account"] == ["a", "b"])
            #expect(seen["job"] == ["a", "b", "-"])
            #expect(seen["job_execution"] == ["a", "b", "-"])
        }
    }

    /// Every table with a tenant column has row security enabled (not forced) and a policy for the role,
    /// so a table added without one fails here.
    @Test func everyTenantOwnedTableHasAPolicyAndNoneIsForced() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            let rows = try await pool.query(
                """
                SELECT c.relname AS name, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced,
                       EXISTS (SELECT FROM pg_policy p WHERE p.polrelid = c.oid
                               AND 'fineract_tenant_access'::regrole = ANY (p.polroles)) AS has_policy
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND c.relkind = 'r'
                  AND (c.relname IN ('tenant', 'job_execution_attempt')
                       OR EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id'))
                ORDER BY 1
                """
            )
            let names = try rows.map { try $0.decode("name", as: String.self) }
            #expect(Set(names).isSuperset(of: ["tenant", "job", "job_execution", "job_config", "m_loan", "job_run"]))
            for row in rows {
                let name: String = try row.decode("name")
                #expect(try row.decode("enabled", as: Bool.self), "\(name) has row security off")
                #expect(try !row.decode("forced", as: Bool.self), "\(name) forces row security on its owner")
                #expect(try row.decode("has_policy", as: Bool.self), "\(name) has no policy for the tenant role")
            }
            let role = try await pool.query(
                "SELECT rolcanlogin, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = 'fineract_tenant_access'"
            )
            let flags = try #require(role.first)
            #expect(try !flags.decode("rolcanlogin", as: Bool.self))
            #expect(try !flags.decode("rolsuper", as: Bool.self))
            #expect(try !flags.decode("rolbypassrls", as: Bool.self))
        }
    }

    /// The role belongs to the whole server: migrating a second database, where it already exists, works
    /// and grants it the privileges there too.
    @Test func migratingAnotherDatabaseOnTheSameServerReusesTheRole() async throws {
        try await TestDatabase.withMigratedDatabase { _, _ in }
        try await TestDatabase.withEmptyDatabase { pool, _ in
            let logger = Logger(label: "test", level: .warning, handler: StreamLogHandler(format: .text))
            let migrations = try Migration.load(from: TestDatabase.migrationsDirectory)
            let applied = try await Migrator(pool: pool, logger: logger).migrate(migrations)
            #expect(applied.count == migrations.count)
            let privileges = try await pool.query(
                """
                SELECT has_table_privilege('fineract_tenant_access', 'm_loan', 'INSERT') AS loans,
                       has_table_privilege('fineract_tenant_access', 'acc_gl_journal_entry', 'INSERT') AS journal,
                       has_table_privilege('fineract_tenant_access', 'acc_gl_journal_entry', 'SELECT') AS reads
                """
            )
            #expect(try privileges[0].decode("loans", as: Bool.self))
            #expect(try !privileges[0].decode("journal", as: Bool.self))
            #expect(try privileges[0].decode("reads", as: Bool.self))
        }
    }
}
