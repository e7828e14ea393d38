import Foundation
import Postgres
import TestSupport
import Testing

/// Three nodes work through thousands of executions while one of them is killed with SIGKILL every
/// few seconds and replaced. Run by `make chaos` (not part of `make test`).
@Suite(
    "Chaos",
    .enabled(if: ProcessInfo.processInfo.environment["CHAOS_EXECUTIONS"] != nil, "run by make chaos"),
    .enabled(if: TestDatabase.isConfigured, "POSTGRES_HOST is not set; make chaos starts a PostgreSQL"),
    .enabled(if: ServiceProcess.executable != nil, "the fineract-jobs binary is not built"),
    .timeLimit(.minutes(10))
)
struct ChaosTests {
    static let nodeLimit = 10
    static let typeLimit = 12

    @Test func nothingIsLostOrRunTwiceWhileNodesAreKilled() async throws {
        let total = Int(ProcessInfo.processInfo.environment["CHAOS_EXECUTIONS"] ?? "") ?? 5000
        try await TestDatabase.withMigratedDatabase { pool, postgres in
            try await pool.query(
                "INSERT INTO job_config (job_type, max_concurrency) VALUES ('diagnostic_probe', \(Self.typeLimit))"
            )
            let job: UUID = try await pool.query(
                """
                INSERT INTO job (name, job_type, status, allow_overlap, max_retries)
                VALUES ('chaos', 'diagnostic_probe', 'active', true, 20) RETURNING id
                """
            )[0].decode("id")
            let logs = FileManager.default.temporaryDirectory.appendingPathComponent("chaos-\(UUID())")
            try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
            var generation = 0
            func start(_ slot: Int) throws -> ServiceProcess {
                generation += 1
                return try ServiceProcess(
                    environment: [
                        "POSTGRES_HOST": postgres.host, "POSTGRES_PORT": String(postgres.port),
                        "POSTGRES_DB": postgres.database, "POSTGRES_USER": postgres.user,
                        "NODE_ID": "node-\(slot)-\(generation)", "LOG_LEVEL": "warning", "LOG_FORMAT": "text",
                        "DIAGNOSTIC_JOB_TYPES": "true", "MIGRATIONS_DIR": TestDatabase.migrationsDirectory.path,
                        "MAX_CONCURRENT_JOBS": String(Self.nodeLimit), "LEASE_DURATION_SECONDS": "3",
                        "POLL_INTERVAL_MS": "200", "DB_POOL_SIZE": "12",
                    ],
                    port: ServiceProcess.freePort(),
                    logPath: logs.appendingPathComponent("node-\(slot)-\(generation).log").path
                )
            }
            var nodes = try (0..<3).map(start)
            for node in nodes {
                #expect(await node.waitUntilHealthy(timeout: .seconds(60)))
            }
            try await pool.query(
                """
                INSERT INTO job_execution (job_id, job_type, priority, trigger, parameters, max_attempts, timeout_seconds)
                SELECT \(job), 'diagnostic_probe', 1, 'manual',
                       jsonb_build_object('sleepMs', (random() * 100)::int), 21, 60
                FROM generate_series(1, \(total))
                """
            )
            let started = ContinuousClock.now

            // Samples the running counts while the nodes work.
            let sampler = Task {
                var peakPerNode = 0
                var peakForType = 0
                var samples = 0
                while !Task.isCancelled {
                    let rows = try await pool.query(
                        "SELECT node_id, count(*) AS n FROM job_execution WHERE status = 'running' GROUP BY node_id"
                    )
                    let counts = try rows.map { try $0.decode("n", as: Int.self) }
                    peakPerNode = max(peakPerNode, counts.max() ?? 0)
                    peakForType = max(peakForType, counts.reduce(0, +))
                    samples += 1
                    try? await Task.sleep(for: .milliseconds(25))
                }
                return (peakPerNode, peakForType, samples)
            }

            var kills = 0
            let deadline = ContinuousClock.now + .seconds(480)
            while ContinuousClock.now < deadline {
                let open = try await pool.query(
                    "SELECT count(*) AS n FROM job_execution WHERE status IN ('queued', 'running')"
                )[0].decode("n", as: Int.self)
                if open == 0 { break }
                try await Task.sleep(for: .seconds(3))
                let victim = Int.random(in: 0..<nodes.count)
                nodes[victim].send(SIGKILL)
                await nodes[victim].waitForExit(timeout: .seconds(10))
                kills += 1
                nodes[victim] = try start(victim)
                _ = await nodes[victim].waitUntilHealthy(timeout: .seconds(60))
            }
            let elapsed = ContinuousClock.now - started
            sampler.cancel()
            let (peakPerNode, peakForType, samples) = try await sampler.value
            for node in nodes {
                node.send(SIGTERM)
            }
            for node in nodes {
                await node.waitForExit(timeout: .seconds(30))
            }

            let summary = try await pool.query(
                """
                SELECT count(*) AS total,
                       count(*) FILTER (WHERE status = 'succeeded') AS succeeded,
                       count(*) FILTER (WHERE status = 'failed') AS failed,
                       count(*) FILTER (WHERE status NOT IN ('succeeded', 'failed', 'cancelled', 'timed_out'))
                           AS unfinished,
                       (SELECT count(*) FROM job_execution_attempt) AS attempts,
                       (SELECT count(*) FROM job_execution_attempt WHERE status = 'lost') AS lost_attempts,
                       (SELECT count(*) FROM job_probe_attempt) AS probe_attempts,
                       (SELECT count(*) FROM (
                           SELECT execution_id FROM job_execution_attempt WHERE status = 'succeeded'
                           GROUP BY execution_id HAVING count(*) > 1) AS twice) AS succeeded_twice,
                       (SELECT count(*) FROM job_execution e WHERE e.status = 'succeeded' AND NOT EXISTS (
                           SELECT 1 FROM job_execution_attempt a
                           WHERE a.execution_id = e.id AND a.status = 'succeeded')) AS success_without_attempt
                FROM job_execution
                """
            )[0]
            func value(_ name: String) throws -> Int { try summary.decode(name, as: Int.self) }
            print("chaos: \(total) executions, \(kills) SIGKILLs in \(elapsed)")
            print(
                "chaos: succeeded \(try value("succeeded")), failed \(try value("failed")), unfinished \(try value("unfinished"))"
            )
            print(
                "chaos: \(try value("attempts")) attempts (\(try value("lost_attempts")) lost with a killed node), \(try value("probe_attempts")) probe records"
            )
            print(
                "chaos: executions with two successful attempts \(try value("succeeded_twice")), successes without an attempt \(try value("success_without_attempt"))"
            )
            print(
                "chaos: \(samples) samples, peak running per node \(peakPerNode) (limit \(Self.nodeLimit)), peak for the type \(peakForType) (limit \(Self.typeLimit))"
            )
            #expect(try value("total") == total, "no execution is lost")
            #expect(try value("unfinished") == 0, "every execution ends")
            #expect(try value("succeeded") == total)
            #expect(try value("succeeded_twice") == 0)
            #expect(try value("success_without_attempt") == 0)
            #expect(peakPerNode <= Self.nodeLimit)
            #expect(peakForType <= Self.typeLimit)
            #expect(kills >= 3)
        }
    }
}
