import Foundation
import JobsCore
import JobsEngine
import JobsServer
import Postgres
import TestSupport
import Testing

@Suite(
    "Child executions",
    .enabled(if: TestDatabase.isConfigured, "POSTGRES_HOST is not set; make test starts a PostgreSQL for these tests"),
    .timeLimit(.minutes(3))
)
struct ChildExecutionTests {
    /// One slot on the node and a type limited to one running execution: a parent that kept its slot
    /// or counted against the limit while waiting would never see its children run.
    static let oneSlot: @Sendable (inout ServiceConfiguration) -> Void = { configuration in
        configuration.diagnosticJobTypes = true
        configuration.maxConcurrentJobs = 1
    }

    static func createTenants(_ client: HTTPTestClient, _ ids: [String]) async throws {
        for id in ids {
            let created = try await client.send("POST", "/tenants", json: ["id": id, "name": "Bank \(id)"])
            #expect(created.status == 201, "\(created.text)")
        }
    }

    static func limitTenantProbeToOneRunning(_ pool: PostgresPool) async throws {
        try await pool.query(
            "INSERT INTO job_config (job_type, max_concurrency) VALUES ('diagnostic_tenant_probe', 1)"
        )
    }

    @Test func allTenantJobRunsOneChildPerTenantAndReportsTheFailure() async throws {
        try await TestService.withService(configure: Self.oneSlot) { client, pool in
            try await Self.createTenants(client, ["alpha", "beta"])
            try await Self.limitTenantProbeToOneRunning(pool)
            let created = try await client.send(
                "POST",
                "/jobs",
                json: [
                    "name": "every tenant", "jobType": "diagnostic_tenant_probe", "maxRetries": 1,
                    "parameters": ["failTenants": ["beta"]],
                ]
            )
            let job = try #require(created.json["id"] as? String, "\(created.text)")
            #expect(created.json["tenantId"] is NSNull)
            _ = try await client.send("POST", "/jobs/\(job)/execute")
            let parent = try await TestService.waitForTerminalExecution(
                client: client,
                jobID: job,
                timeout: .seconds(30)
            )

            #expect(parent["status"] as? String == "failed")
            #expect(parent["errorCode"] as? String == "tenant_runs_failed")
            let error = try #require(parent["error"] as? String)
            #expect(error.hasPrefix("1 of 3 tenant runs did not succeed: beta failed"), "\(error)")
            #expect((parent["attempts"] as? [[String: Any]])?.count == 1, "children failing is not retried")

            let children = try #require(parent["children"] as? [[String: Any]])
            let byTenant = Dictionary(uniqueKeysWithValues: children.map { ($0["tenantId"] as? String ?? "", $0) })
            #expect(Set(byTenant.keys) == ["alpha", "beta", "default"])
            #expect(byTenant["alpha"]?["status"] as? String == "succeeded")
            #expect(byTenant["default"]?["status"] as? String == "succeeded")
            #expect(byTenant["beta"]?["status"] as? String == "failed")
            #expect(byTenant["beta"]?["attempt"] as? Int == 2, "the failing tenant used its own retry")
            #expect(children.allSatisfy { $0["trigger"] as? String == "fan_out" })
            #expect(children.allSatisfy { $0["parentExecutionId"] as? String == parent["id"] as? String })

            // Each child's attempts are its own: the failing tenant's two, one each for the others.
            let rows = try await pool.query(
                """
                SELECT e.tenant_id, count(p.*) AS attempts
                FROM job_execution e JOIN job_probe_attempt p ON p.execution_id = e.id
                WHERE e.job_id = \(UUID(uuidString: job)!) GROUP BY e.tenant_id ORDER BY e.tenant_id
                """
            )
            let attempts = try rows.map {
                (try $0.decode("tenant_id", as: String.self), try $0.decode("attempts", as: Int64.self))
            }
            #expect(attempts.map(\.0) == ["alpha", "beta", "default"])
            #expect(attempts.map(\.1) == [1, 2, 1])
        }
    }

    @Test func allTenantJobSucceedsWithEveryTenantsResult() async throws {
        try await TestService.withService(configure: Self.oneSlot) { client, pool in
            try await Self.createTenants(client, ["gamma"])
            try await pool.query("UPDATE tenant SET active = false WHERE id = 'default'")
            let created = try await client.send(
                "POST",
                "/jobs",
                json: ["name": "every tenant", "jobType": "diagnostic_tenant_probe"]
            )
            let job = try #require(created.json["id"] as? String)
            _ = try await client.send("POST", "/jobs/\(job)/execute")
            let parent = try await TestService.waitForTerminalExecution(
                client: client,
                jobID: job,
                timeout: .seconds(30)
            )
            #expect(parent["status"] as? String == "succeeded")
            let result = try #require(parent["result"] as? [String: Any])
            #expect(result["succeeded"] as? Int == 1)
            #expect(
                ((result["tenants"] as? [String: Any])?["gamma"] as? [String: Any])?["status"] as? String == "succeeded"
            )
            #expect((parent["children"] as? [[String: Any]])?.count == 1, "an inactive tenant gets no child")
        }
    }

    @Test func jobWithoutTenantOfAnInstallationTypeRunsOnce() async throws {
        try await TestService.withService(configure: Self.oneSlot) { client, _ in
            let created = try await client.send(
                "POST",
                "/jobs",
                json: ["name": "probe", "jobType": "diagnostic_probe"]
            )
            let job = try #require(created.json["id"] as? String)
            _ = try await client.send("POST", "/jobs/\(job)/execute")
            let execution = try await TestService.waitForTerminalExecution(client: client, jobID: job)
            #expect(execution["status"] as? String == "succeeded")
            #expect((execution["children"] as? [[String: Any]])?.isEmpty == true)
        }
    }

    @Test func cancellingTheParentCancelsEveryChild() async throws {
        try await TestService.withService(configure: Self.oneSlot) { client, pool in
            try await Self.createTenants(client, ["alpha", "beta"])
            let created = try await client.send(
                "POST",
                "/jobs",
                json: ["name": "slow", "jobType": "diagnostic_tenant_probe", "parameters": ["sleepMs": 30_000]]
            )
            let job = try #require(created.json["id"] as? String)
            let executed = try await client.send("POST", "/jobs/\(job)/execute")
            let parentID = try #require(executed.json["executionId"] as? String)
            // Wait until one child runs (one slot) and the other two are queued behind it.
            let deadline = ContinuousClock.now + .seconds(15)
            var running = 0
            while running == 0, ContinuousClock.now < deadline {
                let rows = try await pool.query(
                    """
                    SELECT count(*) FILTER (WHERE status = 'running') AS running FROM job_execution
                    WHERE parent_execution_id = \(UUID(uuidString: parentID)!)
                    """
                )
                running = Int(try rows[0].decode("running", as: Int64.self))
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(running == 1)
            let cancelled = try await client.send("POST", "/executions/\(parentID)/cancel")
            #expect(cancelled.status == 202 || cancelled.status == 200, "\(cancelled.text)")
            let parent = try await TestService.waitForTerminalExecution(
                client: client,
                jobID: job,
                timeout: .seconds(10)
            )
            #expect(parent["status"] as? String == "cancelled")
            // The children end too; the running one may need its node to hear the cancel.
            var statuses: [String] = []
            let childDeadline = ContinuousClock.now + .seconds(10)
            repeat {
                let rows = try await pool.query(
                    """
                    SELECT status FROM job_execution WHERE parent_execution_id = \(UUID(uuidString: parentID)!)
                    ORDER BY child_key
                    """
                )
                statuses = try rows.map { try $0.decode("status") }
                try await Task.sleep(for: .milliseconds(50))
            } while statuses.contains(where: { $0 == "running" || $0 == "queued" })
                && ContinuousClock.now < childDeadline
            #expect(statuses == ["cancelled", "cancelled", "cancelled"])
        }
    }

    @Test func retriedParentFindsTheChildrenItCreatedAndStaleAttemptsAreRefused() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            let store = JobStore(pool: pool)
            try await pool.query(
                "INSERT INTO job (name, job_type, status) VALUES ('split', 'diagnostic_probe', 'active')"
            )
            try await pool.query(
                """
                INSERT INTO job_execution (job_id, job_type, priority, trigger, max_attempts, timeout_seconds)
                SELECT id, job_type, 1, 'manual', 3, 60 FROM job
                """
            )
            let first = try #require(
                try await store.claimExecutions(nodeID: "node-a", limit: 1, jobTypes: ["diagnostic_probe"]).first
            )
            let chunks = (1...3).map {
                ChildExecutionRequest(key: "chunk-\($0)", parameters: ["chunk": .integer(Int64($0))])
            }
            try await store.spawnChildren(
                parentID: first.execution.id,
                fencingToken: first.fencingToken,
                requests: chunks
            )

            // Node a dies: its lease expires and the reaper puts the parent back in the queue.
            try await pool.query(
                "UPDATE job_lock SET acquired_at = now() - interval '2 minutes', expires_at = now() - interval '1 minute'"
            )
            _ = try await store.reapExpiredLeases()
            // Skip the retry's back-off so the test need not wait for it.
            try await pool.query("UPDATE job_execution SET run_after = now() WHERE status = 'queued'")
            let second = try #require(
                try await store.claimExecutions(nodeID: "node-b", limit: 10, jobTypes: ["diagnostic_probe"])
                    .first { $0.execution.parentExecutionID == nil }
            )
            #expect(second.execution.id == first.execution.id)
            #expect(second.execution.attempt == 2)
            try await store.spawnChildren(
                parentID: second.execution.id,
                fencingToken: second.fencingToken,
                requests: chunks
            )
            let snapshot = try await store.childrenSnapshot(parentID: second.execution.id)
            #expect(snapshot.unfinished == 3, "the retried parent re-attached to its three children")

            await #expect(throws: JobsEngineError.self) {
                try await store.spawnChildren(
                    parentID: first.execution.id,
                    fencingToken: first.fencingToken,
                    requests: [ChildExecutionRequest(key: "chunk-4", parameters: [:])]
                )
            }
            let count = try await pool.query(
                "SELECT count(*) AS n FROM job_execution WHERE parent_execution_id IS NOT NULL"
            )
            #expect(try count[0].decode("n", as: Int64.self) == 3)
        }
    }
}
