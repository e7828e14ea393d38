import Foundation
import JobsServer
import Postgres
import TestSupport
import Testing

/// The per-type limit in `job_config` holds across three nodes running at once; each node takes at
/// most two, so the limit of three can only be reached by nodes working together.
@Suite(
    "Cluster limits",
    .enabled(if: TestDatabase.isConfigured, "POSTGRES_HOST is not set; make test starts a PostgreSQL for these tests"),
    .timeLimit(.minutes(3))
)
struct ClusterLimitTests {
    @Test func perTypeLimitIsExactAcrossThreeNodes() async throws {
        try await TestDatabase.withMigratedDatabase { pool, postgres in
            try await pool.query("INSERT INTO job_config (job_type, max_concurrency) VALUES ('diagnostic_probe', 3)")
            let job: UUID = try await pool.query(
                """
                INSERT INTO job (name, job_type, status, allow_overlap, parameters)
                VALUES ('limited', 'diagnostic_probe', 'active', true, '{"sleepMs": 150}') RETURNING id
                """
            )[0].decode("id")
            let configure: @Sendable (inout ServiceConfiguration) -> Void = {
                $0.diagnosticJobTypes = true
                $0.maxConcurrentJobs = 2
                $0.pollInterval = .milliseconds(100)
            }
            try await TestService.withRunningService(postgres: postgres, configure: configure) { _ in
                try await TestService.withRunningService(postgres: postgres, configure: configure) { _ in
                    try await TestService.withRunningService(postgres: postgres, configure: configure) { _ in
                        try await pool.query(
                            """
                            INSERT INTO job_execution (job_id, job_type, priority, trigger, parameters, max_attempts,
                                                       timeout_seconds)
                            SELECT \(job), 'diagnostic_probe', 1, 'manual', '{"sleepMs": 150}', 1, 60
                            FROM generate_series(1, 40)
                            """
                        )
                        var sampledMaximum = 0
                        let deadline = ContinuousClock.now + .seconds(60)
                        while ContinuousClock.now < deadline {
                            let row = try await pool.query(
                                """
                                SELECT count(*) FILTER (WHERE status = 'running') AS running,
                                       count(*) FILTER (WHERE status = 'queued') AS queued
                                FROM job_execution
                                """
                            )[0]
                            sampledMaximum = max(sampledMaximum, try row.decode("running", as: Int.self))
                            if try row.decode("running", as: Int.self) == 0, try row.decode("queued", as: Int.self) == 0
                            {
                                break
                            }
                            try await Task.sleep(for: .milliseconds(10))
                        }
                        // Exact check from the attempts themselves: the most that ever overlapped.
                        let overlap = try await pool.query(
                            """
                            WITH edges AS (
                                SELECT started_at AS at, 1 AS delta FROM job_probe_attempt
                                UNION ALL
                                SELECT finished_at, -1 FROM job_probe_attempt
                            )
                            SELECT coalesce(max(running), 0) AS peak FROM (
                                SELECT sum(delta) OVER (ORDER BY at, delta) AS running FROM edges) AS timeline
                            """
                        )[0].decode("peak", as: Int.self)
                        let nodes = try await pool.query(
                            "SELECT count(DISTINCT node_id) AS n FROM job_probe_attempt"
                        )[0].decode("n", as: Int.self)
                        let done = try await pool.query(
                            "SELECT count(*) AS n FROM job_execution WHERE status = 'succeeded'"
                        )[0].decode("n", as: Int.self)
                        print(
                            "per-type limit 3: sampled peak \(sampledMaximum), attempt overlap peak \(overlap), \(nodes) nodes, \(done) succeeded"
                        )
                        #expect(done == 40)
                        #expect(sampledMaximum <= 3)
                        #expect(overlap <= 3)
                        #expect(overlap == 3, "the limit is also reached, not only respected")
                        #expect(nodes >= 2)
                    }
                }
            }
        }
    }
}
