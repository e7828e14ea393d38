public import Foundation
public import JobsCore
import Postgres

/// An execution whose lease a reaper took back.
public struct ReapedExecution: Sendable, Hashable {
    public var executionID: UUID
    /// The node that held the lease and stopped renewing it.
    public var nodeID: String
    /// `queued` for another attempt, `failed` when none is left, `cancelled` when a cancel was pending.
    public var status: ExecutionStatus
}

extension JobStore {
    /// Extends the leases this node still holds; returns the executions whose lease was extended.
    ///
    /// A lease that has already expired is not extended, even if nobody took it yet: its attempt
    /// must stop, because a reaper may return the execution to the queue at any moment.
    public func renewLeases(
        _ leases: [(executionID: UUID, fencingToken: Int64)],
        duration: Duration
    ) async throws -> Set<UUID> {
        guard !leases.isEmpty else { return [] }
        let ids = PostgresArray(leases.map { $0.executionID.uuidString.lowercased() })
        let tokens = PostgresArray(leases.map { String($0.fencingToken) })
        let rows = try await self.pool.query(
            """
            UPDATE job_lock
            SET expires_at = now() + \(duration.milliseconds) * interval '1 millisecond'
            FROM unnest(\(ids)::uuid[], \(tokens)::bigint[]) AS held (execution_id, fencing_token)
            WHERE job_lock.execution_id = held.execution_id AND job_lock.fencing_token = held.fencing_token
              AND job_lock.expires_at > now()
            RETURNING job_lock.execution_id
            """
        )
        return Set(try rows.map { row throws(PostgresError) in try row.decode("execution_id", as: UUID.self) })
    }

    /// Takes back up to `limit` expired leases (their node died or lost the database): the attempt
    /// is recorded as lost, and the execution returns to the queue for another attempt, fails when
    /// none is left, or ends cancelled when a cancel was pending.
    public func reapExpiredLeases(limit: Int = 100) async throws -> [ReapedExecution] {
        try await self.returnLeases(heldBy: nil, limit: limit)
    }

    /// Hands back every lease `nodeID` holds, the same way the reaper would once they expired;
    /// for a node that stops while attempts were still running.
    public func releaseLeases(nodeID: String) async throws -> [ReapedExecution] {
        try await self.returnLeases(heldBy: nodeID, limit: 10_000)
    }

    /// Returns leases to the queue: the expired ones when `nodeID` is nil, else all of that node's.
    private func returnLeases(heldBy nodeID: String?, limit: Int) async throws -> [ReapedExecution] {
        let rows = try await self.pool.query(
            """
            WITH expired AS (
                SELECT execution_id, fencing_token, node_id FROM job_lock
                WHERE (\(nodeID)::text IS NULL AND expires_at < now()) OR node_id = \(nodeID)
                ORDER BY expires_at
                LIMIT \(limit)
                FOR UPDATE SKIP LOCKED
            ), removed AS (
                DELETE FROM job_lock USING expired
                WHERE job_lock.execution_id = expired.execution_id
                  AND job_lock.fencing_token = expired.fencing_token
                RETURNING job_lock.execution_id, job_lock.node_id, job_lock.fencing_token, job_lock.acquired_at
            ), attempt_row AS (
                -- The lost attempt's row, from the lease it ran under (see completionStatement).
                INSERT INTO job_execution_attempt (
                    execution_id, attempt, node_id, fencing_token, status, started_at, finished_at, error, error_code)
                SELECT e.id, e.attempt, removed.node_id, removed.fencing_token, 'lost', removed.acquired_at, now(),
                       'the lease expired: node ' || removed.node_id || ' stopped renewing it', 'lease_expired'
                FROM removed JOIN job_execution e ON e.id = removed.execution_id
                WHERE e.status = 'running'
            ), execution_row AS (
                UPDATE job_execution e
                SET status = CASE
                        WHEN e.cancel_requested THEN 'cancelled'
                        WHEN e.attempt < e.max_attempts THEN 'queued'
                        ELSE 'failed' END,
                    error = 'the lease expired: node ' || removed.node_id || ' stopped renewing it',
                    error_code = 'lease_expired',
                    node_id = CASE WHEN e.attempt < e.max_attempts AND NOT e.cancel_requested
                                   THEN NULL ELSE e.node_id END,
                    run_after = now(),
                    finished_at = CASE WHEN e.attempt < e.max_attempts AND NOT e.cancel_requested
                                       THEN NULL ELSE now() END
                FROM removed
                WHERE e.id = removed.execution_id AND e.status = 'running'
                RETURNING e.id, e.status, removed.node_id
            )
            SELECT id, status, node_id FROM execution_row
            """
        )
        return try rows.map { row throws(PostgresError) in
            ReapedExecution(
                executionID: try row.decode("id"),
                nodeID: try row.decode("node_id"),
                status: ExecutionStatus(rawValue: try row.decode("status", as: String.self)) ?? .failed
            )
        }
    }

    /// Cancels one execution: a queued one at once, a running one by flagging it and telling its
    /// node on the `fineract_jobs_cancel` channel. A finished execution is left as it is.
    ///
    /// - Returns: the execution after the change.
    /// - Throws: `JobsEngineError` (`.executionNotFound`, `.illegalState` when it already finished).
    public func cancelExecution(id: UUID, reason: String) async throws -> JobExecution {
        try await self.pool.withTransaction { connection in
            // The queue row first, as a claim takes it: a claim in progress is waited for, and one
            // that took the execution leaves it running, to be flagged below.
            try await connection.query("DELETE FROM job_queue WHERE execution_id = \(id)")
            let rows = try await connection.query(
                "SELECT status FROM job_execution WHERE id = \(id) FOR UPDATE"
            )
            guard let row = rows.first else {
                throw JobsEngineError(
                    code: .executionNotFound,
                    message: "no execution with id \(id.uuidString.lowercased())"
                )
            }
            let status = ExecutionStatus(rawValue: try row.decode("status", as: String.self)) ?? .failed
            switch status {
            case .queued:
                try await connection.query(
                    """
                    UPDATE job_execution
                    SET status = 'cancelled', finished_at = now(), error = \(reason), error_code = 'cancelled'
                    WHERE id = \(id)
                    """
                )
            case .running:
                try await connection.query("UPDATE job_execution SET cancel_requested = true WHERE id = \(id)")
                try await connection.query("SELECT pg_notify('fineract_jobs_cancel', \(id.uuidString.lowercased()))")
            case .succeeded, .failed, .cancelled, .timedOut:
                throw JobsEngineError(
                    code: .illegalState,
                    message: "execution \(id.uuidString.lowercased()) already ended \(status.rawValue)"
                )
            }
            let updated = try await connection.query(
                "SELECT \(unescaped: Self.executionColumns) FROM job_execution WHERE id = \(id)"
            )
            return try Self.decodeExecution(updated[0])
        }
    }
}
