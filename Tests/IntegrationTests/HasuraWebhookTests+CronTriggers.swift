import Foundation
import JobsCore
import Postgres
import TestSupport
import Testing

/// The cron-trigger receiver and the payload keys it honours: `jobType`, with `tenantId` for one
/// tenant, or `allTenants: true` (as `hasura/metadata/cron_triggers.yaml` sends) for every tenant.
extension HasuraWebhookTests {
    /// End-of-day jobs, all paused so only a trigger queues them: one for each of the tenants `default`
    /// and `other`, one for all tenants, one of the deactivated tenant `closed`, a cancelled one, and a
    /// job of another type. `third` is an active tenant with no job at all.
    enum CronSeed {
        static let endOfDayDefault = UUID(uuidString: "00000000-0000-4000-8000-0000000c0001")!
        static let endOfDayOther = UUID(uuidString: "00000000-0000-4000-8000-0000000c0002")!
        static let endOfDayAllTenants = UUID(uuidString: "00000000-0000-4000-8000-0000000c0003")!
        static let endOfDayClosed = UUID(uuidString: "00000000-0000-4000-8000-0000000c0004")!
        static let endOfDayCancelled = UUID(uuidString: "00000000-0000-4000-8000-0000000c0005")!
        static let healthOther = UUID(uuidString: "00000000-0000-4000-8000-0000000c0006")!

        static func write(_ pool: PostgresPool) async throws {
            // Disabled, so the node leaves what the trigger queues in the queue for the test to read.
            try await pool.query(
                "INSERT INTO job_config (job_type, enabled) VALUES ('end_of_day', false), ('system_health_check', false)"
            )
            try await pool.query(
                """
                INSERT INTO tenant (id, name, active) VALUES
                    ('other', 'Other bank', true), ('third', 'Third bank', true), ('closed', 'Closed bank', false)
                """
            )
            try await pool.query(
                """
                INSERT INTO job (id, name, job_type, status, tenant_id) VALUES
                    (\(Self.endOfDayDefault), 'eod default', 'end_of_day', 'paused', 'default'),
                    (\(Self.endOfDayOther), 'eod other', 'end_of_day', 'paused', 'other'),
                    (\(Self.endOfDayAllTenants), 'eod all', 'end_of_day', 'paused', NULL),
                    (\(Self.endOfDayClosed), 'eod closed', 'end_of_day', 'paused', 'closed'),
                    (\(Self.endOfDayCancelled), 'eod cancelled', 'end_of_day', 'cancelled', 'other'),
                    (\(Self.healthOther), 'health other', 'system_health_check', 'paused', 'other')
                """
            )
        }
    }

    /// The cron fixture with its id and payload replaced.
    static func cronTick(id: UUID, payload: JSONValue) throws -> Data {
        let tick = try JSONValue(parsing: try Self.fixture("cron-job-scheduler-tick.request.json"))
        let body = tick.setting(["id"], to: .string(id.uuidString.lowercased())).setting(["payload"], to: payload)
        return Data(body.serialized().utf8)
    }

    /// The jobs that have an execution carrying the trigger event's idempotency key.
    static func jobsQueued(by eventID: UUID, _ pool: PostgresPool) async throws -> Set<UUID> {
        let rows = try await pool.query(
            """
            SELECT job_id FROM job_execution
            WHERE idempotency_key = \("hasura:" + eventID.uuidString.lowercased()) AND trigger = 'cron_trigger'
            """
        )
        return Set(try rows.map { try $0.decode("job_id", as: UUID.self) })
    }

    static func receipts(_ eventID: UUID, _ pool: PostgresPool) async throws -> [String] {
        let rows = try await pool.query("SELECT outcome FROM hasura_event_receipt WHERE event_id = \(eventID)")
        return try rows.map { try $0.decode("outcome", as: String.self) }
    }

    @Test func cronTriggerNamingATenantQueuesOnlyThatTenantsJobsOfTheType() async throws {
        try await TestService.withService(configure: Self.configure) { client, pool in
            try await CronSeed.write(pool)
            let event = UUID()
            let reply = try await Self.post(
                client,
                "/hasura/cron",
                try Self.cronTick(id: event, payload: ["jobType": "end_of_day", "tenantId": "other"])
            )
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.json["outcome"] as? String == "1 executions queued", "\(reply.text)")
            // Not the other tenants' jobs, not the job for all tenants, not the other tenant's job of
            // another type, and not its cancelled one.
            #expect(try await Self.jobsQueued(by: event, pool) == [CronSeed.endOfDayOther])
            let tenants = try await pool.query("SELECT DISTINCT tenant_id FROM job_execution")
            #expect(try tenants.map { try $0.decode("tenant_id", as: String?.self) } == ["other"])
            #expect(try await Self.receipts(event, pool) == ["1 executions queued"])
        }
    }

    /// The contract says nothing of a tenant that has no job of the type: the trigger queues the jobs
    /// that exist, so such a tenant gets no run, and the event is still handled (not retried).
    @Test func cronTriggerNamingATenantWithoutAJobOfTheTypeQueuesNothing() async throws {
        try await TestService.withService(configure: Self.configure) { client, pool in
            try await CronSeed.write(pool)
            let event = UUID()
            let reply = try await Self.post(
                client,
                "/hasura/cron",
                try Self.cronTick(id: event, payload: ["jobType": "end_of_day", "tenantId": "third"])
            )
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.json["status"] as? String == "handled")
            #expect(reply.json["outcome"] as? String == "0 executions queued", "\(reply.text)")
            #expect(try await Self.count(pool, "job_execution") == 0)
            #expect(try await Self.receipts(event, pool) == ["0 executions queued"])
        }
    }

    @Test func cronTriggerForAllTenantsQueuesTheJobsOfEveryActiveTenant() async throws {
        try await TestService.withService(configure: Self.configure) { client, pool in
            try await CronSeed.write(pool)
            for payload: JSONValue in [["jobType": "end_of_day", "allTenants": true], ["jobType": "end_of_day"]] {
                let event = UUID()
                let reply = try await Self.post(client, "/hasura/cron", try Self.cronTick(id: event, payload: payload))
                #expect(reply.status == 200, "\(payload): \(reply.text)")
                #expect(reply.json["outcome"] as? String == "3 executions queued", "\(payload): \(reply.text)")
                // The deactivated tenant's job stays out, though the trigger runs paused jobs.
                let expected: Set = [CronSeed.endOfDayDefault, CronSeed.endOfDayOther, CronSeed.endOfDayAllTenants]
                #expect(try await Self.jobsQueued(by: event, pool) == expected, "\(payload)")
            }
        }
    }

    /// Each of these payloads, read loosely, would queue the job for every tenant; each is refused with
    /// a non-2xx answer and leaves no receipt, so the same event with its payload mended is handled.
    @Test func cronPayloadThatContradictsItselfIsRefusedAndQueuesNothing() async throws {
        try await TestService.withService(configure: Self.configure) { client, pool in
            try await CronSeed.write(pool)
            let event = UUID()
            let refused: [JSONValue] = [
                ["jobType": "end_of_day", "tenantId": "other", "allTenants": true],
                ["jobType": "end_of_day", "allTenants": false],
                ["jobType": "end_of_day", "allTenants": "false"],
                ["jobType": "end_of_day", "tenantId": 7],
                ["jobType": "end_of_day", "tenantId": ""],
                .null,
            ]
            for payload in refused {
                let reply = try await Self.post(client, "/hasura/cron", try Self.cronTick(id: event, payload: payload))
                #expect(reply.status == 400, "\(payload): \(reply.text)")
                #expect(reply.json["error"] is String, "\(payload): \(reply.text)")
            }
            #expect(try await Self.count(pool, "job_execution") == 0)
            #expect(try await Self.count(pool, "hasura_event_receipt") == 0)

            let mended = try await Self.post(
                client,
                "/hasura/cron",
                try Self.cronTick(id: event, payload: ["jobType": "end_of_day", "tenantId": "other"])
            )
            #expect(mended.status == 200, "\(mended.text)")
            #expect(mended.json["status"] as? String == "handled")
            #expect(try await Self.jobsQueued(by: event, pool) == [CronSeed.endOfDayOther])
        }
    }
}
