public import Foundation
import Logging
public import Postgres
import Synchronization

/// Gives each test a database of its own on the PostgreSQL named by `POSTGRES_*`.
///
/// The migrated schema is built once per test process in a template database; each test gets a
/// fresh copy of it (`CREATE DATABASE ... TEMPLATE`), which takes milliseconds, and drops it after.
/// When `POSTGRES_HOST` is not set the integration suites are disabled with a message saying so.
public enum TestDatabase {
    /// Whether a test server is configured.
    public static var isConfigured: Bool {
        ProcessInfo.processInfo.environment["POSTGRES_HOST"]?.isEmpty == false
    }

    /// The server the tests use, connected to its maintenance database.
    public static var serverConfiguration: PostgresConfiguration {
        let environment = ProcessInfo.processInfo.environment
        return PostgresConfiguration(
            host: environment["POSTGRES_HOST"] ?? "127.0.0.1",
            port: Int(environment["POSTGRES_PORT"] ?? "") ?? 5432,
            database: environment["POSTGRES_DB"] ?? "postgres",
            user: environment["POSTGRES_USER"] ?? "postgres",
            password: environment["POSTGRES_PASSWORD"],
            applicationName: "fineract-jobs-tests"
        )
    }

    /// The repository's `migrations/default`, found from this source file's location.
    public static var migrationsDirectory: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()
            .deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("migrations/default")
    }

    /// The repository root.
    public static var repositoryRoot: URL {
        self.migrationsDirectory.deletingLastPathComponent().deletingLastPathComponent()
    }

    private static let templateName = Mutex<String?>(nil)
    private static let templateLock = AsyncLock()

    /// Runs `body` with a pool on a fresh, empty database, dropped afterwards.
    @discardableResult
    public static func withEmptyDatabase<Result: Sendable>(
        _ body: (PostgresPool, PostgresConfiguration) async throws -> Result
    ) async throws -> Result {
        try await self.withDatabase(template: "template0", body)
    }

    /// Runs `body` with a pool on a fresh database that has every migration applied.
    @discardableResult
    public static func withMigratedDatabase<Result: Sendable>(
        _ body: (PostgresPool, PostgresConfiguration) async throws -> Result
    ) async throws -> Result {
        let template = try await self.migratedTemplate()
        return try await self.withDatabase(template: template, body)
    }

    private static func withDatabase<Result: Sendable>(
        template: String,
        _ body: (PostgresPool, PostgresConfiguration) async throws -> Result
    ) async throws -> Result {
        let name = "fj_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await self.administer("CREATE DATABASE \(name) TEMPLATE \(template)")
        var configuration = self.serverConfiguration
        configuration.database = name
        let pool = PostgresPool(configuration: configuration, maximumConnections: 10, logger: self.quietLogger)
        do {
            let result = try await body(pool, configuration)
            pool.shutDown()
            try await self.administer("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            return result
        } catch {
            pool.shutDown()
            try? await self.administer("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            throw error
        }
    }

    private static func migratedTemplate() async throws -> String {
        try await self.templateLock.withLock {
            if let name = self.templateName.withLock({ $0 }) {
                return name
            }
            let name = "fj_template_" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
            try await self.administer("CREATE DATABASE \(name) TEMPLATE template0")
            var configuration = self.serverConfiguration
            configuration.database = name
            let pool = PostgresPool(configuration: configuration, maximumConnections: 2, logger: self.quietLogger)
            try await Migrator(pool: pool, logger: self.quietLogger).migrate(
                try Migration.load(from: self.migrationsDirectory)
            )
            pool.shutDown()
            self.templateName.withLock { $0 = name }
            return name
        }
    }

    private static func administer(_ sql: String) async throws {
        let connection = try await PostgresConnection.connect(
            configuration: self.serverConfiguration,
            logger: self.quietLogger
        )
        try await connection.query(PostgresQuery(unsafeSQL: sql))
    }

    static var quietLogger: Logger {
        Logger(label: "test-database", level: .warning, handler: StreamLogHandler(format: .text))
    }
}

/// A lock that can be held across suspension points, for one-time async set-up.
final class AsyncLock: Sendable {
    private let state = Mutex<(locked: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func withLock<Result: Sendable>(_ body: () async throws -> Result) async throws -> Result {
        await withCheckedContinuation { continuation in
            let acquired = self.state.withLock { state in
                if state.locked {
                    state.waiters.append(continuation)
                    return false
                }
                state.locked = true
                return true
            }
            if acquired { continuation.resume() }
        }
        defer {
            let next = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
                if state.waiters.isEmpty {
                    state.locked = false
                    return nil
                }
                return state.waiters.removeFirst()
            }
            next?.resume()
        }
        return try await body()
    }
}
