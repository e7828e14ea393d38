public import Foundation
public import JobsCore
import Postgres

/// What a parent execution sees of its children while it waits for them.
public struct ChildrenSnapshot: Sendable {
    public var outcomes: [String: ChildExecutionOutcome]
    /// Children that have not ended yet.
    public var unfinished: Int
    /// The children's own progress summed, so the parent shows how far the whole run has come.
    public var progressDone: Int64
    public var progressTotal: Int64?
}

extension JobStore {
    /// Creates the children a parent attempt asks for, once per key, and marks the parent as waiting.
    ///
    /// Runs only while the attempt still holds its lease (checked with its fencing token), so an
    /// attempt that was taken over cannot add children behind the new holder's back.
    ///
    /// - Throws: `JobsEngineError` with `.leaseLost` when the lease is no longer this attempt's.
    public func spawnChildren(
        parentID: UUID,
        fencingToken: Int64,
        requests: [ChildExecutionRequest]
    ) async throws {
        let rows: [JSONValue] = requests.map { request in
            .object([
                "key": .string(request.key),
                "tenant_id": request.tenantID.map { .string($0) } ?? .null,
                "job_type": request.jobType.map { .string($0.rawValue) } ?? .null,
                "parameters": .object(request.parameters),
                "trigger": .string(request.trigger.rawValue),
                "progress_total": request.progressTotal.map { .integer($0) } ?? .null,
            ])
        }
        let children = PostgresJSON(text: JSONValue.array(rows).serialized())
        try await self.pool.withTransaction { connection in
            try await Self.requireLease(parentID: parentID, fencingToken: fencingToken, on: connection)
            try await connection.query(
                """
                INSERT INTO job_execution (
                    job_id, parent_execution_id, child_key, tenant_id, job_type, priority, trigger, parameters,
                    max_attempts, timeout_seconds, progress_done, progress_total)
                SELECT p.job_id, p.id, r.key, coalesce(r.tenant_id, p.tenant_id), coalesce(r.job_type, p.job_type),
                       p.priority, r.trigger, r.parameters, p.max_attempts, p.timeout_seconds,
                       CASE WHEN r.progress_total IS NOT NULL THEN 0 END, r.progress_total
                FROM job_execution p,
                     jsonb_to_recordset(\(children)::jsonb)
                         AS r(key text, tenant_id text, job_type text, parameters jsonb, trigger text,
                              progress_total bigint)
                WHERE p.id = \(parentID)
                ON CONFLICT (parent_execution_id, child_key) WHERE parent_execution_id IS NOT NULL DO NOTHING
                """
            )
            try await connection.query(
                "UPDATE job_execution SET awaiting_children = true WHERE id = \(parentID)"
            )
        }
    }

    /// The parent's children as they are now, keyed by child key.
    public func childrenSnapshot(parentID: UUID) async throws -> ChildrenSnapshot {
        let rows = try await self.pool.query(
            """
            SELECT id, child_key, tenant_id, status, result, error, error_code, progress_done, progress_total
            FROM job_execution WHERE parent_execution_id = \(parentID)
            """
        )
        var snapshot = ChildrenSnapshot(outcomes: [:], unfinished: 0, progressDone: 0, progressTotal: nil)
        for row in rows {
            let status = ExecutionStatus(rawValue: try row.decode("status", as: String.self)) ?? .failed
            let key: String = try row.decode("child_key")
            if let done: Int64 = try row.decode("progress_done") {
                snapshot.progressDone += done
            }
            if let total: Int64 = try row.decode("progress_total") {
                snapshot.progressTotal = (snapshot.progressTotal ?? 0) + total
            }
            guard status.isTerminal else {
                snapshot.unfinished += 1
                continue
            }
            let result = try row.decode("result", as: PostgresJSON?.self)
            snapshot.outcomes[key] = ChildExecutionOutcome(
                key: key,
                executionID: try row.decode("id"),
                tenantID: try row.decode("tenant_id"),
                status: status,
                result: try result.map { try JSONValue(parsing: Data($0.text.utf8)) },
                error: try row.decode("error"),
                errorCode: try row.decode("error_code")
            )
        }
        return snapshot
    }

    /// Marks a parent as working again after its children ended, while the attempt holds its lease.
    public func finishWaitingForChildren(parentID: UUID, fencingToken: Int64) async throws {
        try await self.pool.withTransaction { connection in
            try await Self.requireLease(parentID: parentID, fencingToken: fencingToken, on: connection)
            try await connection.query(
                "UPDATE job_execution SET awaiting_children = false WHERE id = \(parentID)"
            )
        }
    }

    /// Cancels every descendant of an execution that has not ended: queued ones at once, running
    /// ones by flagging them and telling their nodes (`requestStop(of:)`, after the queued ones).
    /// A second pass catches a descendant that a retry queued again before it was flagged.
    ///
    /// - Returns: the running descendants that were asked to stop.
    @discardableResult
    public func cancelDescendants(of parentID: UUID, reason: String) async throws -> [UUID] {
        var stopping: [UUID] = []
        for _ in 0..<2 {
            stopping += try await self.requestStop(
                of: try await self.cancelQueuedDescendants(of: parentID, reason: reason)
            )
        }
        return stopping
    }

    /// Cancels the queued descendants of an execution and returns the running ones not yet flagged.
    private func cancelQueuedDescendants(of parentID: UUID, reason: String) async throws -> [UUID] {
        try await self.pool.withTransaction { connection in
            try await connection.query(
                """
                WITH RECURSIVE descendants AS (
                    SELECT id FROM job_execution WHERE parent_execution_id = \(parentID)
                    UNION ALL
                    SELECT e.id FROM job_execution e JOIN descendants d ON e.parent_execution_id = d.id
                ), dequeued AS (
                    -- The queue rows first, as a claim takes them (see cancelQueuedExecutions).
                    DELETE FROM job_queue q USING descendants d WHERE q.execution_id = d.id
                    RETURNING q.execution_id
                )
                UPDATE job_execution e
                SET status = 'cancelled', finished_at = now(), error = \(reason), error_code = 'cancelled'
                FROM dequeued
                WHERE e.id = dequeued.execution_id AND e.status = 'queued'
                """
            )
            return try await connection.query(
                """
                WITH RECURSIVE descendants AS (
                    SELECT id FROM job_execution WHERE parent_execution_id = \(parentID)
                    UNION ALL
                    SELECT e.id FROM job_execution e JOIN descendants d ON e.parent_execution_id = d.id
                )
                SELECT e.id FROM job_execution e JOIN descendants d ON e.id = d.id
                WHERE e.status = 'running' AND NOT e.cancel_requested
                """
            ).map { row throws(PostgresError) in try row.decode("id", as: UUID.self) }
        }
    }

    /// The tenants a job for all tenants runs for.
    public func activeTenantIDs() async throws -> [String] {
        let rows = try await self.pool.query("SELECT id FROM tenant WHERE active ORDER BY id")
        return try rows.map { try $0.decode("id") }
    }

    private static func requireLease(
        parentID: UUID,
        fencingToken: Int64,
        on connection: PostgresConnection
    ) async throws {
        let held = try await connection.query(
            """
            SELECT 1 FROM job_lock WHERE execution_id = \(parentID) AND fencing_token = \(fencingToken) FOR UPDATE
            """
        )
        guard !held.isEmpty else {
            throw JobsEngineError(
                code: .leaseLost,
                message: "execution \(parentID.uuidString.lowercased()) is no longer leased to this attempt"
            )
        }
    }
}
