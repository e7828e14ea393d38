import Foundation
import JobsCore
import Postgres

/// What one scheduling pass did.
public struct SchedulingPass: Sendable, Hashable {
    /// Jobs whose schedule was looked at.
    public var jobsExamined = 0
    /// Executions inserted (a fire time another node already queued is not counted).
    public var executionsQueued = 0
    /// Jobs whose stored schedule could not be read and were marked invalid.
    public var jobsInvalidated = 0
}

extension JobStore {
    /// Turns due fire times into executions, for at most `limit` jobs, in one transaction.
    ///
    /// Runs on every node at once without a leader: due jobs are locked with `SKIP LOCKED`, so each
    /// is planned by one node at a time; each execution is keyed by `(job, fire time)` and inserted
    /// with `ON CONFLICT DO NOTHING`; and the job's next run advances by an update guarded on the
    /// value that was read. Time is the database's `now()`, never this process's clock.
    public func scheduleDueJobs(
        limit: Int,
        misfireThreshold: Duration,
        catchUpLimit: Int
    ) async throws -> SchedulingPass {
        try await self.pool.withTransaction { connection in
            let rows = try await connection.query(
                """
                SELECT \(unescaped: Self.qualifiedJobColumns), tenant.timezone AS tenant_timezone, now() AS db_now
                FROM job LEFT JOIN tenant ON tenant.id = job.tenant_id
                WHERE job.status = 'active'
                  AND (job.next_run_at <= now()
                       OR (job.next_run_at IS NULL
                           AND (job.cron_expression IS NOT NULL OR job.execution_interval IS NOT NULL)))
                ORDER BY job.next_run_at NULLS FIRST
                LIMIT \(limit)
                FOR UPDATE OF job SKIP LOCKED
                """
            )
            var pass = SchedulingPass()
            for row in rows {
                pass.jobsExamined += 1
                let job = try Self.decodeJob(row)
                let now: Date = try row.decode("db_now")
                let schedule: Schedule?
                do {
                    schedule = try JobSchedule.make(
                        cronExpression: job.cronExpression,
                        executionInterval: job.executionInterval,
                        startAt: job.startAt,
                        timezone: job.timezone,
                        tenantTimeZone: try row.decode("tenant_timezone"),
                        createdAt: job.createdAt
                    )
                } catch let error as ValidationError {
                    try await connection.query(
                        """
                        UPDATE job SET status = 'invalid', status_reason = \(error.description), next_run_at = NULL,
                            updated_at = now()
                        WHERE id = \(job.id)
                        """
                    )
                    pass.jobsInvalidated += 1
                    continue
                }
                guard let schedule else { continue }
                guard let dueAt = job.nextRunAt else {
                    // A new or changed schedule: find its first run from now on.
                    let first = JobSchedule.firstRun(of: schedule, interval: job.executionInterval, after: now)
                    try await self.advance(job, to: first, on: connection)
                    continue
                }
                let plan = FirePlan.make(
                    schedule: schedule,
                    dueAt: dueAt,
                    now: now,
                    policy: job.misfirePolicy,
                    misfireThreshold: misfireThreshold,
                    catchUpLimit: catchUpLimit
                )
                pass.executionsQueued += try await self.insertScheduledExecutions(for: job, plan.fires, on: connection)
                try await self.advance(job, to: plan.nextRunAt, on: connection)
            }
            return pass
        }
    }

    /// Seconds until the earliest stored next run of an active job (negative when one is overdue),
    /// or nil when no active job has one.
    public func secondsUntilNextRun() async throws -> Double? {
        let rows = try await self.pool.query(
            """
            SELECT extract(epoch FROM min(next_run_at) - now())::float8 AS wait
            FROM job WHERE status = 'active'
            """
        )
        return try rows.first?.decode("wait", as: Double?.self)
    }

    private func insertScheduledExecutions(
        for job: Job,
        _ fires: [FirePlan.Fire],
        on connection: PostgresConnection
    ) async throws -> Int {
        guard !fires.isEmpty else { return 0 }
        let fireTimes = PostgresArray(fires.map { $0.fireTime.postgresText })
        let catchUps = PostgresArray(fires.map { $0.isCatchUp ? "t" : "f" })
        let parameters = PostgresJSON(text: JSONValue.object(job.parameters).serialized())
        let rows = try await connection.query(
            """
            INSERT INTO job_execution (
                job_id, tenant_id, job_type, priority, trigger, fire_time, is_catch_up, parameters, max_attempts,
                timeout_seconds)
            SELECT \(job.id), \(job.tenantID), \(job.jobType.rawValue), \(job.priority.rank), 'schedule',
                   fire.fire_time, fire.is_catch_up, \(parameters)::jsonb, \(job.maxRetries + 1), \(job.timeoutSeconds)
            FROM unnest(\(fireTimes)::timestamptz[], \(catchUps)::boolean[]) AS fire (fire_time, is_catch_up)
            ON CONFLICT (job_id, fire_time) WHERE fire_time IS NOT NULL DO NOTHING
            """
        )
        return rows.affectedRows
    }

    /// Stores the next run; a job whose schedule has ended is completed.
    private func advance(_ job: Job, to nextRunAt: Date?, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            UPDATE job
            SET next_run_at = \(nextRunAt)::timestamptz,
                status = CASE WHEN \(nextRunAt)::timestamptz IS NULL THEN 'completed' ELSE status END,
                updated_at = now()
            WHERE id = \(job.id) AND next_run_at IS NOT DISTINCT FROM \(job.nextRunAt)::timestamptz
            """
        )
    }

    static let qualifiedJobColumns = qualified(jobColumns, by: "job")
}
