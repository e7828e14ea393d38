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
public enum AttemptOutcome: Sendable {
    case succeeded(JSONValue)
    /// `retryDelay` nil means no further attempt.
    case failed(message: String, code: String, retryDelay: Duration?)
    case timedOut(message: String)
    case cancelled(message: String)
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

    /// The execution columns qualified with the `claimed` alias of the claim statement.
    static let claimedExecutionColumns = executionColumns
        .split(separator: ",")
        .map { "claimed." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        .joined(separator: ", ")

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
                    message: "job \(jobID.uuidString.lowercased()) is \(job.status.rawValue) and cannot be executed"
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
    /// `FOR UPDATE SKIP LOCKED` lets every node claim at once without waiting on each other; each
    /// claim starts an attempt, takes a lease with a fresh fencing token, and records the attempt,
    /// all in one statement.
    public func claimExecutions(
        nodeID: String,
        limit: Int,
        leaseDuration: Duration = JobStore.defaultLeaseDuration
    ) async throws -> [ClaimedExecution] {
        guard limit > 0 else { return [] }
        let leaseMilliseconds = leaseDuration.milliseconds
        let rows = try await self.pool.query(
            """
            WITH candidates AS (
                SELECT id FROM job_execution
                WHERE status = 'queued' AND run_after <= now()
                ORDER BY priority DESC, run_after, queued_at
                LIMIT \(limit)
                FOR UPDATE SKIP LOCKED
            ), claimed AS (
                UPDATE job_execution AS e
                SET status = 'running', attempt = e.attempt + 1, node_id = \(nodeID),
                    started_at = coalesce(e.started_at, now())
                FROM candidates
                WHERE e.id = candidates.id
                RETURNING e.*
            ), leased AS (
                INSERT INTO job_lock (execution_id, job_id, node_id, fencing_token, expires_at)
                SELECT id, job_id, \(nodeID), nextval('job_fencing_token_seq'),
                       now() + make_interval(secs => \(leaseMilliseconds) / 1000.0)
                FROM claimed
                ON CONFLICT (execution_id) DO UPDATE
                SET node_id = excluded.node_id, fencing_token = excluded.fencing_token,
                    acquired_at = now(), expires_at = excluded.expires_at
                RETURNING execution_id, fencing_token
            ), attempts AS (
                INSERT INTO job_execution_attempt (execution_id, attempt, node_id, fencing_token, status)
                SELECT claimed.id, claimed.attempt, \(nodeID), leased.fencing_token, 'running'
                FROM claimed JOIN leased ON leased.execution_id = claimed.id
            )
            SELECT \(unescaped: Self.claimedExecutionColumns), leased.fencing_token
            FROM claimed JOIN leased ON leased.execution_id = claimed.id
            """
        )
        return try rows.map { row in
            ClaimedExecution(execution: try Self.decodeExecution(row), fencingToken: try row.decode("fencing_token"))
        }
    }

    /// Records how an attempt ended, if `fencingToken` still holds the execution's lease.
    ///
    /// The lease row is deleted only when the token matches, in the same transaction as the
    /// outcome, so a node whose lease expired and was taken over can never overwrite the new holder.
    public func completeAttempt(
        executionID: UUID,
        attempt: Int,
        fencingToken: Int64,
        outcome: AttemptOutcome
    ) async throws -> CompletionResult {
        try await self.pool.withTransaction { connection in
            let released = try await connection.query(
                """
                DELETE FROM job_lock WHERE execution_id = \(executionID) AND fencing_token = \(fencingToken)
                RETURNING job_id
                """
            )
            guard let lease = released.first else { return .staleLease }
            let jobID: UUID = try lease.decode("job_id")
            let attemptStatus: ExecutionAttempt.Status
            let executionStatus: ExecutionStatus
            var errorText: String?
            var errorCode: String?
            var result: PostgresJSON?
            var retryMilliseconds: Int64?
            switch outcome {
            case .succeeded(let value):
                attemptStatus = .succeeded
                executionStatus = .succeeded
                result = PostgresJSON(text: value.serialized())
            case .failed(let message, let code, let retryDelay):
                attemptStatus = .failed
                errorText = message
                errorCode = code
                if let retryDelay {
                    executionStatus = .queued
                    retryMilliseconds = retryDelay.milliseconds
                } else {
                    executionStatus = .failed
                }
            case .timedOut(let message):
                attemptStatus = .timedOut
                executionStatus = .timedOut
                errorText = message
                errorCode = "timed_out"
            case .cancelled(let message):
                attemptStatus = .cancelled
                executionStatus = .cancelled
                errorText = message
                errorCode = "cancelled"
            }
            try await connection.query(
                """
                UPDATE job_execution_attempt
                SET status = \(attemptStatus.rawValue), finished_at = now(), error = \(errorText),
                    error_code = \(errorCode)
                WHERE execution_id = \(executionID) AND attempt = \(attempt)
                """
            )
            let terminal = executionStatus.isTerminal
            try await connection.query(
                """
                UPDATE job_execution
                SET status = \(executionStatus.rawValue),
                    result = \(result)::jsonb,
                    error = \(errorText),
                    error_code = \(errorCode),
                    node_id = CASE WHEN \(terminal) THEN node_id ELSE NULL END,
                    run_after = CASE WHEN \(retryMilliseconds)::bigint IS NULL THEN run_after
                                     ELSE now() + make_interval(secs => \(retryMilliseconds)::bigint / 1000.0) END,
                    finished_at = CASE WHEN \(terminal) THEN now() ELSE NULL END
                WHERE id = \(executionID)
                """
            )
            if terminal {
                try await connection.query("UPDATE job SET last_run_at = now() WHERE id = \(jobID)")
            }
            return .recorded(executionStatus)
        }
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
    /// Cancelling a cancelled job changes nothing and is not an error.
    ///
    /// - Returns: the job after the change, and the running executions that were asked to stop.
    public func cancelJob(id: UUID, reason: String) async throws -> (job: Job, stopping: [UUID]) {
        try await self.pool.withTransaction { connection in
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
            try await connection.query(
                """
                UPDATE job_execution
                SET status = 'cancelled', finished_at = now(), error = \(reason), error_code = 'cancelled'
                WHERE job_id = \(id) AND status = 'queued'
                """
            )
            let running = try await connection.query(
                """
                UPDATE job_execution SET cancel_requested = true
                WHERE job_id = \(id) AND status = 'running'
                RETURNING id
                """
            )
            let stopping = try running.map { row throws(PostgresError) in try row.decode("id", as: UUID.self) }
            for executionID in stopping {
                try await connection.query(
                    "SELECT pg_notify('fineract_jobs_cancel', \(executionID.uuidString.lowercased()))"
                )
            }
            return (job, stopping)
        }
    }
}
