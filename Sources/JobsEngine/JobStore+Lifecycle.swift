public import Foundation
public import JobsCore
import Postgres

/// A queued execution this node has claimed, with the lease that proves it may run it.
public struct ClaimedExecution: Sendable {
    public var execution: JobExecution
    /// Grows with every claim; a completion must present the token of the current lease.
    public var fencingToken: Int64
}

/// How an attempt ended, as the processor reports it.
public enum AttemptOutcome: Sendable, Equatable {
    case succeeded(JSONValue)
    /// The worker failed; `isRetryable` false means no further attempt whatever is left.
    case failed(message: String, code: String, isRetryable: Bool)
    /// The attempt ran past the job's timeout; the execution ends `timed_out`.
    case timedOut(message: String)
    /// An operator cancelled the execution or its job.
    case cancelled(message: String)
    /// The attempt was cut short by its node (shutdown, lost lease): the execution goes back to
    /// the queue at once when attempts are left.
    case interrupted(message: String)

    /// The values the completion statement writes.
    struct RecordedFields {
        var attemptStatus: String
        /// The execution status when it does not go back to the queue.
        var finalStatus: String
        /// Whether the execution returns to the queue while attempts are left.
        var requeue: Bool
        /// Whether a return to the queue waits a back-off.
        var backOff: Bool
        var result: PostgresJSON?
        var error: String?
        var errorCode: String?
    }

    var recordedFields: RecordedFields {
        switch self {
        case .succeeded(let value):
            RecordedFields(
                attemptStatus: "succeeded",
                finalStatus: "succeeded",
                requeue: false,
                backOff: false,
                result: PostgresJSON(text: value.serialized())
            )
        case .failed(let message, let code, let isRetryable):
            RecordedFields(
                attemptStatus: "failed",
                finalStatus: "failed",
                requeue: isRetryable,
                backOff: true,
                error: message,
                errorCode: code
            )
        case .timedOut(let message):
            RecordedFields(
                attemptStatus: "timed_out",
                finalStatus: "timed_out",
                requeue: false,
                backOff: false,
                error: message,
                errorCode: "timed_out"
            )
        case .cancelled(let message):
            RecordedFields(
                attemptStatus: "cancelled",
                finalStatus: "cancelled",
                requeue: false,
                backOff: false,
                error: message,
                errorCode: "cancelled"
            )
        case .interrupted(let message):
            RecordedFields(
                attemptStatus: "lost",
                finalStatus: "failed",
                requeue: true,
                backOff: false,
                error: message,
                errorCode: "interrupted"
            )
        }
    }
}

/// One attempt's end, to be recorded with others in one statement.
public struct AttemptCompletion: Sendable {
    public var executionID: UUID
    public var attempt: Int
    public var fencingToken: Int64
    public var outcome: AttemptOutcome

    public init(executionID: UUID, attempt: Int, fencingToken: Int64, outcome: AttemptOutcome) {
        self.executionID = executionID
        self.attempt = attempt
        self.fencingToken = fencingToken
        self.outcome = outcome
    }
}

/// What completing an attempt did.
public enum CompletionResult: Sendable, Equatable {
    case recorded(ExecutionStatus)
    /// The lease was no longer this node's (expired and taken over); nothing was written.
    case staleLease
}

extension JobStore {
    /// The default time a claim's lease lasts before another node may take the execution over.
    public static let defaultLeaseDuration = Duration.seconds(30)

    /// Queues an execution of `jobID` on request.
    ///
    /// Runs in one transaction that locks the job row, so a concurrent cancel cannot slip in between
    /// the state check and the insert. A repeated idempotency key returns the earlier execution.
    ///
    /// - Throws: `JobsEngineError` (`.jobNotFound`, `.illegalState`).
    public func enqueueExecution(
        jobID: UUID,
        trigger: ExecutionTrigger,
        parameterOverrides: [String: JSONValue] = [:],
        idempotencyKey: String? = nil
    ) async throws -> (execution: JobExecution, created: Bool) {
        try await self.pool.withTransaction { connection in
            let jobRows = try await connection.query(
                "SELECT \(unescaped: Self.jobColumns) FROM job WHERE id = \(jobID) FOR SHARE"
            )
            guard let job = try jobRows.first.map(Self.decodeJob) else {
                throw JobsEngineError.jobNotFound(jobID)
            }
            guard job.status.acceptsExecutions else {
                throw JobsEngineError(
                    code: .illegalState,
                    message: "job \(jobID.lowercasedText) is \(job.status.rawValue) and cannot be executed"
                )
            }
            if let idempotencyKey {
                let existing = try await connection.query(
                    """
                    SELECT \(unescaped: Self.executionColumns) FROM job_execution
                    WHERE job_id = \(jobID) AND idempotency_key = \(idempotencyKey)
                    """
                )
                if let row = existing.first {
                    return (try Self.decodeExecution(row), false)
                }
            }
            let parameters = job.parameters.merging(parameterOverrides) { _, override in override }
            let rows = try await connection.query(
                """
                INSERT INTO job_execution (
                    job_id, tenant_id, job_type, priority, trigger, parameters, max_attempts, timeout_seconds,
                    idempotency_key)
                VALUES (
                    \(jobID), \(job.tenantID), \(job.jobType.rawValue), \(job.priority.rank), \(trigger.rawValue),
                    \(PostgresJSON(text: JSONValue.object(parameters).serialized()))::jsonb, \(job.maxRetries + 1),
                    \(job.timeoutSeconds), \(idempotencyKey))
                RETURNING \(unescaped: Self.executionColumns)
                """
            )
            return (try Self.decodeExecution(rows[0]), true)
        }
    }

    /// Claims up to `limit` runnable executions for `nodeID`, highest priority first, then oldest.
    ///
    /// One round trip to `job_claim_executions` (see its migration), which holds every limit exactly
    /// across the cluster: the type's and tenant's `job_config.max_concurrency`, disabled types, and
    /// one running execution per job unless the job allows overlap. Each claim starts an attempt and
    /// takes a lease with a fresh fencing token; the lease stands for the attempt until it ends.
    public func claimExecutions(
        nodeID: String,
        limit: Int,
        jobTypes: Set<JobType>,
        leaseDuration: Duration = JobStore.defaultLeaseDuration
    ) async throws -> [ClaimedExecution] {
        guard let statement = Self.claimStatement(nodeID, limit, jobTypes, leaseDuration) else { return [] }
        return try Self.decodeClaims(try await self.pool.query(statement))
    }

    /// Records outcomes and claims new executions for the slots they free, in one statement and one
    /// commit, so a busy node waits for the disk once per turn of its slots instead of twice.
    public func completeAndClaim(
        _ completions: [AttemptCompletion],
        nodeID: String,
        claimLimit: Int,
        jobTypes: Set<JobType>,
        leaseDuration: Duration
    ) async throws -> (results: [UUID: CompletionResult], claimed: [ClaimedExecution], endedJobIDs: Set<UUID>) {
        let rows = try await self.pool.query(
            Self.completionStatement(
                completions,
                claim: (nodeID: nodeID, limit: claimLimit, jobTypes: jobTypes, lease: leaseDuration)
            )
        )
        return try Self.decodeCompletionRows(rows, for: completions)
    }

    /// Reads a completion statement's rows: each finished execution's new status (a completion whose
    /// row is missing held a stale lease), the executions it claimed, and the jobs whose executions
    /// ended (not those queued again).
    static func decodeCompletionRows(
        _ rows: PostgresRows,
        for completions: [AttemptCompletion]
    ) throws -> (results: [UUID: CompletionResult], claimed: [ClaimedExecution], endedJobIDs: Set<UUID>) {
        var results: [UUID: CompletionResult] = [:]
        for completion in completions {
            results[completion.executionID] = .staleLease
        }
        var claimed: [ClaimedExecution] = []
        var endedJobIDs: Set<UUID> = []
        for row in rows {
            if try row.decode("claim", as: Bool.self) {
                claimed.append(
                    ClaimedExecution(
                        execution: try Self.decodeExecution(row),
                        fencingToken: try row.decode("fencing_token")
                    )
                )
                continue
            }
            let status = ExecutionStatus(rawValue: try row.decode("status", as: String.self)) ?? .failed
            results[try row.decode("id", as: UUID.self)] = .recorded(status)
            if status != .queued {
                endedJobIDs.insert(try row.decode("job_id", as: UUID.self))
            }
        }
        return (results, claimed, endedJobIDs)
    }

    static func claimStatement(
        _ nodeID: String,
        _ limit: Int,
        _ jobTypes: Set<JobType>,
        _ leaseDuration: Duration
    ) -> PostgresQuery? {
        guard limit > 0, !jobTypes.isEmpty else { return nil }
        // The claim looks at a short window of the queue's head, so larger batches would come back short.
        let limit = min(limit, 32)
        let types = PostgresArray(jobTypes.map(\.rawValue).sorted())
        let statement: PostgresQuery = """
            SELECT * FROM job_claim_executions(
                \(nodeID), \(limit), \(leaseDuration.milliseconds), \(types)::text[])
            """
        return statement.prepared()
    }

    static func decodeClaims(_ rows: PostgresRows) throws -> [ClaimedExecution] {
        try rows.map { row in
            ClaimedExecution(execution: try Self.decodeExecution(row), fencingToken: try row.decode("fencing_token"))
        }
    }

    /// Records how an attempt ended, if `fencingToken` still holds the execution's lease.
    public func completeAttempt(
        executionID: UUID,
        attempt: Int,
        fencingToken: Int64,
        outcome: AttemptOutcome
    ) async throws -> CompletionResult {
        let completion = AttemptCompletion(
            executionID: executionID,
            attempt: attempt,
            fencingToken: fencingToken,
            outcome: outcome
        )
        return try await self.completeAttempts([completion])[executionID] ?? .staleLease
    }

    /// Records how several attempts ended, in one statement and one commit.
    ///
    /// For each, the lease row is deleted only when its token matches, and the attempt, the
    /// execution and the job are updated only when it was, so a node whose lease expired and was
    /// taken over can never overwrite the new holder. A retryable failure with attempts left goes
    /// back to the queue after a back-off drawn with full jitter from the type's `job_config`
    /// (`backoff_base_ms`, `backoff_cap_ms`; defaults 1 s and 5 min).
    ///
    /// - Returns: the result for each execution; one whose lease had moved on is `.staleLease`.
    public func completeAttempts(_ completions: [AttemptCompletion]) async throws -> [UUID: CompletionResult] {
        try await self.completeAttemptsReportingJobs(completions).results
    }

    /// `completeAttempts`, also returning the jobs whose executions ended (see `recordLastRuns`).
    func completeAttemptsReportingJobs(
        _ completions: [AttemptCompletion]
    ) async throws -> (results: [UUID: CompletionResult], endedJobIDs: Set<UUID>) {
        guard !completions.isEmpty else { return ([:], []) }
        let outcome = try Self.decodeCompletionRows(
            try await self.pool.query(Self.completionStatement(completions)),
            for: completions
        )
        return (outcome.results, outcome.endedJobIDs)
    }

    /// Sets `last_run_at` of the given jobs to now. The completion statement leaves it out, so that a
    /// turn of the slots does not write job rows; a node records its jobs' last runs about once a
    /// second instead. A job row another transaction holds is skipped, never waited for.
    public func recordLastRuns(jobIDs: Set<UUID>) async throws {
        guard !jobIDs.isEmpty else { return }
        try await self.pool.query(
            """
            UPDATE job SET last_run_at = now()
            WHERE id IN (
                SELECT id FROM job WHERE id = ANY (\(PostgresArray(jobIDs.map(\.lowercasedText)))::uuid[])
                FOR UPDATE SKIP LOCKED)
            """
        )
    }

    /// The completion statement; with `claim`, the same statement also claims new executions
    /// (the rows it returns with `claim` true), so both commit together in one round trip.
    ///
    /// `job_choose_executions` chooses the executions to claim and locks their `job_queue` rows,
    /// which the statement deletes. One UPDATE of job_execution then records the finished executions
    /// and claims the chosen ones still queued, all in place, since no column it writes is indexed;
    /// the claimed ones then take their leases. The choice is made inside the statement and so does
    /// not see the completions it writes: executions finishing in the batch still count as running
    /// for the cluster-wide limits, which can only make the claim take fewer, never more. An execution
    /// queued after the statement began is not visible to its DELETE: if chosen, it stays in the queue
    /// (unlocked at commit) rather than claimed.
    static func completionStatement(
        _ completions: [AttemptCompletion],
        claim: (nodeID: String, limit: Int, jobTypes: Set<JobType>, lease: Duration)? = nil
    ) -> PostgresQuery {
        let fields = completions.map(\.outcome.recordedFields)
        func array(_ values: [String?]) -> PostgresArray {
            PostgresArray(values)
        }
        var statement: PostgresQuery = """
            WITH input AS (
                SELECT * FROM unnest(
                    \(array(completions.map { $0.executionID.lowercasedText }))::uuid[],
                    \(array(completions.map { String($0.attempt) }))::integer[],
                    \(array(completions.map { String($0.fencingToken) }))::bigint[],
                    \(array(fields.map(\.attemptStatus)))::text[],
                    \(array(fields.map(\.finalStatus)))::text[],
                    \(array(fields.map { $0.requeue ? "t" : "f" }))::boolean[],
                    \(array(fields.map { $0.backOff ? "t" : "f" }))::boolean[],
                    \(array(fields.map { $0.result?.text }))::jsonb[],
                    \(array(fields.map(\.error)))::text[],
                    \(array(fields.map(\.errorCode)))::text[])
                    AS t (execution_id, attempt, fencing_token, attempt_status, final_status, requeue, back_off,
                          result, error, error_code)
            ), released AS (
                -- The ids as an array, so the plan (prepared once, then kept) finds each lease by its key
                -- rather than scanning a lease table that churns with every claim.
                DELETE FROM job_lock USING input
                WHERE job_lock.execution_id = ANY (ARRAY(SELECT input.execution_id FROM input))
                  AND job_lock.execution_id = input.execution_id AND job_lock.fencing_token = input.fencing_token
                RETURNING job_lock.execution_id, job_lock.node_id, job_lock.acquired_at
            ), decided AS (
                SELECT input.*, e.job_id, released.node_id AS attempt_node, released.acquired_at AS attempt_start,
                       CASE
                           -- An execution asked to stop is never queued again, whatever its attempt's end.
                           WHEN input.requeue AND e.cancel_requested THEN 'cancelled'
                           WHEN input.requeue AND e.attempt < e.max_attempts THEN 'queued'
                           WHEN input.requeue THEN 'failed'
                           ELSE input.final_status
                       END AS next_status,
                       -- The type's (or the type and tenant's) back-off, read only for a retry that waits.
                       CASE WHEN input.back_off THEN (
                           SELECT random() * least(
                                      coalesce(tenant_config.backoff_cap_ms, type_config.backoff_cap_ms, 300000),
                                      coalesce(tenant_config.backoff_base_ms, type_config.backoff_base_ms, 1000)
                                          * power(2, e.attempt - 1))
                           FROM (SELECT) AS one
                           LEFT JOIN job_config type_config
                               ON type_config.job_type = e.job_type AND type_config.tenant_id IS NULL
                           LEFT JOIN job_config tenant_config
                               ON tenant_config.job_type = e.job_type AND tenant_config.tenant_id = e.tenant_id)
                       ELSE 0 END AS delay_ms
                FROM input
                JOIN released ON released.execution_id = input.execution_id
                JOIN job_execution e ON e.id = input.execution_id
            ), attempt_row AS (
                -- The attempt's row, written now that it has ended, from the lease it ran under.
                INSERT INTO job_execution_attempt (
                    execution_id, attempt, node_id, fencing_token, status, started_at, finished_at, error, error_code)
                SELECT decided.execution_id, decided.attempt, decided.attempt_node, decided.fencing_token,
                       decided.attempt_status, decided.attempt_start, now(), decided.error, decided.error_code
                FROM decided
            ),
            """
        guard let claim, claim.limit > 0, !claim.jobTypes.isEmpty else {
            statement.append(
                """
                changes AS (\(unescaped: Self.finishedChanges)),
                """
            )
            statement.append(Self.executionUpdate(claimingNode: nil))
            statement.append("SELECT id, status, job_id, claim FROM execution_row")
            return statement.prepared()
        }
        let types = PostgresArray(claim.jobTypes.map(\.rawValue).sorted())
        statement.append(
            """
            chosen AS MATERIALIZED (
                SELECT job_choose_executions(\(min(claim.limit, 32)), \(types)::text[]) AS ids
            ), dequeued AS (
                DELETE FROM job_queue
                WHERE job_queue.execution_id = ANY ((SELECT chosen.ids FROM chosen)::uuid[])
                RETURNING job_queue.execution_id
            ), changes AS (
                \(unescaped: Self.finishedChanges)
                UNION ALL
                SELECT dequeued.execution_id, 'running', NULL, NULL, NULL, 0, true, nextval('job_fencing_token_seq')
                FROM dequeued
            ),
            """
        )
        statement.append(Self.executionUpdate(claimingNode: claim.nodeID))
        statement.append(
            """
            , leased AS (
                -- The claimed executions' leases, each with the fencing token its claim drew.
                INSERT INTO job_lock (execution_id, job_id, node_id, fencing_token, expires_at)
                SELECT execution_row.id, execution_row.job_id, \(claim.nodeID), execution_row.claim_token,
                       now() + \(claim.lease.milliseconds) * interval '1 millisecond'
                FROM execution_row
                WHERE execution_row.claim
                ON CONFLICT (execution_id) DO UPDATE
                SET node_id = excluded.node_id, fencing_token = excluded.fencing_token,
                    acquired_at = now(), expires_at = excluded.expires_at
            )
            -- One row per execution: the finished ones (claim false) with their new status, the
            -- claimed ones whole, with the fencing token of their lease.
            SELECT execution_row.claim, \(unescaped: Self.executionColumns), claim_token AS fencing_token
            FROM execution_row
            """
        )
        return statement.prepared()
    }

    /// What the execution UPDATE writes for each finished execution; a claimed one adds a row of the
    /// same columns with `claim` true and its lease's fencing token.
    private static let finishedChanges = """
        SELECT decided.execution_id, decided.next_status, decided.result, decided.error, decided.error_code,
               decided.delay_ms, false AS claim, NULL::bigint AS claim_token
        FROM decided
        """

    /// The one UPDATE of job_execution a completion statement makes, over `changes`: each finished
    /// execution takes its outcome, and each claimed one (`claim`, only when `claimingNode` is given)
    /// starts its next attempt on that node.
    private static func executionUpdate(claimingNode: String?) -> PostgresQuery {
        """
        execution_row AS (
            UPDATE job_execution e
            SET status = changes.next_status,
                attempt = e.attempt + CASE WHEN changes.claim THEN 1 ELSE 0 END,
                node_id = CASE WHEN changes.claim THEN \(claimingNode)
                               WHEN changes.next_status = 'queued' THEN NULL
                               ELSE e.node_id END,
                started_at = CASE WHEN changes.claim THEN coalesce(e.started_at, now()) ELSE e.started_at END,
                awaiting_children = CASE WHEN changes.claim THEN false ELSE e.awaiting_children END,
                result = CASE WHEN changes.claim THEN e.result ELSE changes.result END,
                error = CASE WHEN changes.claim THEN e.error ELSE changes.error END,
                error_code = CASE WHEN changes.claim THEN e.error_code ELSE changes.error_code END,
                run_after = CASE WHEN changes.next_status = 'queued'
                                 THEN now() + changes.delay_ms * interval '1 millisecond'
                                 ELSE e.run_after END,
                finished_at = CASE WHEN changes.claim THEN e.finished_at
                                   WHEN changes.next_status = 'queued' THEN NULL
                                   ELSE now() END
            FROM changes
            -- A claimed execution that left the queue some other way (its queue row stale) is not taken.
            WHERE e.id = changes.execution_id AND (NOT changes.claim OR e.status = 'queued')
            RETURNING e.*, changes.claim, changes.claim_token
        )
        """
    }

    /// Records progress of a running attempt.
    public func recordProgress(executionID: UUID, done: Int64, total: Int64?) async throws {
        try await self.pool.query(
            """
            UPDATE job_execution SET progress_done = \(done), progress_total = \(total)
            WHERE id = \(executionID) AND status = 'running'
            """
        )
    }

    /// Cancels a job: it schedules nothing more, its queued executions are cancelled, and running
    /// ones are flagged and announced on the `fineract_jobs_cancel` channel.
    ///
    /// The job and its queued executions change in one transaction; the running ones are flagged
    /// after it, by `requestStop(of:)`, which never waits for one row while holding another. A flagged
    /// execution is never queued again, and no execution of a cancelled job can be queued, so a last
    /// pass over the job's executions finds any that a retry put back in the queue meanwhile.
    ///
    /// Cancelling a cancelled job changes nothing and is not an error.
    ///
    /// - Returns: the job after the change, and the running executions that were asked to stop.
    public func cancelJob(id: UUID, reason: String) async throws -> (job: Job, stopping: [UUID]) {
        let job = try await self.pool.withTransaction { connection in
            let rows = try await connection.query(
                """
                UPDATE job SET status = 'cancelled', status_reason = \(reason), next_run_at = NULL, updated_at = now()
                WHERE id = \(id)
                RETURNING \(unescaped: Self.jobColumns)
                """
            )
            guard let job = try rows.first.map(Self.decodeJob) else {
                throw JobsEngineError.jobNotFound(id)
            }
            try await self.cancelQueuedExecutions(ofJob: id, reason: reason, on: connection)
            return job
        }
        var stopping: [UUID] = []
        // Two passes suffice: after the first, every running execution is flagged and none can return
        // to the queue; the second catches one that a retry queued and a node claimed in between.
        for _ in 0..<2 {
            let running = try await self.pool.query(
                "SELECT id FROM job_execution WHERE job_id = \(id) AND status = 'running' AND NOT cancel_requested"
            ).map { row throws(PostgresError) in try row.decode("id", as: UUID.self) }
            stopping += try await self.requestStop(of: running)
            try await self.pool.withConnection { connection in
                try await self.cancelQueuedExecutions(ofJob: id, reason: reason, on: connection)
            }
        }
        return (job, stopping)
    }

    private func cancelQueuedExecutions(ofJob id: UUID, reason: String, on connection: PostgresConnection) async throws
    {
        // The queue rows first, as a claim takes them (see the queue table's migration): a claim in
        // progress is waited for, and what it took is no longer there to cancel.
        try await connection.query(
            """
            WITH dequeued AS (
                DELETE FROM job_queue WHERE job_id = \(id) RETURNING execution_id
            )
            UPDATE job_execution e
            SET status = 'cancelled', finished_at = now(), error = \(reason), error_code = 'cancelled'
            FROM dequeued
            WHERE e.id = dequeued.execution_id AND e.status = 'queued'
            """
        )
    }

    /// Flags the running executions among `ids` (`cancel_requested`) and tells their nodes on the
    /// `fineract_jobs_cancel` channel; returns those it flagged.
    ///
    /// Called outside any transaction. A node's completion statement holds the rows of the executions
    /// it finishes until it commits, so a statement that flagged many rows, holding some while waiting
    /// for others, could deadlock with it. The rows free now are flagged in one statement that skips
    /// the rest; each of the rest then in a statement of its own, which holds nothing while it waits.
    func requestStop(of ids: [UUID]) async throws -> [UUID] {
        guard !ids.isEmpty else { return [] }
        var flagged = try await self.pool.query(
            """
            UPDATE job_execution SET cancel_requested = true
            WHERE id IN (
                SELECT id FROM job_execution
                WHERE id = ANY (\(PostgresArray(ids.map(\.lowercasedText)))::uuid[])
                  AND status = 'running' AND NOT cancel_requested
                FOR UPDATE SKIP LOCKED)
            RETURNING id
            """
        ).map { row throws(PostgresError) in try row.decode("id", as: UUID.self) }
        for id in ids where !flagged.contains(id) {
            let rows = try await self.pool.query(
                """
                UPDATE job_execution SET cancel_requested = true
                WHERE id = \(id) AND status = 'running' AND NOT cancel_requested
                RETURNING id
                """
            )
            if !rows.isEmpty {
                flagged.append(id)
            }
        }
        if !flagged.isEmpty {
            try await self.pool.query(
                """
                SELECT pg_notify('fineract_jobs_cancel', id)
                FROM unnest(\(PostgresArray(flagged.map(\.lowercasedText)))::text[]) AS id
                """
            )
        }
        return flagged
    }
}
