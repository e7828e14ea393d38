import Foundation
import JobsServer
import Postgres
import TestSupport
import Testing

@Suite(
    "Scheduler",
    .enabled(if: TestDatabase.isConfigured, "POSTGRES_HOST is not set; make test starts a PostgreSQL for these tests"),
    .timeLimit(.minutes(3))
)
struct SchedulerTests {
    @Test func cronJobRunsOncePerFireTime() async throws {
        try await TestService.withService { client, pool in
            let created = try await Self.createHealthJob(
                client,
                name: "every second",
                schedule: ["cronExpression": "* * * * * ?"]
            )
            #expect(created.status == 201)
            let upcoming = try #require(
                (try await client.get("/jobs/\(created.json["id"] as! String)")).json["upcomingFireTimes"] as? [String]
            )
            #expect(upcoming.count == 5)
            #expect(upcoming.allSatisfy { $0.hasSuffix("+00:00") })
            try await Task.sleep(for: .seconds(4))
            let rows = try await pool.query(
                """
                SELECT fire_time, status, trigger, is_catch_up FROM job_execution ORDER BY fire_time
                """
            )
            #expect(rows.count >= 3)
            let fireTimes = try rows.map { try $0.decode("fire_time", as: Date.self) }
            // Consecutive whole seconds, no gap and no duplicate.
            for (earlier, later) in zip(fireTimes, fireTimes.dropFirst()) {
                #expect(later.timeIntervalSince(earlier) == 1)
            }
            #expect(try rows.allSatisfy { try $0.decode("trigger", as: String.self) == "schedule" })
            #expect(try rows.allSatisfy { try !$0.decode("is_catch_up", as: Bool.self) })
        }
    }

    @Test func onceJobRunsOnceAndCompletes() async throws {
        try await TestService.withService { client, pool in
            let created = try await Self.createHealthJob(client, name: "once", schedule: ["executionInterval": "once"])
            let jobID = try #require(created.json["id"] as? String)
            let execution = try await TestService.waitForTerminalExecution(client: client, jobID: jobID)
            #expect(execution["status"] as? String == "succeeded")
            let job = try await client.get("/jobs/\(jobID)")
            #expect(job.json["status"] as? String == "completed")
            #expect(job.json["nextRunAt"] is NSNull)
            // The node records its jobs' last runs about once a second, after the run ended.
            let finished = try #require(execution["finishedAt"] as? String)
            let recorded = try await Self.eventually(timeout: .seconds(5)) {
                guard let lastRun = (try await client.get("/jobs/\(jobID)")).json["lastRunAt"] as? String else {
                    return false
                }
                return try Date(lastRun, strategy: .iso8601) >= Date(finished, strategy: .iso8601)
            }
            #expect(recorded, "lastRunAt is at or after the run's end")
            let count = try await pool.query("SELECT count(*) AS n FROM job_execution")[0].decode("n", as: Int.self)
            #expect(count == 1)
        }
    }

    @Test func scheduleChangedBySQLTakesEffectWithoutRestart() async throws {
        try await TestService.withService { client, pool in
            // A job inserted outside the service, the way Hasura or Fineract would.
            try await pool.query(
                """
                INSERT INTO job (name, job_type, cron_expression, status, tenant_id)
                VALUES ('by sql', 'system_health_check', '0 0 1 1 * ?', 'active', 'default')
                """
            )
            #expect(
                try await Self.eventually {
                    try await pool.query("SELECT next_run_at FROM job")[0].decode("next_run_at", as: Date?.self) != nil
                }
            )
            try await pool.query("UPDATE job SET cron_expression = '* * * * * ?'")
            #expect(
                try await Self.eventually {
                    try await pool.query("SELECT count(*) AS n FROM job_execution")[0].decode("n", as: Int.self) >= 2
                }
            )
            try await pool.query("UPDATE job SET cron_expression = 'not cron'")
            #expect(
                try await Self.eventually {
                    try await pool.query("SELECT status FROM job")[0].decode("status", as: String.self) == "invalid"
                }
            )
            let reason = try await pool.query("SELECT status_reason FROM job")[0].decode(
                "status_reason",
                as: String?.self
            )
            #expect(reason?.contains("cronExpression") == true)
            _ = client
        }
    }

    @Test func pausedAndCancelledJobsScheduleNothing() async throws {
        try await TestService.withService { client, pool in
            for status in ["paused", "cancelled"] {
                try await pool.query(
                    """
                    INSERT INTO job (name, job_type, cron_expression, status, next_run_at, tenant_id)
                    VALUES (\(status), 'system_health_check', '* * * * * ?', \(status), now(), 'default')
                    """
                )
            }
            try await Task.sleep(for: .seconds(2))
            let count = try await pool.query("SELECT count(*) AS n FROM job_execution")[0].decode("n", as: Int.self)
            #expect(count == 0)
            _ = client
        }
    }

    /// A node started with `SCHEDULER_ENABLED=false` turns no due schedule into an execution, yet runs
    /// what is queued for it.
    @Test func nodeWithoutItsSchedulerOnlyRunsQueuedWork() async throws {
        try await TestService.withService(configure: { $0.schedulerEnabled = false }) { client, pool in
            let created = try await Self.createHealthJob(
                client,
                name: "every second",
                schedule: ["cronExpression": "* * * * * ?"]
            )
            let jobID = try #require(created.json["id"] as? String)
            try await Task.sleep(for: .seconds(2))
            let scheduled = try await pool.query(
                "SELECT count(*) AS n FROM job_execution WHERE trigger = 'schedule'"
            )[0].decode("n", as: Int.self)
            #expect(scheduled == 0)

            #expect(try await client.send("POST", "/jobs/\(jobID)/execute", json: [:]).status == 202)
            let execution = try await TestService.waitForTerminalExecution(client: client, jobID: jobID)
            #expect(execution["status"] as? String == "succeeded")
            #expect(execution["trigger"] as? String == "manual")
        }
    }

    /// Creates a `system_health_check` job of the default tenant on `schedule` (a cron expression or an
    /// interval) through the REST API.
    static func createHealthJob(
        _ client: HTTPTestClient,
        name: String,
        schedule: [String: Any]
    ) async throws -> HTTPTestClient.Reply {
        var body: [String: Any] = ["name": name, "jobType": "system_health_check", "tenantId": "default"]
        body.merge(schedule) { _, given in given }
        return try await client.send("POST", "/jobs", json: body)
    }

    /// Polls `condition` every 100 ms for up to `timeout`; true as soon as it holds.
    static func eventually(
        timeout: Duration = .seconds(10),
        _ condition: () async throws -> Bool
    ) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await condition()
    }
}
