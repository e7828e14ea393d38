import Foundation
import JobsCore
import JobsServer
import Postgres
import TestSupport
import Testing

/// The Hasura routes when they are off, and an event whose work fails: Hasura must see a failure,
/// and its next delivery must find nothing half done.
extension HasuraWebhookTests {
    /// Each Hasura route with a fixture that writes something when the routes are on.
    static let routesAndFixtures = [
        ("/actions/createJob", "action-createJob.request.json"),
        ("/actions", "action-createJob.request.json"),
        ("/actions/executeJob", "action-executeJob.request.json"),
        ("/actions/cancelJob", "action-cancelJob.request.json"),
        ("/hasura/events/job-inserted", "event-job-insert.request.json"),
        ("/hasura/cron", "cron-job-scheduler-tick.request.json"),
        ("/hasura/scheduled", "scheduled-event-oneoff.request.json"),
    ]

    /// With no `SCHEDULER_WEBHOOK_SECRET` there is no secret to check Hasura's calls against, so the
    /// routes do not exist: 404 whatever secret the caller sends, and nothing written.
    @Test func withoutASecretConfiguredTheHasuraRoutesAreNotFound() async throws {
        try await TestService.withService { client, pool in
            try await pool.query(
                """
                INSERT INTO job (id, name, job_type, cron_expression, timezone, status, tenant_id) VALUES
                    (\(UUID(uuidString: Self.fixtureJobID)!), 'COB', 'system_health_check', '0 0 1 * * ?',
                     'Africa/Nairobi', 'pending', 'default'),
                    ('00000000-0000-4000-8000-0000000c0001', 'eod', 'end_of_day', NULL, NULL, 'paused', 'default')
                """
            )
            let before = try await DatabaseSnapshot.take(pool)
            for (route, fixture) in Self.routesAndFixtures {
                for secret in [Self.secret, nil] {
                    let reply = try await Self.post(client, route, try Self.fixture(fixture), secret: secret)
                    #expect(reply.status == 404, "\(route): \(reply.text)")
                    #expect(reply.errorCode == "not_found", "\(route): \(reply.text)")
                    #expect(reply.errorMessage?.contains("SCHEDULER_WEBHOOK_SECRET") == true, "\(route)")
                }
            }
            let after = try await DatabaseSnapshot.take(pool)
            #expect(after == before, Comment(rawValue: after.difference(from: before)))
            // The REST API is not affected.
            #expect(try await client.get("/jobs/\(Self.fixtureJobID)").status == 200)
        }
    }

    /// A way the work of an insert event fails for real, and how the cause is then removed.
    struct EventFailure: Sendable, CustomTestStringConvertible {
        var label: String
        /// The job's own time zone, as inserted.
        var timezone: String?
        var breakSQL: [String]
        var mendSQL: [String]

        var testDescription: String { self.label }
    }

    static let eventFailures = [
        // The job itself breaks no rule, so it must not be marked invalid; its schedule cannot be read
        // until the tenant's zone is mended.
        EventFailure(
            label: "the tenant's time zone is not an IANA name",
            timezone: nil,
            breakSQL: ["UPDATE tenant SET timezone = 'Mars/Olympus' WHERE id = 'default'"],
            mendSQL: ["UPDATE tenant SET timezone = 'Africa/Nairobi' WHERE id = 'default'"]
        ),
        EventFailure(
            label: "the database refuses the update of the job",
            timezone: "Africa/Nairobi",
            breakSQL: [
                """
                CREATE FUNCTION refuse_job_update() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'job updates are refused for this test'; END $$
                """,
                """
                CREATE TRIGGER refuse_job_update BEFORE UPDATE ON job
                FOR EACH ROW EXECUTE FUNCTION refuse_job_update()
                """,
            ],
            mendSQL: ["DROP TRIGGER refuse_job_update ON job"]
        ),
    ]

    @Test(arguments: Self.eventFailures)
    func insertEventWhoseWorkFailsIsRetriedAndTheRetryDoesTheWork(_ failure: EventFailure) async throws {
        try await TestService.withService(configure: Self.configure) { client, pool in
            try await pool.query(
                """
                INSERT INTO job (id, name, job_type, cron_expression, timezone, status, tenant_id)
                VALUES (\(UUID(uuidString: Self.fixtureJobID)!), 'COB', 'system_health_check', '0 0 1 * * ?',
                        \(failure.timezone), 'pending', 'default')
                """
            )
            for statement in failure.breakSQL {
                try await pool.query(PostgresQuery(unsafeSQL: statement))
            }
            let before = try await DatabaseSnapshot.take(pool)
            let failed = try await Self.post(
                client,
                "/hasura/events/job-inserted",
                try Self.fixture("event-job-insert.request.json")
            )
            // Any answer outside 2xx makes Hasura deliver again; a 4xx would do, but this is no fault of
            // the request, and the answer must not claim the work was done.
            #expect(failed.status == 500, "\(failed.text)")
            #expect(failed.json["status"] == nil, "\(failed.text)")
            let after = try await DatabaseSnapshot.take(pool)
            #expect(after == before, "nothing half done: \(after.difference(from: before))")
            #expect(try await Self.count(pool, "hasura_event_receipt") == 0)

            for statement in failure.mendSQL {
                try await pool.query(PostgresQuery(unsafeSQL: statement))
            }
            let sentAt = Date()
            let retried = try await Self.post(
                client,
                "/hasura/events/job-inserted",
                try Self.fixture("event-job-insert-retry1.request.json")
            )
            let answeredAt = Date()
            #expect(retried.status == 200, "\(retried.text)")
            #expect(retried.json["status"] as? String == "handled", "\(retried.text)")
            #expect(retried.json["outcome"] as? String == "job activated", "\(retried.text)")
            let job = try await pool.query("SELECT status, timezone, next_run_at FROM job")[0]
            #expect(try job.decode("status", as: String.self) == "active")
            // A job inserted with no zone takes its tenant's, now mended.
            #expect(try job.decode("timezone", as: String?.self) == "Africa/Nairobi")
            let fires = try #require(
                FixtureFireTimes.firstRun(
                    cron: "0 0 1 * * ?",
                    timeZone: "Africa/Nairobi",
                    computedWithin: sentAt...answeredAt
                )
            )
            let nextRunAt = try job.decode("next_run_at", as: Date?.self)
            #expect(nextRunAt.map(fires.contains) == true, "next_run_at \(String(describing: nextRunAt)) of \(fires)")
            let receipts = try await pool.query("SELECT kind, outcome FROM hasura_event_receipt")
            #expect(receipts.count == 1)
            #expect(try receipts.first?.decode("outcome", as: String.self) == "job activated")
        }
    }
}
