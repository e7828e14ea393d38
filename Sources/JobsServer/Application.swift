import Dispatch
import FineractJobs
import Foundation
import HTTPServer
import JobsCore
import JobsEngine
public import Logging
import Postgres

/// The whole service: database, migrations, workers, processor, notifications and the HTTP API,
/// started in order and stopped gracefully.
///
/// Shutdown order on SIGTERM or SIGINT (or `ShutdownTrigger.trigger()`): stop accepting HTTP,
/// stop claiming, let running executions finish within the grace period, cancel what is left,
/// mark the node stopped, close the pool, and stop the embedded database if this process started it.
public struct Application: Sendable {
    public static let version = "0.1.0"

    public let configuration: ServiceConfiguration
    private let logger: Logger
    private let shutdown: ShutdownTrigger

    public init(configuration: ServiceConfiguration, logger: Logger, shutdown: ShutdownTrigger = ShutdownTrigger()) {
        self.configuration = configuration
        self.logger = logger
        self.shutdown = shutdown
    }

    /// Runs until shut down.
    ///
    /// - Parameter onListening: called with the HTTP port once the API accepts requests.
    public func run(onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        self.logger.info("starting", metadata: [.config: "\(self.configuration.redactedSummary)"])
        let (postgres, embedded) = try await self.openDatabase()
        do {
            try await self.runServices(postgres: postgres, onListening: onListening)
        } catch {
            await embedded?.stop()
            throw error
        }
        await embedded?.stop()
    }

    private func runServices(
        postgres: PostgresConfiguration,
        onListening: @escaping @Sendable (Int) -> Void
    ) async throws {
        let pool = PostgresPool(
            configuration: postgres,
            maximumConnections: self.configuration.databasePoolSize,
            logger: self.logger.with([:])
        )
        defer { pool.shutDown() }
        try await Self.migrate(pool: pool, directory: self.configuration.migrationsDirectory, logger: self.logger)

        let registry = WorkerRegistry()
        BuiltInWorkers.register(in: registry, pool: pool, notifications: self.configuration.notifications)
        if self.configuration.diagnosticJobTypes {
            BuiltInWorkers.registerDiagnostics(in: registry, pool: pool)
        }
        let store = JobStore(pool: pool)
        let nodes = NodeRegistry(
            pool: pool,
            nodeID: self.configuration.nodeID,
            maxConcurrentJobs: self.configuration.maxConcurrentJobs,
            version: Self.version,
            logger: self.logger
        )
        try await nodes.register()
        let metrics = EngineMetrics()
        let processor = JobProcessor(
            configuration: JobProcessor.Configuration(
                nodeID: self.configuration.nodeID,
                maxConcurrentJobs: self.configuration.maxConcurrentJobs,
                pollInterval: self.configuration.pollInterval,
                leaseDuration: self.configuration.leaseDuration,
                abandonGracePeriod: self.configuration.abandonGracePeriod
            ),
            store: store,
            registry: registry,
            metrics: metrics,
            logger: self.logger
        )
        let scheduler = JobScheduler(
            configuration: JobScheduler.Configuration(
                misfireThreshold: self.configuration.misfireThreshold,
                catchUpLimit: self.configuration.catchUpLimit
            ),
            store: store,
            logger: self.logger,
            onQueued: { count in
                metrics.recordScheduled(count)
                processor.wake()
            }
        )
        let listener = PostgresListener(
            configuration: postgres,
            channels: [EngineChannel.queued, EngineChannel.cancel, EngineChannel.schedule],
            logger: self.logger
        )
        let responder = RESTResponder(
            manager: JobManager(store: store, registry: registry, logger: self.logger),
            nodes: nodes,
            pool: pool,
            processor: processor,
            apiToken: self.configuration.apiToken,
            hasuraSecret: self.configuration.hasuraSecret,
            maxBodyBytes: self.configuration.maxBodyBytes,
            logger: self.logger
        )
        let server = HTTPServer(
            configuration: HTTPServer.Configuration(
                host: self.configuration.host,
                port: self.configuration.port,
                maxBodyBytes: self.configuration.maxBodyBytes
            ),
            responder: responder,
            logger: self.logger
        )
        self.shutdown.installSignalHandlers()

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await processor.run() }
            if self.configuration.schedulerEnabled {
                group.addTask { await scheduler.run() }
            }
            group.addTask { await nodes.runHeartbeats() }
            group.addTask { await listener.run() }
            group.addTask {
                for await event in listener.events {
                    switch event {
                    case .listening:
                        processor.wake()
                        scheduler.wake()
                    case .notification(let notification) where notification.channel == EngineChannel.schedule:
                        scheduler.wake()
                    case .notification(let notification) where notification.channel == EngineChannel.cancel:
                        if let id = UUID(uuidString: notification.payload) {
                            processor.requestCancel(executionID: id)
                        }
                    case .notification:
                        processor.wake()
                    }
                }
            }
            try await self.serveUntilShutdown(server: server, onListening: onListening)

            self.logger.info("shutting down: no new work is claimed")
            processor.beginShutdown()
            if !(await processor.waitUntilStopped(atMost: self.configuration.shutdownGracePeriod)) {
                self.logger.warning("grace period over; cancelling running executions")
            }
            group.cancelAll()
        }
        await processor.releaseLeases()
        await nodes.markStopped()
        self.logger.info("stopped")
    }

    /// Serves HTTP until a shutdown is triggered, then stops accepting and returns.
    private func serveUntilShutdown(server: HTTPServer, onListening: @escaping @Sendable (Int) -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await server.run(onListening: onListening)
            }
            group.addTask { await self.shutdown.wait() }
            // Whichever ends first (a shutdown request or a server failure) ends the serving.
            try await group.next()
            group.cancelAll()
        }
    }

    private func openDatabase() async throws -> (PostgresConfiguration, EmbeddedPostgres?) {
        switch self.configuration.database {
        case .external(let configuration):
            return (configuration, nil)
        case .embedded(let directory):
            let embedded = EmbeddedPostgres(baseDirectory: directory, logger: self.logger)
            return (try await embedded.start(), embedded)
        }
    }

    /// Applies the migrations found in `directory`.
    static func migrate(pool: PostgresPool, directory: URL, logger: Logger) async throws {
        let migrations = try Migration.load(from: Self.locateMigrations(directory))
        let applied = try await Migrator(pool: pool, logger: logger).migrate(migrations)
        logger.info(
            "schema up to date",
            metadata: [
                .dbMigrationVersion: "\(migrations.last?.version ?? 0)", .dbMigrationsApplied: "\(applied.count)",
            ]
        )
    }

    /// Finds the migrations folder: as configured, else next to the executable's source tree, so
    /// that running the binary from another working directory still finds the repository's files.
    static func locateMigrations(_ configured: URL) -> URL {
        if FileManager.default.fileExists(atPath: configured.path) || configured.path.hasPrefix("/") {
            return configured
        }
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = folder.appendingPathComponent(configured.relativePath)
            if FileManager.default.fileExists(atPath: candidate.path) {
                return candidate
            }
            folder = folder.deletingLastPathComponent()
        }
        return configured
    }
}

/// The NOTIFY channels the engine uses.
enum EngineChannel {
    /// Work was queued or changed state; idle nodes look for work.
    static let queued = "fineract_jobs_queued"
    /// Payload: an execution id whose running attempt must stop.
    static let cancel = "fineract_jobs_cancel"
    /// A job was created or its schedule or status changed; schedulers look again.
    static let schedule = "fineract_jobs_schedule"
}
