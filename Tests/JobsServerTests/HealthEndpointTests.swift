import Foundation
import HTTPServer
import JobsEngine
import JobsServer
import Logging
import Postgres
import Testing

struct HealthEndpointTests {
    @Test(.timeLimit(.minutes(1)))
    func unreachableDatabaseAnswers503() async throws {
        // Port 1 on loopback refuses connections at once.
        let postgres = PostgresConfiguration(host: "127.0.0.1", port: 1, connectTimeoutSeconds: 2)
        let logger = Logger(label: "test", level: .critical, handler: DiscardingLogHandler())
        let pool = PostgresPool(configuration: postgres, maximumConnections: 2, logger: logger)
        defer { pool.shutDown() }
        let store = JobStore(pool: pool)
        let responder = RESTResponder(
            manager: JobManager(store: store, registry: WorkerRegistry(), logger: logger),
            nodes: NodeRegistry(pool: pool, nodeID: "n", maxConcurrentJobs: 1, version: "test", logger: logger),
            pool: pool,
            processor: nil,
            apiToken: nil,
            maxBodyBytes: 1024,
            logger: logger
        )
        let head = HTTPRequestHead(
            method: "GET",
            path: "/health",
            queryItems: [],
            headers: HTTPHeaders(),
            remoteAddress: nil
        )
        let response = await responder.respond(to: HTTPRequest(head: head))
        #expect(response.status == 503)
        let body = String(decoding: response.body, as: UTF8.self)
        #expect(body.contains(#""reachable":false"#))
        #expect(body.contains(#""status":"unavailable""#))
    }
}
