import Foundation
import JobsServer
import Logging
import Postgres
import TestSupport
import Testing

/// Runs the whole service (HTTP server, processor, listener) on a fresh migrated database and a
/// free loopback port, and shuts it down gracefully afterwards.
enum TestService {
    static func withService<Result: Sendable>(
        configure: @Sendable (inout ServiceConfiguration) -> Void = { _ in },
        _ body: (HTTPTestClient, PostgresPool) async throws -> Result
    ) async throws -> Result {
        try await TestDatabase.withMigratedDatabase { pool, postgres in
            try await self.withRunningService(postgres: postgres, configure: configure) { client in
                try await body(client, pool)
            }
        }
    }

    /// Runs one node of the service on an existing database until `body` returns.
    static func withRunningService<Result: Sendable>(
        postgres: PostgresConfiguration,
        configure: @Sendable (inout ServiceConfiguration) -> Void = { _ in },
        _ body: (HTTPTestClient) async throws -> Result
    ) async throws -> Result {
        var configuration = ServiceConfiguration(nodeID: "test-node-\(UUID().uuidString.prefix(8))")
        configuration.port = 0
        configuration.database = .external(postgres)
        configuration.databasePoolSize = 8
        configuration.migrationsDirectory = TestDatabase.migrationsDirectory
        configuration.pollInterval = .milliseconds(200)
        configuration.shutdownGracePeriod = .seconds(5)
        configure(&configuration)
        let shutdown = ShutdownTrigger()
        let logger = Logger(label: "service-under-test", level: .warning, handler: StreamLogHandler(format: .text))
        let application = Application(configuration: configuration, logger: logger, shutdown: shutdown)
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let service = Task {
            try await application.run { port in portContinuation.yield(port) }
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            try await service.value
            throw CancellationError()
        }
        do {
            let result = try await body(HTTPTestClient(port: port))
            shutdown.trigger()
            try await service.value
            return result
        } catch {
            shutdown.trigger()
            _ = await service.result
            throw error
        }
    }

    /// Polls `GET /jobs/{id}` until its newest execution is terminal, for at most `timeout` (long
    /// enough for a loaded machine; a healthy run ends in well under a second).
    static func waitForTerminalExecution(
        client: HTTPTestClient,
        jobID: String,
        timeout: Duration = .seconds(30)
    ) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let reply = try await client.get("/jobs/\(jobID)")
            if let executions = reply.json["executions"] as? [[String: Any]], let newest = executions.first,
                let status = newest["status"] as? String, !["queued", "running"].contains(status)
            {
                return newest
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("no execution of job \(jobID) finished within \(timeout)")
        return [:]
    }
}
