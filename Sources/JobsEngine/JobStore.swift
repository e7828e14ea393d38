public import Foundation
public import JobsCore
public import Postgres

/// Every SQL statement about jobs and their executions, and nothing else.
///
/// Decisions that must hold across nodes are made by the database: unique keys, guarded updates,
/// row locks and `now()`, never by this process's clock or memory.
public struct JobStore: Sendable {
    public let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    static let jobColumns = """
        id, name, description, job_type, cron_expression, timezone, execution_interval, start_at, priority,
        parameters, max_retries, timeout_seconds, tenant_id, status, status_reason, misfire_policy, allow_overlap,
        next_run_at, last_run_at, created_by, created_at, updated_at
        """

    static let executionColumns = """
        id, job_id, parent_execution_id, tenant_id, job_type, priority, status, trigger, fire_time, is_catch_up,
        parameters, attempt, max_attempts, run_after, timeout_seconds, node_id, idempotency_key, cancel_requested,
        progress_done, progress_total, result, error, error_code, queued_at, started_at, finished_at, child_key
        """

    // MARK: - Jobs

    /// Inserts a validated job with the given status and first fire time.
    public func insertJob(_ definition: JobDefinition, status: JobStatus, nextRunAt: Date?) async throws -> Job {
        let parameters = PostgresJSON(text: JSONValue.object(definition.parameters).serialized())
        let rows = try await self.pool.query(
            """
            INSERT INTO job (
                name, description, job_type, cron_expression, timezone, execution_interval, start_at, priority,
                parameters, max_retries, timeout_seconds, tenant_id, status, misfire_policy, allow_overlap,
                next_run_at, created_by)
            VALUES (
                \(definition.name), \(definition.description), \(definition.jobType.rawValue),
                \(definition.cronExpression), \(definition.timezone), \(definition.executionInterval?.rawValue),
                \(definition.startAt)::timestamptz, \(definition.priority.rawValue), \(parameters)::jsonb,
                \(definition.maxRetries), \(definition.timeoutSeconds), \(definition.tenantID), \(status.rawValue),
                \(definition.misfirePolicy.rawValue), \(definition.allowOverlap), \(nextRunAt)::timestamptz,
                \(definition.createdBy))
            RETURNING \(unescaped: Self.jobColumns)
            """
        )
        return try Self.decodeJob(rows[0])
    }

    /// The job with `id`, if it exists.
    public func job(id: UUID) async throws -> Job? {
        let rows = try await self.pool.query("SELECT \(unescaped: Self.jobColumns) FROM job WHERE id = \(id)")
        return try rows.first.map(Self.decodeJob)
    }

    /// Which jobs a listing returns.
    public struct JobFilter: Sendable, Hashable {
        public var status: JobStatus?
        public var jobType: JobType?
        /// Jobs of this tenant only; see `includeAllTenantJobs`.
        public var tenantID: String?
        /// With a tenant filter, whether jobs for all tenants (tenant NULL) are listed too.
        public var includeAllTenantJobs: Bool
        public var limit: Int
        public var offset: Int

        public init(
            status: JobStatus? = nil,
            jobType: JobType? = nil,
            tenantID: String? = nil,
            includeAllTenantJobs: Bool = false,
            limit: Int = 50,
            offset: Int = 0
        ) {
            self.status = status
            self.jobType = jobType
            self.tenantID = tenantID
            self.includeAllTenantJobs = includeAllTenantJobs
            self.limit = limit
            self.offset = offset
        }
    }

    /// One page of jobs, newest first, with the total that match.
    public func jobs(matching filter: JobFilter) async throws -> (jobs: [Job], total: Int) {
        // One statement: the total rides on every row, and on a single empty row when the page is
        // past the end, so an empty page still reports it.
        let rows = try await self.pool.query(
            """
            WITH matching AS (
                SELECT * FROM job
                WHERE (\(filter.status?.rawValue)::text IS NULL OR status = \(filter.status?.rawValue))
                  AND (\(filter.jobType?.rawValue)::text IS NULL OR job_type = \(filter.jobType?.rawValue))
                  AND (\(filter.tenantID)::text IS NULL OR tenant_id = \(filter.tenantID)
                       OR (\(filter.includeAllTenantJobs) AND tenant_id IS NULL))
            ), page AS (
                SELECT * FROM matching ORDER BY created_at DESC, id LIMIT \(filter.limit) OFFSET \(filter.offset)
            )
            SELECT total.total_count, \(unescaped: Self.pageColumns)
            FROM (SELECT count(*) AS total_count FROM matching) AS total
            LEFT JOIN page ON true
            ORDER BY page.created_at DESC, page.id
            """
        )
        let total = try rows.first?.decode("total_count", as: Int.self) ?? 0
        let jobs = try rows.filter { try $0.decode("id", as: UUID?.self) != nil }.map(Self.decodeJob)
        return (jobs, total)
    }

    /// The job columns qualified with the `page` alias of the listing statement.
    static let pageColumns = qualified(jobColumns, by: "page")

    /// A column list with every column prefixed by `alias`, for statements that join tables.
    static func qualified(_ columns: String, by alias: String) -> String {
        columns
            .split(separator: ",")
            .map { alias + "." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .joined(separator: ", ")
    }

    /// The time zone of the active tenant `id`, or nil when no such tenant is active.
    public func activeTenantTimeZone(_ id: String) async throws -> String? {
        let rows = try await self.pool.query("SELECT timezone FROM tenant WHERE id = \(id) AND active")
        return try rows.first?.decode("timezone", as: String.self)
    }

    // MARK: - Executions

    /// The most recent top-level executions of a job, newest first, each with its attempts and
    /// children.
    public func recentExecutions(jobID: UUID, limit: Int) async throws -> [JobExecution] {
        let rows = try await self.pool.query(
            """
            SELECT \(unescaped: Self.executionColumns) FROM job_execution
            WHERE job_id = \(jobID) AND parent_execution_id IS NULL
            ORDER BY queued_at DESC, id
            LIMIT \(limit)
            """
        )
        var executions = try rows.map(Self.decodeExecution)
        guard !executions.isEmpty else { return [] }
        let ids = PostgresArray(executions.map { $0.id.uuidString.lowercased() })
        let attemptRows = try await self.pool.query(Self.attemptsQuery(ids))
        var attempts: [UUID: [ExecutionAttempt]] = [:]
        for row in attemptRows {
            attempts[try row.decode("execution_id", as: UUID.self), default: []].append(try Self.decodeAttempt(row))
        }
        let children = try await self.children(ofAny: ids)
        for index in executions.indices {
            executions[index].attempts = attempts[executions[index].id] ?? []
            executions[index].children = children[executions[index].id] ?? []
        }
        return executions
    }

    /// The attempts of the given executions, by execution and number: the ended ones from their rows,
    /// and a running one from the lease it runs under, since its row is written when it ends.
    static func attemptsQuery(_ executionIDs: PostgresArray) -> PostgresQuery {
        """
        SELECT execution_id, attempt, node_id, status, started_at, finished_at, error, error_code
        FROM job_execution_attempt
        WHERE execution_id = ANY(\(executionIDs)::uuid[])
        UNION ALL
        SELECT l.execution_id, e.attempt, l.node_id, 'running', l.acquired_at, NULL, NULL, NULL
        FROM job_lock l JOIN job_execution e ON e.id = l.execution_id
        WHERE l.execution_id = ANY(\(executionIDs)::uuid[])
          AND NOT EXISTS (
              SELECT 1 FROM job_execution_attempt a WHERE a.execution_id = e.id AND a.attempt = e.attempt)
        ORDER BY execution_id, attempt
        """
    }

    /// The children of the given executions, by parent, in key order.
    private func children(ofAny parentIDs: PostgresArray) async throws -> [UUID: [JobExecution]] {
        let rows = try await self.pool.query(
            """
            SELECT \(unescaped: Self.executionColumns) FROM job_execution
            WHERE parent_execution_id = ANY(\(parentIDs)::uuid[])
            ORDER BY parent_execution_id, child_key
            """
        )
        var children: [UUID: [JobExecution]] = [:]
        for row in rows {
            let child = try Self.decodeExecution(row)
            if let parent = child.parentExecutionID {
                children[parent, default: []].append(child)
            }
        }
        return children
    }

    /// The execution with `id` and its attempts.
    public func execution(id: UUID) async throws -> JobExecution? {
        let rows = try await self.pool.query(
            "SELECT \(unescaped: Self.executionColumns) FROM job_execution WHERE id = \(id)"
        )
        guard var execution = try rows.first.map(Self.decodeExecution) else { return nil }
        let attemptRows = try await self.pool.query(Self.attemptsQuery(PostgresArray([id.lowercasedText])))
        execution.attempts = try attemptRows.map(Self.decodeAttempt)
        execution.children = try await self.children(ofAny: PostgresArray([id.uuidString.lowercased()]))[id] ?? []
        return execution
    }
}
