import Foundation
import Postgres
import TestSupport
import Testing

/// The Fineract tables refer to each other through foreign keys that carry the tenant, `(tenant_id, x_id)`
/// to `(tenant_id, id)`, so the database itself refuses a row of one tenant that points at another's,
/// whoever writes it and whatever role it writes as.
@Suite(
    "Tenant foreign keys",
    .enabled(if: TestDatabase.isConfigured, "POSTGRES_HOST is not set; make test starts a PostgreSQL for these tests"),
    .timeLimit(.minutes(2))
)
struct TenantForeignKeyTests {
    /// A row that refers to another row, written once with a reference inside its own tenant and once
    /// with the same reference into the other tenant.
    struct CrossReference: Sendable, CustomTestStringConvertible {
        var label: String
        /// The constraint that must refuse the crossing write.
        var constraint: String
        /// The table and the count of its rows that must not change.
        var table: String
        /// The write for tenant `a`, given the id it refers to.
        var write: @Sendable (Int64) -> PostgresQuery
        /// The id it refers to, of the given tenant.
        var target: @Sendable (PostgresPool, String) async throws -> Int64

        var testDescription: String { self.label }
    }

    static let references = [
        CrossReference(
            label: "a new loan of tenant a for a client of tenant b",
            constraint: "m_loan_tenant_id_client_id_fkey",
            table: "m_loan",
            write: { client in
                """
                INSERT INTO m_loan (tenant_id, account_no, client_id, product_id, loan_status_id, currency_code,
                    currency_digits, principal_amount, annual_nominal_interest_rate, interest_method_enum,
                    interest_calculated_in_period_enum, amortization_method_enum, repay_every,
                    repayment_period_frequency_enum, number_of_repayments, days_in_year_enum, days_in_month_enum)
                SELECT 'a', 'L-' || substr(md5(random()::text), 1, 12), \(client), product_id, 300, 'USD', 2, 1000, 12,
                       1, 1, 1, 1, 2, 12, 360, 30
                FROM m_loan WHERE tenant_id = 'a' LIMIT 1
                """
            },
            target: { pool, tenant in try await FineractFixtures.insertClient(pool, tenant: tenant) }
        ),
        CrossReference(
            label: "a loan of tenant a moved to a client of tenant b",
            constraint: "m_loan_tenant_id_client_id_fkey",
            table: "m_loan",
            write: { client in "UPDATE m_loan SET client_id = \(client) WHERE tenant_id = 'a'" },
            target: { pool, tenant in try await FineractFixtures.insertClient(pool, tenant: tenant) }
        ),
        CrossReference(
            label: "a repayment of tenant a on a loan of tenant b",
            constraint: "m_loan_transaction_tenant_id_loan_id_fkey",
            table: "m_loan_transaction",
            write: { loan in
                """
                INSERT INTO m_loan_transaction (tenant_id, loan_id, office_id, transaction_type_enum, transaction_date,
                    submitted_on_date, amount)
                SELECT 'a', \(loan), id, 2, DATE '2024-05-01', DATE '2024-05-01', 100
                FROM m_office WHERE tenant_id = 'a' AND name = 'Head Office'
                """
            },
            target: { pool, tenant in try await FineractFixtures.insertLoan(pool, lastClosed: nil, tenant: tenant) }
        ),
        CrossReference(
            label: "a client of tenant a in an office of tenant b",
            constraint: "m_client_tenant_id_office_id_fkey",
            table: "m_client",
            write: { office in
                """
                INSERT INTO m_client (tenant_id, office_id, account_no, display_name)
                VALUES ('a', \(office), 'C-' || substr(md5(random()::text), 1, 12), 'Moved client')
                """
            },
            target: { pool, tenant in
                try await WorkerTestSupport.integer(
                    pool,
                    "SELECT id FROM m_office WHERE tenant_id = \(tenant) AND name = 'Head Office'"
                )
            }
        ),
    ]

    /// Tenants `a` and `b`, each with the head office and chart of accounts a new tenant gets, and `a`
    /// with one loan (and so one client and one loan product).
    static func withTwoTenants(_ body: (PostgresPool) async throws -> Void) async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            try await pool.query("INSERT INTO tenant (id, name) VALUES ('a', 'Bank A'), ('b', 'Bank B')")
            _ = try await FineractFixtures.insertLoan(pool, lastClosed: nil, tenant: "a")
            try await body(pool)
        }
    }

    static func snapshot(_ table: String, _ pool: PostgresPool) async throws -> String {
        let sql = "SELECT coalesce(jsonb_agg(to_jsonb(t) ORDER BY t.id), '[]')::text AS rows FROM \(table) t"
        return try await pool.query(PostgresQuery(unsafeSQL: sql))[0].decode("rows")
    }

    @Test(arguments: Self.references)
    func aRowReferringToAnotherTenantsRowIsRefused(_ reference: CrossReference) async throws {
        try await Self.withTwoTenants { pool in
            let foreign = try await reference.target(pool, "b")
            let before = try await Self.snapshot(reference.table, pool)
            let refusal = try await #require(throws: PostgresError.self) {
                try await pool.query(reference.write(foreign))
            }
            #expect(refusal.sqlState == PostgresError.SQLState.foreignKeyViolation, "\(refusal.debugDescription)")
            #expect(refusal.constraintName == reference.constraint)
            #expect(try await Self.snapshot(reference.table, pool) == before, "nothing is written")

            // The same write referring inside its own tenant goes through, so the refusal above is the
            // tenant's part of the key, not some other rule the write breaks.
            let own = try await reference.target(pool, "a")
            try await pool.query(reference.write(own))
            #expect(try await Self.snapshot(reference.table, pool) != before)
        }
    }

    /// Every reference to a row that always belongs to a tenant (its table's `tenant_id` is NOT NULL)
    /// pairs the referring row's `tenant_id` with the referenced row's, so a table added later with a
    /// plain `REFERENCES m_client (id)` fails here. Job tables refer to jobs and executions, whose
    /// tenant is NULL for jobs of all tenants, and are not held to it.
    @Test func everyReferenceToATenantsRowCarriesTheTenant() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            let rows = try await pool.query(
                """
                SELECT c.conname, src.relname AS source,
                       bool_or(sa.attname = 'tenant_id' AND ta.attname = 'tenant_id') AS carries_tenant
                FROM pg_constraint c
                JOIN pg_class src ON src.oid = c.conrelid
                CROSS JOIN LATERAL unnest(c.conkey, c.confkey) AS k(source_attnum, target_attnum)
                JOIN pg_attribute sa ON sa.attrelid = c.conrelid AND sa.attnum = k.source_attnum
                JOIN pg_attribute ta ON ta.attrelid = c.confrelid AND ta.attnum = k.target_attnum
                WHERE c.contype = 'f' AND src.relnamespace = 'public'::regnamespace
                  AND EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = c.conrelid AND attname = 'tenant_id'
                                                           AND NOT attisdropped)
                  AND EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = c.confrelid AND attname = 'tenant_id'
                                                           AND attnotnull AND NOT attisdropped)
                GROUP BY c.conname, src.relname
                ORDER BY c.conname
                """
            )
            let crossing = try rows.filter { try !$0.decode("carries_tenant", as: Bool.self) }
                .map { try "\($0.decode("source", as: String.self)).\($0.decode("conname", as: String.self))" }
            #expect(crossing.isEmpty, "references that ignore the tenant: \(crossing)")
            // Enough references were looked at that the rule is not passing on an empty set.
            #expect(rows.count >= 30, "only \(rows.count) references to tenant rows found")
        }
    }
}
