import Foundation
import Postgres
import TestSupport
import Testing

/// SIGTERM with work in flight, against the real binary.
@Suite(
    "Graceful shutdown",
    .enabled(if: TestDatabase.isConfigured, "POSTGRES_HOST is not set; make test starts a PostgreSQL for these tests"),
    .enabled(if: ServiceProcess.executable != nil, "the fineract-jobs binary is not built; run swift build first"),
    .timeLimit(.minutes(3))
)
struct GracefulShutdownTests {
    static func startNode(_ postgres: PostgresConfiguration, graceSeconds: Int) throws -> ServiceProcess {
        try ServiceProcess(
            environment: [
                "POSTGRES_HOST": postgres.host, "POSTGRES_PORT": String(postgres.port),
                "POSTGRES_DB": postgres.database, "POSTGRES_USER": postgres.user, "NODE_ID": "draining-node",
                "LOG_LEVEL": "info", "LOG_FORMAT": "text", "DIAGNOSTIC_JOB_TYPES": "true",
                "MIGRATIONS_DIR": TestDatabase.migrationsDirectory.path,
                "SHUTDOWN_GRACE_SECONDS": String(graceSeconds), "ABANDON_GRACE_SECONDS": "1",
            ],
            port: ServiceProcess.freePort(),
            logPath: FileManager.default.temporaryDirectory.appendingPathComponent("shutdown-\(UUID()).log").path
        )
    }

    static func runningProbe(_ pool: PostgresPool, sleepMs: Int) async throws -> UUID {
        let job: UUID = try await pool.query(
            "INSERT INTO job (name, job_type, status) VALUES ('drain', 'diagnostic_probe', 'active') RETURNING id"
        )[0].decode("id")
        let execution: UUID = try await pool.query(
            """
            INSERT INTO job_execution (job_id, job_type, priority, trigger, parameters, max_attempts, timeout_seconds)
            VALUES (\(job), 'diagnostic_probe', 1, 'manual', \(PostgresJSON(text: "{\"sleepMs\": \(sleepMs)}"))::jsonb, 3, 60)
            RETURNING id
            """
        )[0].decode("id")
        for _ in 0..<500 {
            let status: String = try await pool.query("SELECT status FROM job_execution WHERE id = \(execution)")[0]
                .decode("status")
            if status == "running" { return execution }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("the probe never started")
        return execution
    }

    @Test func runningWorkFinishesBeforeTheProcessExits() async throws {
        try await TestDatabase.withMigratedDatabase { pool, postgres in
            let node = try Self.startNode(postgres, graceSeconds: 30)
            #expect(await node.waitUntilHealthy(timeout: .seconds(60)))
            let execution = try await Self.runningProbe(pool, sleepMs: 5_000)
            node.send(SIGTERM)
            // New HTTP connections are refused while the running work drains.
            var refused = false
            let deadline = ContinuousClock.now + .seconds(4)
            while !refused, ContinuousClock.now < deadline {
                refused = (try? await HTTPTestClient(port: node.port).get("/health")) == nil
                if !refused { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(refused)
            let stillRunning: String = try await pool.query(
                "SELECT status FROM job_execution WHERE id = \(execution)"
            )[0].decode("status")
            #expect(stillRunning == "running", "the refusal came while the work was still draining")
            #expect(await node.waitForExit(timeout: .seconds(30)) == 0)
            let row = try await pool.query("SELECT status, attempt FROM job_execution WHERE id = \(execution)")[0]
            let status: String = try row.decode("status")
            #expect(status == "succeeded", "log: \(node.logPath)")
            #expect(try row.decode("attempt", as: Int.self) == 1)
            let stopped = try await pool.query("SELECT stopped_at IS NOT NULL AS stopped FROM job_node")[0]
            #expect(try stopped.decode("stopped", as: Bool.self))
        }
    }

    @Test func workPastTheDeadlineIsCancelledAndHandedBack() async throws {
        try await TestDatabase.withMigratedDatabase { pool, postgres in
            let node = try Self.startNode(postgres, graceSeconds: 1)
            #expect(await node.waitUntilHealthy(timeout: .seconds(60)))
            let execution = try await Self.runningProbe(pool, sleepMs: 60_000)
            node.send(SIGTERM)
            #expect(await node.waitForExit(timeout: .seconds(30)) == 0)
            let row = try await pool.query(
                "SELECT status, attempt, node_id FROM job_execution WHERE id = \(execution)"
            )[0]
            // Back in the queue for another node, at once rather than after the lease would expire.
            #expect(try row.decode("status", as: String.self) == "queued")
            #expect(try row.decode("node_id", as: String?.self) == nil)
            let leases = try await pool.query("SELECT count(*) AS n FROM job_lock")[0].decode("n", as: Int.self)
            #expect(leases == 0)
            let attempt = try await pool.query(
                "SELECT status FROM job_execution_attempt WHERE execution_id = \(execution)"
            )[0].decode("status", as: String.self)
            #expect(attempt == "lost")
        }
    }
}
