public import Foundation
public import JobsCore
import Postgres

/// What handling a Hasura event did.
public enum EventReceipt: Sendable, Equatable {
    /// The event was handled now; the text says how.
    case handled(String)
    /// The event id was seen before; nothing was done again.
    case duplicate(String)
}

extension JobStore {
    /// Activates a job inserted outside the service (through Hasura GraphQL or SQL), once per event.
    ///
    /// In one transaction: the event id is recorded (a redelivery stops here), the job is locked,
    /// and a `pending` job becomes `active` with its first run, or `invalid` with the reason that
    /// `validate` gives. A job that is no longer pending is left alone, so a new event for the same
    /// row (a manual redelivery) is harmless too. An activated job with no time zone of its own takes
    /// its tenant's, as one created through `JobManager.createJob` does.
    ///
    /// Anything `firstRun` throws, and any refusal of the database, rolls the whole transaction back,
    /// the receipt included, so Hasura's next delivery of the event does the work.
    public func activateInsertedJob(
        eventID: UUID,
        jobID: UUID,
        validate: @Sendable (Job, _ tenantTimeZone: String?) async throws -> ValidationError?,
        firstRun: @Sendable (Job, _ tenantTimeZone: String?) throws -> Date?
    ) async throws -> EventReceipt {
        try await self.pool.withTransaction { connection in
            if let previous = try await Self.recordReceipt(eventID, kind: "job_inserted", on: connection) {
                return .duplicate(previous)
            }
            let rows = try await connection.query(
                """
                SELECT \(unescaped: Self.qualifiedJobColumns), tenant.timezone AS tenant_timezone
                FROM job LEFT JOIN tenant ON tenant.id = job.tenant_id AND tenant.active
                WHERE job.id = \(jobID) FOR UPDATE OF job
                """
            )
            let outcome: String
            if let row = rows.first {
                let job = try Self.decodeJob(row)
                let tenantTimeZone: String? = try row.decode("tenant_timezone")
                if job.status != .pending {
                    outcome = "job already \(job.status.rawValue)"
                } else if let problem = try await validate(job, tenantTimeZone) {
                    try await connection.query(
                        """
                        UPDATE job SET status = 'invalid', status_reason = \(problem.description), updated_at = now()
                        WHERE id = \(jobID)
                        """
                    )
                    outcome = "job invalid: \(problem.description)"
                } else {
                    let next = try firstRun(job, tenantTimeZone)
                    try await connection.query(
                        """
                        UPDATE job
                        SET status = CASE WHEN \(next)::timestamptz IS NULL AND (cron_expression IS NOT NULL
                                                OR execution_interval IS NOT NULL) THEN 'completed' ELSE 'active' END,
                            next_run_at = \(next)::timestamptz, timezone = COALESCE(timezone, \(tenantTimeZone)),
                            status_reason = NULL, updated_at = now()
                        WHERE id = \(jobID)
                        """
                    )
                    outcome = "job activated"
                }
            } else {
                outcome = "no such job"
            }
            try await connection.query(
                "UPDATE hasura_event_receipt SET outcome = \(outcome) WHERE event_id = \(eventID)"
            )
            return .handled(outcome)
        }
    }

    /// Queues executions for a Hasura cron trigger or scheduled event, once per event: of the job
    /// `jobID`, or of every active job of `jobType` (for `tenantID`, or for every tenant when nil).
    ///
    /// Jobs of a deactivated tenant are left out: deactivating a tenant stops its work, and a
    /// nightly trigger for all tenants must not start it again.
    ///
    /// - Returns: the receipt, with the number of executions queued in its text.
    public func enqueueForTrigger(
        eventID: UUID,
        kind: String,
        jobID: UUID?,
        jobType: JobType?,
        tenantID: String?
    ) async throws -> EventReceipt {
        try await self.pool.withTransaction { connection in
            if let previous = try await Self.recordReceipt(eventID, kind: kind, on: connection) {
                return .duplicate(previous)
            }
            let key = "hasura:\(eventID.uuidString.lowercased())"
            let rows = try await connection.query(
                """
                INSERT INTO job_execution (
                    job_id, tenant_id, job_type, priority, trigger, fire_time, parameters, max_attempts,
                    timeout_seconds, idempotency_key)
                SELECT job.id, job.tenant_id, job.job_type,
                       CASE job.priority WHEN 'low' THEN 0 WHEN 'medium' THEN 1 WHEN 'high' THEN 2 ELSE 3 END,
                       'cron_trigger', NULL, job.parameters, job.max_retries + 1, job.timeout_seconds, \(key)
                FROM job
                WHERE job.status IN ('active', 'paused', 'completed')
                  AND (\(jobID)::uuid IS NULL OR job.id = \(jobID))
                  AND (\(jobType?.rawValue)::text IS NULL OR job.job_type = \(jobType?.rawValue))
                  AND (\(tenantID)::text IS NULL OR job.tenant_id = \(tenantID))
                  AND (job.tenant_id IS NULL
                       OR EXISTS (SELECT 1 FROM tenant WHERE tenant.id = job.tenant_id AND tenant.active))
                ON CONFLICT (job_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
                """
            )
            let outcome = "\(rows.affectedRows) executions queued"
            try await connection.query(
                "UPDATE hasura_event_receipt SET outcome = \(outcome) WHERE event_id = \(eventID)"
            )
            return .handled(outcome)
        }
    }

    /// Records an event id; returns the earlier outcome when it was recorded before.
    private static func recordReceipt(
        _ eventID: UUID,
        kind: String,
        on connection: PostgresConnection
    ) async throws -> String? {
        let inserted = try await connection.query(
            """
            INSERT INTO hasura_event_receipt (event_id, kind, outcome) VALUES (\(eventID), \(kind), 'in progress')
            ON CONFLICT (event_id) DO NOTHING
            RETURNING event_id
            """
        )
        guard inserted.isEmpty else { return nil }
        let previous = try await connection.query(
            "SELECT outcome FROM hasura_event_receipt WHERE event_id = \(eventID)"
        )
        return try previous.first?.decode("outcome", as: String.self) ?? "seen before"
    }
}
