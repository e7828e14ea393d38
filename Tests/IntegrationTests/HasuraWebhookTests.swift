import Foundation
import JobsServer
import Postgres
import TestSupport
import Testing

/// Hasura's requests, replayed from `../shared/hasura/fixtures/` with this project's role names and
/// job types where the fixtures' inner values are illustrative, against the real service.
@Suite(
    "Hasura webhooks",
    .enabled(if: TestDatabase.isConfigured, "POSTGRES_HOST is not set; make test starts a PostgreSQL for these tests"),
    .enabled(if: HasuraFixtures.folder != nil, "../shared/hasura/fixtures is absent; the replay needs it"),
    .timeLimit(.minutes(2))
)
struct HasuraWebhookTests {
    static let secret = "a-long-shared-secret-for-tests"
    static let fixtureJobID = "3f6c2b8e-0d4a-4c1b-9a77-5e2d8f1c4b90"

    /// A fixture's JSON with this project's names in place of the illustrative ones.
    static func fixture(_ name: String, replacing extra: [String: String] = [:]) throws -> Data {
        var text = try String(
            contentsOf: try #require(HasuraFixtures.folder).appendingPathComponent(name),
            encoding: .utf8
        )
        // The project's names first, then the test's own changes on top of them.
        let projectNames = ["tenant_operator": "tenant_admin", "\"loan_cob\"": "\"system_health_check\""]
        for replacements in [projectNames, extra] {
            for (old, new) in replacements {
                text = text.replacingOccurrences(of: old, with: new)
            }
        }
        return Data(text.utf8)
    }

    static let configure: @Sendable (inout ServiceConfiguration) -> Void = { $0.hasuraSecret = Self.secret }

    static func post(_ client: HTTPTestClient, _ path: String, _ body: Data, secret: String? = Self.secret) async throws
        -> HTTPTestClient.Reply
    {
        var headers = ["content-type": "application/json", "user-agent": "hasura-graphql-engine/v2.40.0"]
        if let secret { headers["x-scheduler-secret"] = secret }
        return try await client.send("POST", path, headers: headers, body: body)
    }

    static func count(_ pool: PostgresPool, _ table: String) async throws -> Int {
        try await pool.query(PostgresQuery(unsafeSQL: "SELECT count(*) AS n FROM \(table)"))[0].decode("n")
    }

    @Test func createJobActionUsesTheSessionTenantAndAnswersTheOutputFields() async throws {
        try await TestService.withService(configure: Self.configure) { client, pool in
            let reply = try await Self.post(
                client,
                "/actions/createJob",
                try Self.fixture("action-createJob.request.json")
            )
            #expect(reply.status == 200, "\(reply.text)")
            #expect(Set(reply.json.keys) == ["id", "status", "nextRunAt"])
            #expect(reply.json["status"] as? String == "active")
            #expect((reply.json["nextRunAt"] as? String)?.hasSuffix("+03:00") == true, "Africa/Nairobi offset")
            let row = try await pool.query("SELECT tenant_id, created_by FROM job")[0]
            #expect(try row.decode("tenant_id", as: String.self) == "default")
            #expect(try row.decode("created_by", as: String?.self) == "17")
        }
    }

    @Test func missingOrWrongSecretIsRefusedBeforeAnythingIsWritten() async throws {
        try await TestService.withService(configure: Self.configure) { client, pool in
            let body = try Self.fixture("action-createJob.request.json")
            let missing = try await Self.post(client, "/actions/createJob", body, secret: nil)
            let wrong = try await Self.post(client, "/actions/createJob", body, secret: "not-the-secret-at-all")
            let event = try await Self.post(
                client,
                "/hasura/events/job-inserted",
                try Self.fixture("event-job-insert.request.json"),
                secret: "x"
            )
            for reply in [missing, wrong, event] {
                #expect(reply.status == 401)
                #expect((reply.json["extensions"] as? [String: Any])?["code"] as? String == "unauthorized")
            }
            #expect(try await Self.count(pool, "job") == 0)
        }
    }

    @Test func tenantsCannotReachEachOthersJobs() async throws {
        try await TestService.withService(configure: Self.configure) { client, pool in
            try await pool.query("INSERT INTO tenant (id, name) VALUES ('other', 'Other bank')")
            try await pool.query(
                """
                INSERT INTO job (id, name, job_type, status, tenant_id) VALUES
                    (\(UUID(uuidString: Self.fixtureJobID)!), 'default job', 'system_health_check', 'active', 'default'),
                    ('00000000-0000-0000-0000-0000000000aa', 'all tenants', 'system_health_check', 'active', NULL)
                """
            )
            let asOther = try Self.fixture("action-executeJob.request.json", replacing: ["\"default\"": "\"other\""])
            let denied = try await Self.post(client, "/actions/executeJob", asOther)
            #expect(denied.status == 404)
            #expect((denied.json["extensions"] as? [String: Any])?["code"] as? String == "job-not-found")
            let allTenants = try Self.fixture(
                "action-executeJob.request.json",
                replacing: [Self.fixtureJobID: "00000000-0000-0000-0000-0000000000aa"]
            )
            #expect(try await Self.post(client, "/actions/executeJob", allTenants).status == 404)
            let cancelAsOther = try Self.fixture(
                "action-executeJob.request.json",
                replacing: ["\"default\"": "\"other\"", "executeJob": "cancelJob"]
            )
            #expect(try await Self.post(client, "/actions/cancelJob", cancelAsOther).status == 404)
            let viewer = try Self.fixture(
                "action-executeJob.request.json",
                replacing: ["tenant_admin": "tenant_viewer"]
            )
            #expect(try await Self.post(client, "/actions/executeJob", viewer).status == 403)
            #expect(try await Self.count(pool, "job_execution") == 0)
            #expect(
                try await pool.query("SELECT count(*) AS n FROM job WHERE status = 'cancelled'")[0].decode(
                    "n",
                    as: Int.self
                ) == 0
            )

            let own = try await Self.post(
                client,
                "/actions/executeJob",
                try Self.fixture("action-executeJob.request.json")
            )
            #expect(own.status == 200, "\(own.text)")
            #expect(Set(own.json.keys) == ["executionId", "jobId", "status", "created"])
            let asynchronous = try await Self.post(
                client,
                "/actions/executeJob",
                try Self.fixture("action-executeJob-async.request.json")
            )
            #expect(asynchronous.status == 200, "\(asynchronous.text)")
        }
    }

    @Test func adminCancelsAnyJob() async throws {
        try await TestService.withService(configure: Self.configure) { client, pool in
            try await pool.query(
                """
                INSERT INTO job (id, name, job_type, status, tenant_id)
                VALUES (\(UUID(uuidString: Self.fixtureJobID)!), 'job', 'system_health_check', 'active', 'default')
                """
            )
            let reply = try await Self.post(
                client,
                "/actions/cancelJob",
                try Self.fixture("action-cancelJob.request.json")
            )
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.json["status"] as? String == "cancelled")
            let reason: String? = try await pool.query("SELECT status_reason FROM job")[0].decode("status_reason")
            #expect(reason == "superseded by manual run")
        }
    }

    @Test func insertEventActivatesTheJobOnceAndRedeliveryChangesNothing() async throws {
        try await TestService.withService(configure: Self.configure) { client, pool in
            try await pool.query(
                """
                INSERT INTO job (id, name, job_type, cron_expression, timezone, status, tenant_id)
                VALUES (\(UUID(uuidString: Self.fixtureJobID)!), 'COB', 'system_health_check', '0 0 1 * * ?',
                        'Africa/Nairobi', 'pending', 'default')
                """
            )
            let first = try await Self.post(
                client,
                "/hasura/events/job-inserted",
                try Self.fixture("event-job-insert.request.json")
            )
            #expect(first.status == 200, "\(first.text)")
            let activated = try await pool.query("SELECT status, next_run_at, updated_at FROM job")[0]
            #expect(try activated.decode("status", as: String.self) == "active")
            #expect(try activated.decode("next_run_at", as: Date?.self) != nil)
            let updatedAt: Date = try activated.decode("updated_at")

            for variant in ["event-job-insert-retry1.request.json", "event-job-insert.request.json"] {
                let again = try await Self.post(client, "/hasura/events/job-inserted", try Self.fixture(variant))
                #expect(again.status == 200)
                #expect(again.json["status"] as? String == "duplicate")
            }
            // A trailing Z on created_at (older engines) and null session variables change nothing either.
            let older = try Self.fixture(
                "event-job-insert.request.json",
                replacing: ["\"2024-05-01T10:00:00.123456\",": "\"2024-05-01T10:00:00.123456Z\","]
            )
            #expect(try await Self.post(client, "/hasura/events/job-inserted", older).status == 200)
            let after: Date = try await pool.query("SELECT updated_at FROM job")[0].decode("updated_at")
            #expect(after == updatedAt)
            #expect(try await Self.count(pool, "hasura_event_receipt") == 1)
        }
    }

    /// The fixture of a row written by SQL (no session variables) names job a7d41c2e.
    @Test func insertedJobThatBreaksARuleIsMarkedInvalid() async throws {
        try await TestService.withService(configure: Self.configure) { client, pool in
            try await pool.query(
                """
                INSERT INTO job (id, name, job_type, cron_expression, status, tenant_id)
                VALUES ('a7d41c2e-9f3b-4e6a-8c15-0b2d7e9f3a64', 'bad', 'system_health_check', '61 * * * *', 'pending',
                        'default')
                """
            )
            let reply = try await Self.post(
                client,
                "/hasura/events/job-inserted",
                try Self.fixture("event-job-insert-sql.request.json")
            )
            #expect(reply.status == 200, "\(reply.text)")
            let row = try await pool.query("SELECT status, status_reason FROM job")[0]
            #expect(try row.decode("status", as: String.self) == "invalid")
            #expect(try row.decode("status_reason", as: String?.self)?.contains("minute") == true)
        }
    }

    @Test func cronTriggerQueuesEveryTenantsJobOfTheTypeOnce() async throws {
        try await TestService.withService(configure: Self.configure) { client, pool in
            try await pool.query("INSERT INTO tenant (id, name) VALUES ('other', 'Other bank')")
            // Paused, so the node queues nothing itself and only the trigger's executions appear.
            try await pool.query(
                """
                INSERT INTO job (name, job_type, status, tenant_id) VALUES
                    ('eod default', 'end_of_day', 'paused', 'default'), ('eod other', 'end_of_day', 'paused', 'other')
                """
            )
            let tick = try Self.fixture("cron-job-scheduler-tick.request.json")
            let first = try await Self.post(client, "/hasura/cron", tick)
            #expect(first.status == 200, "\(first.text)")
            #expect((first.json["outcome"] as? String)?.hasPrefix("2 executions") == true)
            let again = try await Self.post(client, "/hasura/cron", tick)
            #expect(again.json["status"] as? String == "duplicate")
            // Only the trigger's own executions: the steps an end of day runs as its children are not counted.
            let rows = try await pool.query(
                "SELECT trigger, tenant_id FROM job_execution WHERE parent_execution_id IS NULL ORDER BY tenant_id"
            )
            #expect(try rows.map { try $0.decode("tenant_id", as: String.self) } == ["default", "other"])
            #expect(try rows.allSatisfy { try $0.decode("trigger", as: String.self) == "cron_trigger" })
        }
    }

    @Test func oneOffScheduledEventQueuesItsJob() async throws {
        try await TestService.withService(configure: Self.configure) { client, pool in
            try await pool.query(
                """
                INSERT INTO job (id, name, job_type, status, tenant_id)
                VALUES (\(UUID(uuidString: Self.fixtureJobID)!), 'job', 'system_health_check', 'paused', 'default')
                """
            )
            let event = try Self.fixture("scheduled-event-oneoff.request.json")
            #expect(try await Self.post(client, "/hasura/scheduled", event).status == 200)
            #expect(try await Self.post(client, "/hasura/scheduled", event).status == 200)
            #expect(try await Self.count(pool, "job_execution") == 1)
        }
    }
}

/// Where the shared Hasura fixtures are: `../shared/hasura/fixtures` beside the repository.
enum HasuraFixtures {
    static var folder: URL? {
        let folder = TestDatabase.repositoryRoot.deletingLastPathComponent()
            .appendingPathComponent("shared/hasura/fixtures")
        return FileManager.default.fileExists(atPath: folder.path) ? folder : nil
    }
}
