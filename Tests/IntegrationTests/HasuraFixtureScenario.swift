import Foundation
import JobsCore
import Postgres

/// One request file of the shared Hasura fixtures, as this project receives it: the route its metadata
/// names, what the database holds when it arrives, and (in `+Outcomes`) what must come of it.
///
/// The raw values are the file names in `manifest.json`, so a fixture the manifest lists without a
/// scenario here cannot be replayed, and the replay suite fails on it.
enum HasuraFixtureScenario: String, CaseIterable, Sendable {
    case createJob = "action-createJob.request.json"
    case executeJob = "action-executeJob.request.json"
    case cancelJob = "action-cancelJob.request.json"
    case executeJobAsync = "action-executeJob-async.request.json"
    case jobInserted = "event-job-insert.request.json"
    case jobInsertedRetry = "event-job-insert-retry1.request.json"
    case jobInsertedBySQL = "event-job-insert-sql.request.json"
    case cronTick = "cron-job-scheduler-tick.request.json"
    case oneOffEvent = "scheduled-event-oneoff.request.json"

    /// The three envelopes Hasura sends.
    enum Kind: Sendable {
        case action
        case eventTrigger
        case scheduledEvent
    }

    /// The job the action and one-off fixtures name.
    static let fixtureJobID = UUID(uuidString: HasuraWebhookTests.fixtureJobID)!
    /// End-of-day jobs for the cron tick: two the tick must queue, and two it must leave alone (a
    /// cancelled one, and one of another type).
    static let endOfDayDefault = UUID(uuidString: "00000000-0000-4000-8000-00000000e0d1")!
    static let endOfDayOther = UUID(uuidString: "00000000-0000-4000-8000-00000000e0d2")!
    static let endOfDayCancelled = UUID(uuidString: "00000000-0000-4000-8000-00000000e0d3")!
    static let bystander = UUID(uuidString: "00000000-0000-4000-8000-00000000b0b0")!

    var kind: Kind {
        switch self {
        case .createJob, .executeJob, .cancelJob, .executeJobAsync: .action
        case .jobInserted, .jobInsertedRetry, .jobInsertedBySQL: .eventTrigger
        case .cronTick, .oneOffEvent: .scheduledEvent
        }
    }

    /// The path `hasura/metadata` sends this request to (the manifest's paths are only suggestions).
    var route: String {
        switch self {
        case .createJob: "/actions/createJob"
        case .executeJob, .executeJobAsync: "/actions/executeJob"
        case .cancelJob: "/actions/cancelJob"
        case .jobInserted, .jobInsertedRetry, .jobInsertedBySQL: "/hasura/events/job-inserted"
        case .cronTick: "/hasura/cron"
        case .oneOffEvent: "/hasura/scheduled"
        }
    }

    /// The fixture's body with this project's role and job-type names in place of the illustrative ones.
    func body() throws -> JSONValue {
        // Only job types this service has workers for pass validation; the SQL fixture's type is illustrative.
        let data = try HasuraWebhookTests.fixture(
            self.rawValue,
            replacing: ["\"savings_interest_posting\"": "\"system_health_check\""]
        )
        return try JSONValue(parsing: data)
    }

    // MARK: - The database before the request

    /// Writes what the database holds when Hasura's request arrives.
    ///
    /// Every job type the scenarios use is disabled in `job_config`, so the node holds queued executions
    /// in the queue instead of running them: between two snapshots only the request under test writes.
    func seed(_ pool: PostgresPool, body: JSONValue) async throws {
        try await pool.query(
            """
            INSERT INTO job_config (job_type, enabled)
            VALUES ('system_health_check', false), ('end_of_day', false), ('end_of_month', false)
            """
        )
        try await pool.query("INSERT INTO tenant (id, name) VALUES ('other', 'Other bank')")
        switch self {
        case .createJob:
            break
        case .executeJob, .executeJobAsync:
            try await Self.insertJob(pool, id: Self.fixtureJobID, type: "system_health_check", status: "active")
        case .cancelJob:
            try await Self.insertJob(pool, id: Self.fixtureJobID, type: "system_health_check", status: "active")
            try await pool.query(
                """
                INSERT INTO job_execution (
                    job_id, tenant_id, job_type, priority, trigger, max_attempts, timeout_seconds)
                VALUES (\(Self.fixtureJobID), 'default', 'system_health_check', 2, 'manual', 4, 3600)
                """
            )
        case .jobInserted, .jobInsertedRetry, .jobInsertedBySQL:
            // The row Hasura (or SQL) inserted, exactly as the event carries it.
            let row = PostgresJSON(text: (body["event"]?["data"]?["new"] ?? .null).serialized())
            try await pool.query(
                """
                INSERT INTO job (id, name, description, job_type, cron_expression, timezone, execution_interval,
                                 priority, parameters, max_retries, timeout_seconds, tenant_id, status, next_run_at,
                                 created_by, created_at, updated_at)
                SELECT id, name, description, job_type, cron_expression, timezone, execution_interval, priority,
                       parameters, max_retries, timeout_seconds, tenant_id, status, next_run_at, created_by,
                       created_at, updated_at
                FROM jsonb_populate_record(NULL::job, \(row)::jsonb)
                """
            )
        case .cronTick:
            try await Self.insertJob(pool, id: Self.endOfDayDefault, type: "end_of_day", status: "paused")
            try await Self.insertJob(
                pool,
                id: Self.endOfDayOther,
                type: "end_of_day",
                status: "paused",
                tenant: "other"
            )
            try await Self.insertJob(pool, id: Self.endOfDayCancelled, type: "end_of_day", status: "cancelled")
            try await Self.insertJob(pool, id: Self.bystander, type: "system_health_check", status: "paused")
        case .oneOffEvent:
            try await Self.insertJob(pool, id: Self.fixtureJobID, type: "system_health_check", status: "paused")
            try await Self.insertJob(pool, id: Self.bystander, type: "system_health_check", status: "paused")
        }
    }

    /// A job without a schedule, so the node's scheduler never touches it.
    private static func insertJob(
        _ pool: PostgresPool,
        id: UUID,
        type: String,
        status: String,
        tenant: String = "default"
    ) async throws {
        try await pool.query(
            """
            INSERT INTO job (id, name, job_type, status, tenant_id, priority, parameters, max_retries, timeout_seconds)
            VALUES (\(id), 'seeded job', \(type), \(status), \(tenant), 'high', '{"catchUp": true}', 3, 3600)
            """
        )
    }

    /// The jobs the cron tick or one-off event must queue an execution for.
    var jobsToQueue: Set<UUID> {
        switch self {
        case .cronTick: [Self.endOfDayDefault, Self.endOfDayOther]
        case .oneOffEvent: [Self.fixtureJobID]
        default: []
        }
    }
}
