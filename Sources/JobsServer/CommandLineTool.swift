import Foundation
import JobsCore
import Logging
import Postgres

/// The `fineract-jobs` command line: `serve` (the default), `migrate`, `seed-demo`, `cron next` and `help`.
public enum CommandLineTool {
    static let usage = """
        usage: fineract-jobs [serve]            run the service (configuration from the environment)
               fineract-jobs migrate            apply pending migrations and exit
               fineract-jobs seed-demo [--tenants a,b] [--clients N] [--loans N] [--savings N] [--days N]
                                       [--business-date yyyy-MM-dd]
                                        create demo tenants with products, clients, loans and savings
               fineract-jobs cron next --expression EXPR [--timezone ZONE] [--after ISO-8601] [--count N]
               fineract-jobs help
        """

    /// Runs the command in `arguments` (without the program name) and returns the exit status.
    public static func main(_ arguments: [String]) async -> Int32 {
        switch arguments.first {
        case nil, "serve":
            return await self.runService(migrateOnly: false)
        case "migrate":
            return await self.runService(migrateOnly: true)
        case "seed-demo":
            return await SeedDemoCommand.run(Array(arguments.dropFirst()))
        case "cron":
            return CronCommand.run(Array(arguments.dropFirst()))
        case "help", "--help", "-h":
            print(self.usage)
            return 0
        default:
            FileHandle.standardError.write(Data("unknown command '\(arguments[0])'\n\(self.usage)\n".utf8))
            return 2
        }
    }

    private static func runService(migrateOnly: Bool) async -> Int32 {
        let configuration: ServiceConfiguration
        do {
            configuration = try ServiceConfiguration.fromEnvironment()
        } catch {
            FileHandle.standardError.write(Data("configuration error: \(error)\n".utf8))
            return 2
        }
        let logger = Logger(
            label: "fineract-jobs",
            level: configuration.logLevel,
            metadata: [.nodeID: "\(configuration.nodeID)"],
            handler: StreamLogHandler(format: configuration.logFormat)
        )
        do {
            if migrateOnly {
                try await self.migrate(configuration: configuration, logger: logger)
            } else {
                try await Application(configuration: configuration, logger: logger).run()
            }
            return 0
        } catch {
            logger.critical("cannot continue", metadata: [.error: "\(String(reflecting: error))"])
            return 1
        }
    }

    private static func migrate(configuration: ServiceConfiguration, logger: Logger) async throws {
        try await self.withMigratedDatabase(configuration: configuration, logger: logger) { _ in }
    }

    /// Runs `body` with a small pool on the configured database (starting the embedded one if that
    /// is the choice), after applying pending migrations; stops what it started afterwards.
    static func withMigratedDatabase<Result: Sendable>(
        configuration: ServiceConfiguration,
        logger: Logger,
        _ body: (PostgresPool) async throws -> Result
    ) async throws -> Result {
        var embedded: EmbeddedPostgres?
        let postgres: PostgresConfiguration
        switch configuration.database {
        case .external(let external):
            postgres = external
        case .embedded(let directory):
            let cluster = EmbeddedPostgres(baseDirectory: directory, logger: logger)
            postgres = try await cluster.start()
            embedded = cluster
        }
        let pool = PostgresPool(configuration: postgres, maximumConnections: 2, logger: logger)
        do {
            try await Application.migrate(pool: pool, directory: configuration.migrationsDirectory, logger: logger)
            let result = try await body(pool)
            pool.shutDown()
            await embedded?.stop()
            return result
        } catch {
            pool.shutDown()
            await embedded?.stop()
            throw error
        }
    }
}
