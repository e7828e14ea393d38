import Foundation
import JobsCore
import Logging
import Postgres
import TestSupport

/// Runs workers directly, the way the engine does, with a context of the test's choosing.
enum WorkerTestSupport {
    static func context(tenantID: String? = "default", logs: InMemoryLogHandler = InMemoryLogHandler()) -> JobContext {
        JobContext(
            jobID: UUID(),
            executionID: UUID(),
            tenantID: tenantID,
            attempt: 1,
            maxAttempts: 1,
            fireTime: nil,
            nodeID: "test-node",
            logger: logs.makeLogger(label: "worker-under-test", level: .debug)
        )
    }

    /// One integer column of the first row of `query`.
    static func integer(_ pool: PostgresPool, _ query: PostgresQuery) async throws -> Int64 {
        let rows = try await pool.query(query)
        return try rows[0].decode(rows.columns[0].name)
    }
}
