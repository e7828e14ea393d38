import Foundation
import JobsCore
import JobsEngine
import Postgres
import TestSupport
import Testing

/// Leases, fencing and the reaper, driven directly through the store so each step is explicit.
@Suite(
    "Leases",
    .enabled(if: TestDatabase.isConfigured, "POSTGRES_HOST is not set; make test starts a PostgreSQL for these tests"),
    .timeLimit(.minutes(2))
)
struct LeaseTests {
    static let types: Set<JobType> = ["diagnostic_probe"]

    static func queueOne(_ pool: PostgresPool, maxAttempts: Int = 3) async throws -> UUID {
        let job: UUID = try await pool.query(
            """
            INSERT INTO job (name, job_type, status, allow_overlap)
            VALUES ('lease test', 'diagnostic_probe', 'active', true) RETURNING id
            """
        )[0].decode("id")
        return try await pool.query(
            """
            INSERT INTO job_execution (job_id, job_type, priority, trigger, max_attempts, timeout_seconds)
            VALUES (\(job), 'diagnostic_probe', 1, 'manual', \(maxAttempts), 60) RETURNING id
            """
        )[0].decode("id")
    }

    /// Queues `count` executions of one new probe job and returns the job.
    @discardableResult
    static func queueMany(_ pool: PostgresPool, count: Int, allowOverlap: Bool) async throws -> UUID {
        let job: UUID = try await pool.query(
            """
            INSERT INTO job (name, job_type, status, allow_overlap)
            VALUES ('lease test', 'diagnostic_probe', 'active', \(allowOverlap)) RETURNING id
            """
        )[0].decode("id")
        try await pool.query(
            """
            INSERT INTO job_execution (job_id, job_type, priority, trigger, max_attempts, timeout_seconds)
            SELECT \(job), 'diagnostic_probe', 1, 'manual', 1, 60 FROM generate_series(1, \(count))
            """
        )
        return job
    }

    /// What a silent node looks like: its leases ran out a moment ago.
    static func expireLeases(_ pool: PostgresPool) async throws {
        try await pool.query(
            "UPDATE job_lock SET acquired_at = now() - interval '2 seconds', expires_at = now() - interval '1 second'"
        )
    }

    @Test func staleCompletionIsRefusedAndTheNewHolderWins() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            let store = JobStore(pool: pool)
            let executionID = try await Self.queueOne(pool)
            let first = try #require(
                try await store.claimExecutions(nodeID: "node-a", limit: 1, jobTypes: Self.types).first
            )
            #expect(first.execution.id == executionID)
            // A running attempt has no row yet; it is read from its lease.
            let running = try #require(try await store.execution(id: executionID))
            #expect(running.attempts.map(\.status) == [.running])
            #expect(running.attempts.map(\.nodeID) == ["node-a"])
            // Node A goes silent: its lease runs out and a reaper hands the execution back.
            try await Self.expireLeases(pool)
            let reaped = try await store.reapExpiredLeases()
            #expect(reaped.map(\.executionID) == [executionID])
            #expect(reaped.first?.status == .queued)
            let second = try #require(
                try await store.claimExecutions(nodeID: "node-b", limit: 1, jobTypes: Self.types).first
            )
            #expect(second.fencingToken > first.fencingToken)
            #expect(second.execution.attempt == 2)

            // Node A wakes up and reports success with its old token: refused, nothing written.
            let stale = try await store.completeAttempt(
                executionID: executionID,
                attempt: first.execution.attempt,
                fencingToken: first.fencingToken,
                outcome: .succeeded(["from": "node-a"])
            )
            #expect(stale == .staleLease)
            let during = try #require(try await store.execution(id: executionID))
            #expect(during.status == .running)
            #expect(during.nodeID == "node-b")

            let current = try await store.completeAttempt(
                executionID: executionID,
                attempt: second.execution.attempt,
                fencingToken: second.fencingToken,
                outcome: .succeeded(["from": "node-b"])
            )
            #expect(current == .recorded(.succeeded))
            let after = try #require(try await store.execution(id: executionID))
            #expect(after.result == ["from": "node-b"])
            #expect(after.attempts.map(\.status) == [.lost, .succeeded])
            #expect(after.attempts.map(\.nodeID) == ["node-a", "node-b"])
        }
    }

    @Test func expiredLeaseOnTheLastAttemptFailsTheExecution() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            let store = JobStore(pool: pool)
            let executionID = try await Self.queueOne(pool, maxAttempts: 1)
            _ = try await store.claimExecutions(nodeID: "node-a", limit: 1, jobTypes: Self.types)
            try await Self.expireLeases(pool)
            let reaped = try await store.reapExpiredLeases()
            #expect(reaped.first?.status == .failed)
            let execution = try #require(try await store.execution(id: executionID))
            #expect(execution.errorCode == "lease_expired")
            #expect(execution.finishedAt != nil)
        }
    }

    @Test func expiredLeasesCannotBeRenewed() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            let store = JobStore(pool: pool)
            _ = try await Self.queueOne(pool)
            let claim = try #require(
                try await store.claimExecutions(nodeID: "node-a", limit: 1, jobTypes: Self.types).first
            )
            let lease = (executionID: claim.execution.id, fencingToken: claim.fencingToken)
            #expect(try await store.renewLeases([lease], duration: .seconds(30)) == [claim.execution.id])
            try await Self.expireLeases(pool)
            #expect(try await store.renewLeases([lease], duration: .seconds(30)).isEmpty)
        }
    }

    /// Leases and attempts have no foreign key to their execution; deleting executions, directly, through
    /// their job or through their parent, must still take their leases and attempts with them.
    @Test func deletedExecutionsTakeTheirLeasesAndAttemptsWithThem() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            let store = JobStore(pool: pool)
            func leasesAndAttempts() async throws -> Int {
                try await pool.query(
                    """
                    SELECT (SELECT count(*) FROM job_lock) + (SELECT count(*) FROM job_execution_attempt) AS n
                    """
                )[0].decode("n")
            }
            let direct = try await Self.queueOne(pool)
            let throughItsJob = try await Self.queueOne(pool)
            let parent = try await Self.queueOne(pool)
            let child: UUID = try await pool.query(
                """
                INSERT INTO job_execution (job_id, parent_execution_id, child_key, job_type, priority, trigger,
                                           max_attempts, timeout_seconds)
                SELECT job_id, id, 'chunk:1', job_type, priority, 'split', 3, 60 FROM job_execution WHERE id = \(parent)
                RETURNING id
                """
            )[0].decode("id")
            // Each execution's first attempt is interrupted (its row is written as it ends) and a
            // second one starts (its lease): one attempt row and one lease each.
            let first = try await store.claimExecutions(nodeID: "node-a", limit: 4, jobTypes: Self.types)
            #expect(Set(first.map(\.execution.id)) == [direct, throughItsJob, parent, child])
            for claim in first {
                _ = try await store.completeAttempt(
                    executionID: claim.execution.id,
                    attempt: claim.execution.attempt,
                    fencingToken: claim.fencingToken,
                    outcome: .interrupted(message: "node stopping")
                )
            }
            let second = try await store.claimExecutions(nodeID: "node-a", limit: 4, jobTypes: Self.types)
            #expect(second.count == 4)
            #expect(try await leasesAndAttempts() == 8)

            try await pool.query("DELETE FROM job_execution WHERE id = \(direct)")
            #expect(try await leasesAndAttempts() == 6)
            try await pool.query(
                "DELETE FROM job WHERE id = (SELECT job_id FROM job_execution WHERE id = \(throughItsJob))"
            )
            #expect(try await leasesAndAttempts() == 4)
            // The child goes through parent_execution_id's own cascade, and its rows with it.
            try await pool.query("DELETE FROM job_execution WHERE id = \(parent)")
            #expect(try await leasesAndAttempts() == 0)
            #expect(try await pool.query("SELECT 1 FROM job_execution").isEmpty)
            // A queued execution's queue row goes with it.
            let waiting = try await Self.queueOne(pool)
            #expect(try await pool.query("SELECT 1 FROM job_queue WHERE execution_id = \(waiting)").count == 1)
            try await pool.query("DELETE FROM job_execution WHERE id = \(waiting)")
            #expect(try await pool.query("SELECT 1 FROM job_queue").isEmpty)
        }
    }

    @Test func disabledTypesAndNonOverlappingJobsWaitInTheQueue() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            let store = JobStore(pool: pool)
            try await Self.queueMany(pool, count: 3, allowOverlap: false)
            // Without overlap, one execution of the job runs at a time, even across claims.
            #expect(try await store.claimExecutions(nodeID: "a", limit: 10, jobTypes: Self.types).count == 1)
            #expect(try await store.claimExecutions(nodeID: "b", limit: 10, jobTypes: Self.types).isEmpty)
            try await pool.query("UPDATE job SET allow_overlap = true")
            try await pool.query("INSERT INTO job_config (job_type, enabled) VALUES ('diagnostic_probe', false)")
            #expect(try await store.claimExecutions(nodeID: "b", limit: 10, jobTypes: Self.types).isEmpty)
            try await pool.query("UPDATE job_config SET enabled = true, max_concurrency = 2")
            #expect(try await store.claimExecutions(nodeID: "b", limit: 10, jobTypes: Self.types).count == 1)
            // A node never claims a type it has no worker for.
            try await pool.query("UPDATE job_config SET max_concurrency = NULL")
            #expect(try await store.claimExecutions(nodeID: "c", limit: 10, jobTypes: ["system_health_check"]).isEmpty)
        }
    }

    @Test func overlapChangesReachExecutionsAlreadyQueued() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            let store = JobStore(pool: pool)
            let job = try await Self.queueMany(pool, count: 4, allowOverlap: true)
            func exclusiveQueueRows() async throws -> [Bool] {
                try await pool.query("SELECT exclusive FROM job_queue ORDER BY queued_at, execution_id")
                    .map { try $0.decode("exclusive", as: Bool.self) }
            }
            #expect(try await exclusiveQueueRows() == [false, false, false, false])
            // Queued while overlap was allowed, the executions now run one at a time.
            try await pool.query("UPDATE job SET allow_overlap = false WHERE id = \(job)")
            #expect(try await exclusiveQueueRows() == [true, true, true, true])
            #expect(try await store.claimExecutions(nodeID: "a", limit: 10, jobTypes: Self.types).count == 1)
            #expect(try await store.claimExecutions(nodeID: "b", limit: 10, jobTypes: Self.types).isEmpty)
            // Allowed again, the rest run beside the one still running.
            try await pool.query("UPDATE job SET allow_overlap = true WHERE id = \(job)")
            #expect(try await exclusiveQueueRows() == [false, false, false])
            #expect(try await store.claimExecutions(nodeID: "b", limit: 10, jobTypes: Self.types).count == 3)
            #expect(try await pool.query("SELECT 1 FROM job_queue").isEmpty)
        }
    }

    @Test func aCancelRacingClaimsLeavesEachExecutionEitherClaimedOrCancelled() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            let store = JobStore(pool: pool)
            let job = try await Self.queueMany(pool, count: 300, allowOverlap: true)
            // Three claimers take small batches while the job is cancelled under them; none may fail
            // (a deadlock would), and each execution must end up on one side only.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for node in ["a", "b", "c"] {
                    group.addTask {
                        // Paced, so that the cancel lands while most of the queue still waits.
                        while try await !store.claimExecutions(nodeID: node, limit: 2, jobTypes: Self.types).isEmpty {
                            try await Task.sleep(for: .milliseconds(1))
                        }
                    }
                }
                group.addTask {
                    try await Task.sleep(for: .milliseconds(20))
                    _ = try await store.cancelJob(id: job, reason: "raced")
                }
                try await group.waitForAll()
            }
            let row = try await pool.query(
                """
                SELECT count(*) FILTER (WHERE e.status = 'running' AND l.execution_id IS NOT NULL) AS claimed,
                       count(*) FILTER (WHERE e.status = 'cancelled' AND l.execution_id IS NULL) AS cancelled,
                       count(*) AS executions,
                       (SELECT count(*) FROM job_queue) AS queue_rows
                FROM job_execution e LEFT JOIN job_lock l ON l.execution_id = e.id
                """
            )[0]
            let claimed: Int = try row.decode("claimed")
            let cancelled: Int = try row.decode("cancelled")
            #expect(try row.decode("executions", as: Int.self) == 300)
            #expect(claimed + cancelled == 300, "claimed \(claimed), cancelled \(cancelled)")
            #expect(try row.decode("queue_rows", as: Int.self) == 0)
        }
    }

    @Test func perTenantLimitHoldsWithinTheTypeLimit() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            let store = JobStore(pool: pool)
            try await pool.query("INSERT INTO tenant (id, name) VALUES ('bank-a', 'A'), ('bank-b', 'B')")
            try await pool.query(
                """
                INSERT INTO job_config (job_type, tenant_id, max_concurrency) VALUES
                    ('diagnostic_probe', NULL, 3), ('diagnostic_probe', 'bank-a', 1)
                """
            )
            for tenant in ["bank-a", "bank-b"] {
                let job: UUID = try await pool.query(
                    """
                    INSERT INTO job (name, job_type, status, allow_overlap, tenant_id)
                    VALUES (\(tenant), 'diagnostic_probe', 'active', true, \(tenant)) RETURNING id
                    """
                )[0].decode("id")
                try await pool.query(
                    """
                    INSERT INTO job_execution (job_id, tenant_id, job_type, priority, trigger, max_attempts, timeout_seconds)
                    SELECT \(job), \(tenant), 'diagnostic_probe', 1, 'manual', 1, 60 FROM generate_series(1, 5)
                    """
                )
            }
            let claimed = try await store.claimExecutions(nodeID: "a", limit: 10, jobTypes: Self.types)
            let byTenant = Dictionary(grouping: claimed, by: { $0.execution.tenantID ?? "" }).mapValues(\.count)
            // Bank A is held to one; the type's limit of three leaves two for bank B.
            #expect(byTenant == ["bank-a": 1, "bank-b": 2])
            #expect(try await store.claimExecutions(nodeID: "b", limit: 10, jobTypes: Self.types).isEmpty)
        }
    }
}
