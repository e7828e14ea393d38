import Foundation
import JobsCore
import JobsServer
import Postgres
import TestSupport
import Testing

@Suite(
    "REST API",
    .enabled(if: TestDatabase.isConfigured, "POSTGRES_HOST is not set; make test starts a PostgreSQL for these tests"),
    .timeLimit(.minutes(2))
)
struct RESTAPITests {
    static var healthJob: [String: Any] {
        [
            // Once a year (January 1st, 03:00 in Berlin), so no scheduled run lands among a test's own.
            "name": "Health", "jobType": "system_health_check", "cronExpression": "0 0 3 1 1 ?",
            "timezone": "Europe/Berlin", "priority": "high", "maxRetries": 2, "tenantId": "default",
            // A loaded test machine can make one round trip slow; that is not what these tests check.
            "parameters": ["latencyWarningMs": 600_000],
        ]
    }

    @Test func healthReportsTheDatabase() async throws {
        try await TestService.withService { client, _ in
            let reply = try await client.get("/health")
            #expect(reply.status == 200)
            #expect(reply.json["status"] as? String == "ok")
            #expect((reply.json["database"] as? [String: Any])?["reachable"] as? Bool == true)
        }
    }

    @Test func createdHealthCheckJobRunsAndRecordsItsResult() async throws {
        try await TestService.withService { client, _ in
            let created = try await client.send("POST", "/jobs", json: Self.healthJob)
            #expect(created.status == 201)
            let jobID = try #require(created.json["id"] as? String)
            #expect(created.json["status"] as? String == "active")
            #expect(created.json["nextRunAt"] is String)
            #expect(created.json["priority"] as? String == "high")

            let executed = try await client.send("POST", "/jobs/\(jobID)/execute")
            #expect(executed.status == 202)
            let executionID = try #require(executed.json["executionId"] as? String)

            let execution = try await TestService.waitForTerminalExecution(client: client, jobID: jobID)
            #expect(execution["id"] as? String == executionID)
            #expect(execution["status"] as? String == "succeeded")
            #expect(execution["startedAt"] is String)
            #expect(execution["finishedAt"] is String)
            let result = try #require(execution["result"] as? [String: Any])
            #expect(result["status"] as? String == "healthy")
            let database = try #require(result["database"] as? [String: Any])
            let latest = try Migration.load(from: TestDatabase.migrationsDirectory).last?.version
            #expect((database["schemaVersion"] as? Int).map(Int64.init) == latest)
            #expect((result["nodes"] as? [String: Any])?["live"] as? Int == 1)
            let attempts = try #require(execution["attempts"] as? [[String: Any]])
            #expect(attempts.count == 1)
            #expect(attempts.first?["status"] as? String == "succeeded")
            #expect((attempts.first?["nodeId"] as? String)?.hasPrefix("test-node-") == true)
        }
    }

    /// One bad request: what is sent, and the status and error code expected back.
    struct BadRequest: Sendable, CustomTestStringConvertible {
        var label: String
        var contentType: String?
        var body: String
        var status: Int
        var code: String
        var mentions: [String]

        var testDescription: String { self.label }
    }

    static let badRequests: [BadRequest] = [
        BadRequest(
            label: "malformed JSON",
            contentType: "application/json",
            body: #"{"name": "x","#,
            status: 400,
            code: "malformed_json",
            mentions: ["not valid JSON"]
        ),
        BadRequest(
            label: "not an object",
            contentType: "application/json",
            body: "[1, 2]",
            status: 400,
            code: "malformed_json",
            mentions: ["array"]
        ),
        BadRequest(
            label: "unknown job type",
            contentType: "application/json",
            body: #"{"name": "x", "jobType": "make_coffee"}"#,
            status: 422,
            code: "validation_failed",
            mentions: ["jobType", "make_coffee"]
        ),
        BadRequest(
            label: "negative maxRetries",
            contentType: "application/json",
            body: #"{"name": "x", "jobType": "system_health_check", "maxRetries": -1}"#,
            status: 422,
            code: "validation_failed",
            mentions: ["maxRetries", "between 0 and 100"]
        ),
        BadRequest(
            label: "unknown enum value",
            contentType: "application/json",
            body: #"{"name": "x", "jobType": "system_health_check", "priority": "urgent"}"#,
            status: 422,
            code: "validation_failed",
            mentions: ["priority", "urgent"]
        ),
        BadRequest(
            label: "several problems at once",
            contentType: "application/json",
            body: #"{"jobType": "system_health_check", "timezone": "Mars/Olympus", "cronExpression": "61 * * * *"}"#,
            status: 422,
            code: "validation_failed",
            mentions: ["name: is required", "timezone", "minute"]
        ),
        BadRequest(
            label: "unknown field",
            contentType: "application/json",
            body: #"{"name": "x", "jobType": "system_health_check", "colour": "red"}"#,
            status: 422,
            code: "validation_failed",
            mentions: ["colour"]
        ),
        BadRequest(
            label: "unknown tenant",
            contentType: "application/json",
            body: #"{"name": "x", "jobType": "system_health_check", "tenantId": "nobody"}"#,
            status: 422,
            code: "validation_failed",
            mentions: ["tenantId", "nobody"]
        ),
        BadRequest(
            label: "wrong content type",
            contentType: "text/plain",
            body: #"{"name": "x", "jobType": "system_health_check"}"#,
            status: 415,
            code: "unsupported_media_type",
            mentions: ["application/json"]
        ),
        BadRequest(
            label: "body over the limit",
            contentType: "application/json",
            body: #"{"name": ""# + String(repeating: "x", count: 70_000) + #""}"#,
            status: 413,
            code: "body_too_large",
            mentions: ["65536"]
        ),
    ]

    @Test(arguments: Self.badRequests)
    func badInputIsRefusedAndChangesNothing(_ bad: BadRequest) async throws {
        try await TestService.withService(configure: { $0.maxBodyBytes = 65_536 }) { client, pool in
            var headers: [String: String] = [:]
            if let contentType = bad.contentType { headers["Content-Type"] = contentType }
            let reply = try await client.send("POST", "/jobs", headers: headers, body: Data(bad.body.utf8))
            #expect(reply.status == bad.status, "\(reply.text)")
            #expect(reply.errorCode == bad.code)
            #expect(reply.headers["content-type"]?.hasPrefix("application/json") == true)
            for mention in bad.mentions {
                #expect(reply.text.contains(mention), "the error should mention \(mention): \(reply.text)")
            }
            let jobs = try await pool.query("SELECT count(*) AS n FROM job")[0].decode("n", as: Int.self)
            #expect(jobs == 0)
        }
    }

    @Test func executingACancelledJobIsAConflict() async throws {
        try await TestService.withService { client, pool in
            let created = try await client.send("POST", "/jobs", json: Self.healthJob)
            let jobID = try #require(created.json["id"] as? String)
            let cancelled = try await client.send("POST", "/jobs/\(jobID)/cancel")
            #expect(cancelled.status == 200)
            #expect(cancelled.json["status"] as? String == "cancelled")
            #expect(cancelled.json["nextRunAt"] is NSNull)
            let again = try await client.send("POST", "/jobs/\(jobID)/cancel")
            #expect(again.status == 200)
            let executed = try await client.send("POST", "/jobs/\(jobID)/execute")
            #expect(executed.status == 409)
            #expect(executed.errorCode == "illegal_state")
            let executions = try await pool.query("SELECT count(*) AS n FROM job_execution")[0].decode(
                "n",
                as: Int.self
            )
            #expect(executions == 0)
        }
    }

    @Test func cancellingAJobCancelsItsQueuedExecutions() async throws {
        try await TestService.withService(configure: { $0.maxConcurrentJobs = 1 }) { client, pool in
            let created = try await client.send("POST", "/jobs", json: Self.healthJob)
            let jobID = try #require(created.json["id"] as? String)
            // Queued far in the future by hand, so the processor cannot start it first.
            try await pool.query(
                """
                INSERT INTO job_execution (job_id, job_type, priority, trigger, max_attempts, timeout_seconds, run_after)
                VALUES (\(UUID(uuidString: jobID)!), 'system_health_check', 2, 'manual', 1, 60, now() + interval '1 day')
                """
            )
            _ = try await client.send("POST", "/jobs/\(jobID)/cancel")
            let rows = try await pool.query(
                "SELECT status FROM job_execution WHERE job_id = \(UUID(uuidString: jobID)!)"
            )
            #expect(try rows.map { try $0.decode("status", as: String.self) } == ["cancelled"])
        }
    }

    @Test func repeatedIdempotencyKeyQueuesOnce() async throws {
        try await TestService.withService { client, pool in
            let created = try await client.send("POST", "/jobs", json: Self.healthJob)
            let jobID = try #require(created.json["id"] as? String)
            let body: [String: Any] = ["idempotencyKey": "run-2026-12-03", "parameters": ["verbose": true]]
            let first = try await client.send("POST", "/jobs/\(jobID)/execute", json: body)
            let second = try await client.send("POST", "/jobs/\(jobID)/execute", json: body)
            #expect(first.status == 202)
            #expect(second.status == 200)
            #expect(first.json["executionId"] as? String == second.json["executionId"] as? String)
            let rows = try await pool.query("SELECT parameters FROM job_execution")
            #expect(rows.count == 1)
            #expect(try rows[0].decode("parameters", as: PostgresJSON.self).text.contains("verbose"))
            let bad = try await client.send("POST", "/jobs/\(jobID)/execute", json: ["parameters": 5])
            #expect(bad.status == 422)
        }
    }

    @Test func listingFiltersAndPaginates() async throws {
        try await TestService.withService { client, pool in
            for index in 0..<5 {
                var job = Self.healthJob
                job["name"] = "job \(index)"
                _ = try await client.send("POST", "/jobs", json: job)
            }
            let page = try await client.get("/jobs?limit=2&offset=1")
            #expect(page.status == 200)
            #expect(page.json["total"] as? Int == 5)
            #expect((page.json["jobs"] as? [[String: Any]])?.count == 2)
            let pastTheEnd = try await client.get("/jobs?offset=10")
            #expect(pastTheEnd.json["total"] as? Int == 5)
            #expect((pastTheEnd.json["jobs"] as? [[String: Any]])?.isEmpty == true)
            let first = try #require((try await client.get("/jobs?limit=1")).json["jobs"] as? [[String: Any]])
            let firstID = try #require(first.first?["id"] as? String)
            _ = try await client.send("POST", "/jobs/\(firstID)/cancel")
            let cancelled = try await client.get("/jobs?status=cancelled")
            #expect(cancelled.json["total"] as? Int == 1)
            let byType = try await client.get("/jobs?jobType=system_health_check&tenantId=default")
            #expect(byType.json["total"] as? Int == 5)
            let otherTenant = try await client.get("/jobs?jobType=system_health_check&tenantId=elsewhere")
            #expect(otherTenant.json["total"] as? Int == 0)
            let badStatus = try await client.get("/jobs?status=sleeping")
            #expect(badStatus.status == 400)
            #expect(badStatus.text.contains("status"))
        }
    }

    @Test func unknownJobsAndRoutesAreNotFound() async throws {
        try await TestService.withService { client, _ in
            let reply1 = try await client.get("/jobs/\(UUID())")
            #expect(reply1.status == 404)
            let reply2 = try await client.get("/jobs/not-a-uuid")
            #expect(reply2.status == 404)
            let reply3 = try await client.send("POST", "/jobs/\(UUID())/execute")
            #expect(reply3.status == 404)
            let reply4 = try await client.send("POST", "/jobs/\(UUID())/cancel")
            #expect(reply4.status == 404)
            let reply5 = try await client.get("/nothing-here")
            #expect(reply5.status == 404)
            let reply6 = try await client.send("DELETE", "/jobs")
            #expect(reply6.status == 405)
        }
    }

    @Test func bearerTokenGuardsEverythingButHealth() async throws {
        try await TestService.withService(configure: { $0.apiToken = "s3cret-token" }) { client, _ in
            let reply7 = try await client.get("/health")
            #expect(reply7.status == 200)
            let reply8 = try await client.get("/jobs")
            #expect(reply8.status == 401)
            let wrong = try await client.send("GET", "/jobs", headers: ["Authorization": "Bearer nope"])
            #expect(wrong.status == 401)
            let right = try await client.send("GET", "/jobs", headers: ["Authorization": "Bearer s3cret-token"])
            #expect(right.status == 200)
        }
    }

    @Test func nodesAreListedLiveOrDead() async throws {
        try await TestService.withService { client, pool in
            try await pool.query(
                """
                INSERT INTO job_node (id, hostname, pid, version, max_concurrent_jobs, last_heartbeat_at)
                VALUES ('gone', 'elsewhere', 1, 'old', 10, now() - interval '5 minutes')
                """
            )
            let reply = try await client.get("/nodes")
            #expect(reply.status == 200)
            let nodes = try #require(reply.json["nodes"] as? [[String: Any]])
            let live = nodes.filter { $0["live"] as? Bool == true }.compactMap { $0["id"] as? String }
            let dead = nodes.filter { $0["live"] as? Bool == false }.compactMap { $0["id"] as? String }
            #expect(live.count == 1)
            #expect(live.first?.hasPrefix("test-node-") == true)
            #expect(dead == ["gone"])
        }
    }

    @Test func tenantsAreListedCreatedAndDeactivated() async throws {
        try await TestService.withService { client, pool in
            let created = try await client.send(
                "POST",
                "/tenants",
                json: ["id": "bank-7", "name": "Bank Seven", "timezone": "Africa/Nairobi"]
            )
            #expect(created.status == 201, "\(created.text)")
            let duplicate = try await client.send("POST", "/tenants", json: ["id": "bank-7", "name": "Again"])
            #expect(duplicate.status == 422)
            let bad = try await client.send(
                "POST",
                "/tenants",
                json: ["id": "no spaces", "name": "", "timezone": "Moon/Base"]
            )
            #expect(bad.status == 422)
            #expect(bad.text.contains("id") && bad.text.contains("name") && bad.text.contains("timezone"))
            var job = Self.healthJob
            job["tenantId"] = "bank-7"
            let jobReply = try await client.send("POST", "/jobs", json: job)
            #expect(jobReply.status == 201)
            #expect((jobReply.json["nextRunAt"] as? String) != nil)

            let deactivated = try await client.send("POST", "/tenants/bank-7/deactivate")
            #expect(deactivated.json["active"] as? Bool == false)
            let status: String = try await pool.query("SELECT status FROM job WHERE tenant_id = 'bank-7'")[0]
                .decode("status")
            #expect(status == "paused")
            let refused = try await client.send("POST", "/jobs", json: job)
            #expect(refused.status == 422)
            let listed = try await client.get("/tenants")
            let ids = (listed.json["tenants"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
            #expect(ids == ["default", "bank-7"])
            let missing = try await client.send("POST", "/tenants/nobody/deactivate")
            #expect(missing.status == 404)
        }
    }

    /// A tenant's time zone is the default for its jobs; a job's own zone wins, and a job for all
    /// tenants, which has no tenant to take one from, is read in UTC.
    @Test func aJobWithoutATimeZoneTakesItsTenantsZone() async throws {
        try await TestService.withService { client, pool in
            let tenant = try await client.send(
                "POST",
                "/tenants",
                json: ["id": "bank-7", "name": "Bank Seven", "timezone": "Africa/Nairobi"]
            )
            #expect(tenant.status == 201, "\(tenant.text)")
            // 01:00 every day: 22:00Z in Nairobi (UTC+3 all year), 01:00Z in UTC, 23:00Z or 00:00Z in Berlin.
            let daily: [String: Any] = [
                "name": "Daily", "jobType": "system_health_check", "cronExpression": "0 0 1 * * ?",
            ]
            let cases: [(extra: [String: Any], zone: String?, offset: String, utcHours: Set<Int>)] = [
                (["tenantId": "bank-7"], "Africa/Nairobi", "+03:00", [22]),
                (["tenantId": "bank-7", "timezone": "Europe/Berlin"], "Europe/Berlin", "+0", [23, 0]),
                ([:], nil, "+00:00", [1]),
            ]
            var utc = Calendar(identifier: .gregorian)
            utc.timeZone = TimeZone(identifier: "UTC")!
            for (extra, zone, offset, utcHours) in cases {
                let created = try await client.send("POST", "/jobs", json: daily.merging(extra) { $1 })
                #expect(created.status == 201, "\(extra): \(created.text)")
                #expect(created.json["timezone"] as? String == zone, "\(extra): \(created.text)")
                let id = try #require(created.json["id"] as? String)
                let nextRunAt = try #require(
                    (created.json["nextRunAt"] as? String).flatMap(ISO8601Parsing.date(from:))
                )
                #expect(utcHours.contains(utc.component(.hour, from: nextRunAt)), "\(extra): \(nextRunAt)")
                let stored = try await pool.query("SELECT timezone FROM job WHERE id = \(UUID(uuidString: id)!)")
                #expect(try stored.first?.decode("timezone", as: String?.self) == zone, "\(extra)")
                // The fire times the API lists are written in the zone the schedule is read in.
                let detail = try await client.get("/jobs/\(id)")
                let upcoming = try #require(detail.json["upcomingFireTimes"] as? [String], "\(detail.text)")
                #expect(!upcoming.isEmpty && upcoming.allSatisfy { $0.contains("T01:00:00" + offset) }, "\(upcoming)")
            }
        }
    }

    @Test func tenantsShowTheirBusinessDateAndMayBeCreatedWithOne() async throws {
        try await TestService.withService { client, pool in
            // Derived: the day before 2024-03-01 is 2024-02-29, 2024 being a leap year.
            let dated = try await client.send(
                "POST",
                "/tenants",
                json: ["id": "bank-8", "name": "Bank Eight", "businessDate": "2024-03-01"]
            )
            #expect(dated.status == 201, "\(dated.text)")
            #expect(dated.json["businessDate"] as? String == "2024-03-01")
            #expect(dated.json["cobDate"] as? String == "2024-02-29")
            let stored = try await pool.query(
                "SELECT type, date::text AS date FROM m_business_date WHERE tenant_id = 'bank-8' ORDER BY type"
            )
            #expect(try stored.map { try $0.decode("type", as: String.self) } == ["BUSINESS_DATE", "COB_DATE"])
            #expect(try stored.map { try $0.decode("date", as: String.self) } == ["2024-03-01", "2024-02-29"])

            // Without a date, the tenant shows the dates its creation seeded, whatever day that is.
            let undated = try await client.send("POST", "/tenants", json: ["id": "bank-9", "name": "Bank Nine"])
            #expect(undated.status == 201, "\(undated.text)")
            let seeded = try await pool.query(
                """
                SELECT max(date::text) FILTER (WHERE type = 'BUSINESS_DATE') AS business,
                       max(date::text) FILTER (WHERE type = 'COB_DATE') AS cob
                FROM m_business_date WHERE tenant_id = 'bank-9'
                """
            )[0]
            #expect(undated.json["businessDate"] as? String == (try seeded.decode("business", as: String.self)))
            #expect(undated.json["cobDate"] as? String == (try seeded.decode("cob", as: String.self)))

            let listed = try await client.get("/tenants")
            let tenants = try #require(listed.json["tenants"] as? [[String: Any]])
            let eight = try #require(tenants.first { $0["id"] as? String == "bank-8" })
            #expect(eight["businessDate"] as? String == "2024-03-01")
            #expect(eight["cobDate"] as? String == "2024-02-29")
            #expect(tenants.allSatisfy { $0["businessDate"] is String && $0["cobDate"] is String })

            let deactivated = try await client.send("POST", "/tenants/bank-8/deactivate")
            #expect(deactivated.json["businessDate"] as? String == "2024-03-01")
            #expect(deactivated.json["cobDate"] as? String == "2024-02-29")
        }
    }

    @Test(arguments: [
        ("2024-02-30", "no such day"), ("01/03/2024", "not yyyy-MM-dd"), ("2024-3-1", "unpadded"),
        ("0001-01-01", "its day before cannot be stored"),
    ])
    func aBadBusinessDateIsRefusedAndNothingIsWritten(businessDate: String, why: String) async throws {
        try await TestService.withService { client, pool in
            let reply = try await client.send(
                "POST",
                "/tenants",
                json: ["id": "bank-10", "name": "Bank Ten", "businessDate": businessDate]
            )
            #expect(reply.status == 422, "\(why): \(reply.text)")
            #expect(reply.text.contains("businessDate"))
            let written = try await pool.query(
                """
                SELECT (SELECT count(*) FROM tenant WHERE id = 'bank-10')
                     + (SELECT count(*) FROM m_business_date WHERE tenant_id = 'bank-10') AS n
                """
            )
            #expect(try written[0].decode("n", as: Int64.self) == 0)
        }
    }

    @Test func aBusinessDateThatIsNotAStringIsRefused() async throws {
        try await TestService.withService { client, _ in
            let reply = try await client.send(
                "POST",
                "/tenants",
                json: ["id": "bank-11", "name": "Bank Eleven", "businessDate": 20_240_301]
            )
            #expect(reply.status == 422)
            #expect(reply.text.contains("businessDate"))
        }
    }
}
