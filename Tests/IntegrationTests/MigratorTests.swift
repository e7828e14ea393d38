import Foundation
import Logging
import Postgres
import TestSupport
import Testing

@Suite(
    "Migrations",
    .enabled(if: TestDatabase.isConfigured, "POSTGRES_HOST is not set; make test starts a PostgreSQL for these tests"),
    .timeLimit(.minutes(2))
)
struct MigratorTests {
    static let logger = Logger(label: "test", level: .warning, handler: StreamLogHandler(format: .text))

    @Test func repositoryMigrationsApplyAndRecordVersionsLikeTheHasuraCLI() async throws {
        let migrations = try Migration.load(from: TestDatabase.migrationsDirectory)
        #expect(!migrations.isEmpty)
        #expect(migrations.map(\.version) == migrations.map(\.version).sorted())
        try await TestDatabase.withEmptyDatabase { pool, _ in
            let applied = try await Migrator(pool: pool, logger: Self.logger).migrate(migrations)
            #expect(applied.count == migrations.count)
            let rows = try await pool.query("SELECT version, dirty FROM hdb_catalog.schema_migrations ORDER BY version")
            #expect(try rows.map { try $0.decode("version", as: Int64.self) } == migrations.map(\.version))
            #expect(try rows.allSatisfy { try !$0.decode("dirty", as: Bool.self) })
            // The default tenant exists after migration.
            let tenant = try await pool.query("SELECT id FROM tenant WHERE id = 'default' AND active")
            #expect(tenant.count == 1)
            // Applying again changes nothing.
            #expect(try await Migrator(pool: pool, logger: Self.logger).migrate(migrations).isEmpty)
        }
    }

    @Test func nodesMigratingTogetherApplyEachMigrationOnce() async throws {
        let migrations = [
            Migration(version: 1_700_000_000_001, name: "counter", upSQL: "CREATE TABLE counter (n int)"),
            Migration(version: 1_700_000_000_002, name: "bump", upSQL: "INSERT INTO counter VALUES (1)"),
        ]
        try await TestDatabase.withEmptyDatabase { _, configuration in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        let pool = PostgresPool(
                            configuration: configuration,
                            maximumConnections: 2,
                            logger: Self.logger
                        )
                        defer { pool.shutDown() }
                        return try await Migrator(pool: pool, logger: Self.logger).migrate(migrations).count
                    }
                }
                var total = 0
                for try await count in group { total += count }
                #expect(total == 2)
            }
            let pool = PostgresPool(configuration: configuration, maximumConnections: 1, logger: Self.logger)
            defer { pool.shutDown() }
            #expect(try await pool.query("SELECT count(*) AS n FROM counter")[0].decode("n", as: Int.self) == 1)
        }
    }

    @Test func failingMigrationLeavesNothingBehind() async throws {
        let migrations = [
            Migration(version: 1_700_000_000_001, name: "good", upSQL: "CREATE TABLE good (n int)"),
            Migration(
                version: 1_700_000_000_002,
                name: "bad",
                upSQL: "CREATE TABLE half (n int); SELECT no_such_function();"
            ),
        ]
        try await TestDatabase.withEmptyDatabase { pool, _ in
            await #expect(throws: PostgresError.self) {
                try await Migrator(pool: pool, logger: Self.logger).migrate(migrations)
            }
            let versions = try await Migrator(pool: pool, logger: Self.logger).appliedVersions()
            #expect(versions == [1_700_000_000_001])
            let half = try await pool.query("SELECT to_regclass('half') IS NULL AS absent")
            #expect(try half[0].decode("absent", as: Bool.self))
        }
    }

    @Test func refusesToStartOverADirtyMigration() async throws {
        try await TestDatabase.withEmptyDatabase { pool, _ in
            _ = try await Migrator(pool: pool, logger: Self.logger).appliedVersions()
            try await pool.query("INSERT INTO hdb_catalog.schema_migrations VALUES (1700000000001, true)")
            let error = try await #require(throws: PostgresError.self) {
                try await Migrator(pool: pool, logger: Self.logger).migrate([])
            }
            #expect(error.code == .migration)
            #expect(error.message.contains("dirty"))
        }
    }

    @Test func loadingRefusesMisnamedFolders() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("migrations-\(UUID())")
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("123_short"),
            withIntermediateDirectories: true
        )
        defer { try? FileManager.default.removeItem(at: folder) }
        let error = try #require(throws: PostgresError.self) { try Migration.load(from: folder) }
        #expect(error.message.contains("123_short"))
    }
}
