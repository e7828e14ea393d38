public import Logging

/// Applies pending migrations in version order, recording them where the Hasura CLI does.
///
/// Versions go into `hdb_catalog.schema_migrations (version bigint primary key, dirty boolean)`, the
/// table `hasura migrate` reads, so `hasura migrate status` and this service agree. A session-level
/// advisory lock makes nodes that start together apply each migration once; each migration runs in
/// its own transaction together with its version row, so a failure leaves nothing half-applied.
public struct Migrator: Sendable {
    /// The advisory lock key every node takes while migrating; any constant unique to this service.
    static let advisoryLockKey: Int64 = 0x6669_6E6A_6F62_7301

    private let pool: PostgresPool
    private let logger: Logger

    public init(pool: PostgresPool, logger: Logger) {
        self.pool = pool
        self.logger = logger
    }

    /// Applies the migrations not yet recorded and returns them.
    ///
    /// - Throws: `PostgresError` (`.migration`) when a recorded migration is marked dirty, or the
    ///   error of the statement that failed, after rolling that migration back.
    @discardableResult
    public func migrate(_ migrations: [Migration]) async throws -> [Migration] {
        try await self.pool.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(Self.advisoryLockKey))")
            do {
                let applied = try await self.applyPending(migrations, on: connection)
                try await connection.query("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))")
                return applied
            } catch {
                // Closing the session releases the lock even if this statement cannot run.
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))")
                throw error
            }
        }
    }

    /// The versions recorded as applied, in order.
    public func appliedVersions() async throws -> [Int64] {
        try await self.pool.withConnection { connection in
            try await self.ensureCatalog(on: connection)
            let rows = try await connection.query("SELECT version FROM hdb_catalog.schema_migrations ORDER BY version")
            return try rows.map { row throws(PostgresError) in try row.decode("version", as: Int64.self) }
        }
    }

    private func ensureCatalog(on connection: PostgresConnection) async throws {
        try await connection.execute(
            script: """
                CREATE SCHEMA IF NOT EXISTS hdb_catalog;
                CREATE TABLE IF NOT EXISTS hdb_catalog.schema_migrations (
                    version bigint NOT NULL PRIMARY KEY,
                    dirty boolean NOT NULL
                );
                """
        )
    }

    private func applyPending(_ migrations: [Migration], on connection: PostgresConnection) async throws -> [Migration]
    {
        try await self.ensureCatalog(on: connection)
        let rows = try await connection.query("SELECT version, dirty FROM hdb_catalog.schema_migrations")
        var recorded: Set<Int64> = []
        for row in rows {
            let version = try row.decode("version", as: Int64.self)
            if try row.decode("dirty", as: Bool.self) {
                throw PostgresError(
                    code: .migration,
                    message: "migration \(version) is marked dirty; repair it by hand before starting"
                )
            }
            recorded.insert(version)
        }
        var applied: [Migration] = []
        for migration in migrations where !recorded.contains(migration.version) {
            let metadata: Logger.Metadata = [
                .dbMigrationVersion: "\(migration.version)", .dbMigrationName: "\(migration.name)",
            ]
            self.logger.info("applying migration", metadata: metadata)
            try await connection.query("BEGIN")
            do {
                try await connection.execute(script: migration.upSQL)
                try await connection.query(
                    "INSERT INTO hdb_catalog.schema_migrations (version, dirty) VALUES (\(migration.version), false)"
                )
                try await connection.query("COMMIT")
            } catch {
                _ = try? await connection.query("ROLLBACK")
                self.logger.error(
                    "migration failed",
                    metadata: metadata.merging([.error: "\(String(reflecting: error))"]) { $1 }
                )
                throw error
            }
            applied.append(migration)
        }
        return applied
    }
}
