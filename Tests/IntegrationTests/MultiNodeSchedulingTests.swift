import Foundation
import Postgres
import TestSupport
import Testing

/// Three service processes on one database: every fire time in the window gets exactly one
/// execution while one node is stopped and started again.
///
/// Runs for `MULTINODE_SECONDS` (default 25 under `make test`; `make test-multinode` runs 300).
@Suite(
    "Multi-node scheduling",
    .enabled(if: TestDatabase.isConfigured, "POSTGRES_HOST is not set; make test starts a PostgreSQL for these tests"),
    .enabled(if: ServiceProcess.executable != nil, "the fineract-jobs binary is not built; run swift build first"),
    .timeLimit(.minutes(10))
)
struct MultiNodeSchedulingTests {
    static var duration: Int {
        Int(ProcessInfo.processInfo.environment["MULTINODE_SECONDS"] ?? "") ?? 25
    }

    @Test func everyFireTimeRunsExactlyOnceAcrossNodes() async throws {
        try await TestDatabase.withMigratedDatabase { pool, postgres in
            let logFolder = FileManager.default.temporaryDirectory.appendingPathComponent("multinode-\(UUID())")
            try FileManager.default.createDirectory(at: logFolder, withIntermediateDirectories: true)
            func start(_ index: Int) throws -> ServiceProcess {
                try ServiceProcess(
                    environment: [
                        "POSTGRES_HOST": postgres.host, "POSTGRES_PORT": String(postgres.port),
                        "POSTGRES_DB": postgres.database, "POSTGRES_USER": postgres.user,
                        "NODE_ID": "node-\(index)", "LOG_LEVEL": "warning", "LOG_FORMAT": "text",
                        "MIGRATIONS_DIR": TestDatabase.migrationsDirectory.path, "POLL_INTERVAL_MS": "500",
                        "SHUTDOWN_GRACE_SECONDS": "5", "DB_POOL_SIZE": "6",
                    ],
                    port: ServiceProcess.freePort(),
                    logPath: logFolder.appendingPathComponent("node-\(index).log").path
                )
            }
            var nodes = try (1...3).map(start)
            for node in nodes {
                #expect(await node.waitUntilHealthy(timeout: .seconds(60)), "node did not start: see \(node.logPath)")
            }
            try await pool.query(
                """
                INSERT INTO job (name, job_type, cron_expression, status, tenant_id) VALUES
                    ('every second', 'system_health_check', '* * * * * ?', 'active', 'default'),
                    ('every minute, Quartz', 'system_health_check', '0 * * * * ?', 'active', 'default'),
                    ('every minute, five fields', 'system_health_check', '* * * * *', 'active', 'default')
                """
            )
            let windowStart: Date = try await pool.query("SELECT now() + interval '2 seconds' AS t")[0].decode("t")
            let total = Self.duration
            try await Task.sleep(for: .seconds(total / 3))
            nodes[1].send(SIGTERM)
            #expect(await nodes[1].waitForExit(timeout: .seconds(30)) == 0, "a stopped node exits with 0")
            try await Task.sleep(for: .seconds(total / 6))
            nodes[1] = try start(2)
            #expect(await nodes[1].waitUntilHealthy(timeout: .seconds(60)))
            try await Task.sleep(for: .seconds(total - total / 3 - total / 6))
            let windowEnd: Date = try await pool.query("SELECT now() - interval '2 seconds' AS t")[0].decode("t")
            for node in nodes {
                node.send(SIGTERM)
            }
            for node in nodes {
                await node.waitForExit(timeout: .seconds(30))
            }

            let report = try await pool.query(
                """
                WITH jobs AS (
                    SELECT id, name, CASE WHEN name = 'every second' THEN interval '1 second'
                                          ELSE interval '1 minute' END AS step,
                           CASE WHEN name = 'every second' THEN 'second' ELSE 'minute' END AS unit
                    FROM job
                ), expected AS (
                    SELECT jobs.id, jobs.name, slot
                    FROM jobs, generate_series(
                        date_trunc(jobs.unit, \(windowStart)::timestamptz) + jobs.step,
                        date_trunc(jobs.unit, \(windowEnd)::timestamptz), jobs.step) AS slot
                ), actual AS (
                    SELECT job_id, fire_time, count(*) AS copies FROM job_execution GROUP BY job_id, fire_time
                )
                SELECT expected.name,
                       count(*) AS fire_times,
                       count(*) FILTER (WHERE actual.copies IS NULL) AS missing,
                       count(*) FILTER (WHERE actual.copies > 1) AS duplicated
                FROM expected LEFT JOIN actual ON actual.job_id = expected.id AND actual.fire_time = expected.slot
                GROUP BY expected.name ORDER BY expected.name
                """
            )
            let byNode = try await pool.query(
                "SELECT node_id, count(*) AS executions FROM job_execution GROUP BY node_id ORDER BY node_id"
            )
            print("multi-node window: \(total) s, \(windowStart) .. \(windowEnd)")
            for row in report {
                let name: String = try row.decode("name")
                let fireTimes: Int = try row.decode("fire_times")
                let missing: Int = try row.decode("missing")
                let duplicated: Int = try row.decode("duplicated")
                print("  \(name): \(fireTimes) fire times, \(missing) missing, \(duplicated) duplicated")
                #expect(missing == 0, "\(name) has fire times without an execution")
                #expect(duplicated == 0, "\(name) has fire times with two executions")
            }
            for row in byNode {
                let node: String? = try row.decode("node_id")
                let executions: Int = try row.decode("executions")
                print("  ran on \(node ?? "(not started)"): \(executions)")
            }
            let seconds = try #require(report.first { (try? $0.decode("name", as: String.self)) == "every second" })
            #expect(try seconds.decode("fire_times", as: Int.self) >= total - 6)
        }
    }
}
