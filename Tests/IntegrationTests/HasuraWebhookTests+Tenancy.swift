import Foundation
import JobsCore
import Postgres
import TestSupport
import Testing

/// Jobs for all tenants through the actions, and what a tenant's own settings give its jobs.
extension HasuraWebhookTests {
    static let allTenantJobID = UUID(uuidString: "00000000-0000-4000-8000-0000000a1100")!

    /// The session Hasura sends for a call made with the admin secret and no role header.
    static let adminSession: JSONValue = ["x-hasura-role": "admin"]

    /// An action request: the fixture's envelope with this input and session.
    static func action(_ name: String, input: JSONValue, session: JSONValue) throws -> Data {
        let envelope = try JSONValue(parsing: try Self.fixture("action-\(name).request.json"))
        let body = envelope.setting(["input"], to: input).setting(["session_variables"], to: session)
        return Data(body.serialized().utf8)
    }

    /// The reply's JSON as a `JSONValue`, for the output-type check.
    static func value(_ reply: HTTPTestClient.Reply) throws -> JSONValue {
        try JSONValue(parsing: reply.body)
    }

    @Test func tenantAdminCannotCancelAJobForAllTenants() async throws {
        try await TestService.withService(configure: Self.configure) { client, pool in
            try await pool.query("INSERT INTO job_config (job_type, enabled) VALUES ('system_health_check', false)")
            try await pool.query(
                """
                INSERT INTO job (id, name, job_type, status, tenant_id)
                VALUES (\(Self.allTenantJobID), 'all tenants', 'system_health_check', 'active', NULL)
                """
            )
            try await pool.query(
                """
                INSERT INTO job_execution (job_id, tenant_id, job_type, priority, trigger, max_attempts, timeout_seconds)
                VALUES (\(Self.allTenantJobID), NULL, 'system_health_check', 1, 'manual', 4, 3600)
                """
            )
            let before = try await DatabaseSnapshot.take(pool)
            let jobID = JSONValue.string(Self.allTenantJobID.uuidString.lowercased())
            let tenantAdmin: JSONValue = [
                "x-hasura-role": "tenant_admin", "x-hasura-tenant-id": "default", "x-hasura-user-id": "17",
            ]
            let reply = try await Self.post(
                client,
                "/actions/cancelJob",
                try Self.action("cancelJob", input: ["jobId": jobID, "reason": "not mine"], session: tenantAdmin)
            )
            // Not found, exactly as for a job that does not exist, so the caller learns nothing about it.
            #expect(reply.status == 404, "\(reply.text)")
            let extensions = reply.json["extensions"] as? [String: Any]
            #expect(extensions?["code"] as? String == "job-not-found")
            #expect(extensions?["jobId"] as? String == jobID.stringValue)
            let missing = try await Self.post(
                client,
                "/actions/cancelJob",
                try Self.action(
                    "cancelJob",
                    input: ["jobId": "00000000-0000-4000-8000-0000000a1199", "reason": "not mine"],
                    session: tenantAdmin
                )
            )
            #expect(missing.status == reply.status)
            #expect((missing.json["extensions"] as? [String: Any])?["code"] as? String == "job-not-found")
            let after = try await DatabaseSnapshot.take(pool)
            #expect(after == before, "the job and its execution are unchanged: \(after.difference(from: before))")
        }
    }

    @Test func adminCreatesExecutesAndCancelsAJobForAllTenants() async throws {
        try await TestService.withService(configure: Self.configure) { client, pool in
            // Disabled, so the run stays queued (a claimed run would fan out into children first).
            try await pool.query("INSERT INTO job_config (job_type, enabled) VALUES ('system_health_check', false)")
            let outputTypes = try ActionOutputTypes.load()
            // Once a year (01:00 on 1 January, Nairobi time), so the node's scheduler never fires it here.
            let fixture = try JSONValue(parsing: try Self.fixture("action-createJob.request.json"))
            let input = (fixture["input"] ?? .null).setting(["input", "cronExpression"], to: "0 0 1 1 1 ?")
            let created = try await Self.post(
                client,
                "/actions/createJob",
                try Self.action("createJob", input: input, session: Self.adminSession)
            )
            #expect(created.status == 200, "\(created.text)")
            #expect(outputTypes.problems(with: try Self.value(created), forAction: "createJob").isEmpty)
            #expect(created.json["status"] as? String == "active")
            #expect((created.json["nextRunAt"] as? String)?.hasSuffix("+03:00") == true, "\(created.text)")
            let jobID = try #require(created.json["id"] as? String)
            let job = try await pool.query("SELECT tenant_id, created_by, status FROM job")[0]
            // The session names no tenant: a job for all tenants.
            #expect(try job.decode("tenant_id", as: String?.self) == nil)
            #expect(try job.decode("created_by", as: String?.self) == nil)

            let executed = try await Self.post(
                client,
                "/actions/executeJob",
                try Self.action("executeJob", input: ["jobId": .string(jobID)], session: Self.adminSession)
            )
            #expect(executed.status == 200, "\(executed.text)")
            #expect(outputTypes.problems(with: try Self.value(executed), forAction: "executeJob").isEmpty)
            #expect(executed.json["jobId"] as? String == jobID)
            #expect(executed.json["status"] as? String == "queued")
            #expect(executed.json["created"] as? Bool == true)
            let executionID = try #require(executed.json["executionId"] as? String)
            let execution = try await pool.query("SELECT id::text AS id, tenant_id, trigger FROM job_execution")
            #expect(execution.count == 1)
            #expect(try execution.first?.decode("id", as: String.self) == executionID)
            #expect(try execution.first?.decode("tenant_id", as: String?.self) == nil)
            #expect(try execution.first?.decode("trigger", as: String.self) == "manual")

            let cancelled = try await Self.post(
                client,
                "/actions/cancelJob",
                try Self.action(
                    "cancelJob",
                    input: ["jobId": .string(jobID), "reason": "replaced"],
                    session: Self.adminSession
                )
            )
            #expect(cancelled.status == 200, "\(cancelled.text)")
            #expect(outputTypes.problems(with: try Self.value(cancelled), forAction: "cancelJob").isEmpty)
            #expect(cancelled.json["id"] as? String == jobID)
            #expect(cancelled.json["status"] as? String == "cancelled")
            let state = try await pool.query(
                """
                SELECT job.status AS job_status, job.status_reason, job_execution.status AS execution_status
                FROM job JOIN job_execution ON job_execution.job_id = job.id
                """
            )[0]
            #expect(try state.decode("job_status", as: String.self) == "cancelled")
            #expect(try state.decode("status_reason", as: String?.self) == "replaced")
            #expect(try state.decode("execution_status", as: String.self) == "cancelled")
        }
    }

    /// A tenant's time zone is the default for its jobs: one created without a zone is stored with
    /// the tenant's, its first run is read in it, and the answer shows the tenant's offset.
    @Test func createJobWithoutATimeZoneTakesTheTenantsZone() async throws {
        try await TestService.withService(configure: Self.configure) { client, pool in
            try await pool.query(
                "INSERT INTO tenant (id, name, timezone) VALUES ('nairobi', 'Nairobi bank', 'Africa/Nairobi')"
            )
            let fixture = try JSONValue(parsing: try Self.fixture("action-createJob.request.json"))
            let input = (fixture["input"] ?? .null).removing(["input", "timezone"])
            let session: JSONValue = [
                "x-hasura-role": "tenant_admin", "x-hasura-tenant-id": "nairobi", "x-hasura-user-id": "17",
            ]
            let sentAt = Date()
            let reply = try await Self.post(
                client,
                "/actions/createJob",
                try Self.action("createJob", input: input, session: session)
            )
            let answeredAt = Date()
            #expect(reply.status == 200, "\(reply.text)")
            let fires = try #require(
                FixtureFireTimes.firstRun(
                    cron: "0 0 1 * * ?",
                    timeZone: "Africa/Nairobi",
                    computedWithin: sentAt...answeredAt
                )
            )
            let texts = Set(fires.map(FixtureFireTimes.nairobiText))
            let nextRunText = reply.json["nextRunAt"] as? String
            #expect(nextRunText.map(texts.contains) == true, "nextRunAt \(nextRunText ?? "none"), one of \(texts)")
            let job = try await pool.query("SELECT tenant_id, timezone, next_run_at FROM job")[0]
            #expect(try job.decode("tenant_id", as: String.self) == "nairobi")
            #expect(try job.decode("timezone", as: String?.self) == "Africa/Nairobi")
            let nextRunAt = try job.decode("next_run_at", as: Date?.self)
            #expect(nextRunAt.map(fires.contains) == true, "next_run_at \(String(describing: nextRunAt)) of \(fires)")
        }
    }
}
