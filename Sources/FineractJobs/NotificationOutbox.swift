import Foundation
import Postgres

/// One tenant's queue of outgoing messages (`scheduled_email_messages_outbound` or
/// `sms_messages_outbound`), seen by one worker run: claims, and the outcome of each send.
///
/// Status codes are Fineract's: 100 PENDING, 150 WAITING_FOR_DELIVERY_REPORT (SMS only), 200 SENT,
/// 300 DELIVERED, 400 FAILED. Only PENDING rows whose `next_attempt_at` has come are claimed.
/// A claim (`claimed_by`, `claimed_at`) is held for `lease`; an older one is treated as abandoned.
/// Every outcome is written only while this run still holds the claim (`claimed_by` matches), so a
/// run that lost its claim can never overwrite the outcome another run recorded.
struct NotificationOutbox: Sendable {
    /// The two queue tables, which share their shape but name their error column differently.
    enum Queue: Sendable {
        case email
        case sms

        var table: String {
            switch self {
            case .email: "scheduled_email_messages_outbound"
            case .sms: "sms_messages_outbound"
            }
        }

        var errorColumn: String {
            switch self {
            case .email: "error_message"
            case .sms: "last_error"
            }
        }
    }

    static let pending = 100
    static let waitingForDeliveryReport = 150
    static let sent = 200
    static let delivered = 300
    static let failed = 400

    let pool: PostgresPool
    let queue: Queue
    let tenantID: String
    /// Who holds the claims: node and execution, unique per run.
    let claimant: String
    let lease: Duration

    private var leaseSeconds: Int64 { NotificationRetryPolicy.milliseconds(self.lease) / 1000 }

    /// The predicate of a row this run may claim: pending, due, and not claimed by a live run.
    private var claimableCondition: PostgresQuery {
        // Spaces at both ends: the predicate is appended between other fragments.
        var condition: PostgresQuery = " (status_enum = 100 AND next_attempt_at <= now() AND (claimed_at IS NULL"
        condition.append(" OR claimed_at < now() - make_interval(secs => \(self.leaseSeconds)))) ")
        return condition
    }

    /// The id ranges of the claimable rows, at most `chunkSize` rows each.
    func claimableRanges(chunkSize: Int64) async throws -> [ClosedRange<Int64>] {
        try await IDChunking.ranges(
            pool: self.pool,
            table: self.queue.table,
            tenantID: self.tenantID,
            condition: self.claimableCondition,
            chunkSize: chunkSize
        )
    }

    /// How many rows are claimable in `range`.
    func claimableCount(in range: ClosedRange<Int64>) async throws -> Int64 {
        var query: PostgresQuery = """
            SELECT count(*) AS n FROM \(unescaped: self.queue.table)
            WHERE tenant_id = \(self.tenantID) AND id BETWEEN \(range.lowerBound) AND \(range.upperBound) AND
            """
        query.append(self.claimableCondition)
        return try await self.pool.query(query)[0].decode("n")
    }

    /// Claims up to `limit` claimable rows with ids in `(after, through]`, in id order.
    ///
    /// Rows another run has locked are skipped, not waited for. The claim commits at once, so it
    /// stays visible to every other run while the messages are sent.
    func claim(after: Int64, through: Int64, limit: Int) async throws -> PostgresRows {
        // The candidates are materialised first: as a plain `IN (subquery)` the planner may run the
        // subquery more than once, and then claim more rows than the limit.
        var query: PostgresQuery = """
            WITH picked AS MATERIALIZED (
                SELECT id FROM \(unescaped: self.queue.table)
                WHERE tenant_id = \(self.tenantID) AND id > \(after) AND id <= \(through) AND
            """
        query.append(self.claimableCondition)
        query.append(
            """
                ORDER BY id LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            UPDATE \(unescaped: self.queue.table) AS m SET claimed_by = \(self.claimant), claimed_at = now()
            FROM picked WHERE m.tenant_id = \(self.tenantID) AND m.id = picked.id
            RETURNING m.*
            """
        )
        return try await self.pool.query(query)
    }

    /// Renews the claim on one pending row just before it is sent; false when this run no longer
    /// holds it (its lease ran out and another run took it over), in which case it must not be sent.
    func renewClaim(id: Int64) async throws -> Bool {
        let rows = try await self.pool.query(
            """
            UPDATE \(unescaped: self.queue.table) SET claimed_at = now()
            WHERE tenant_id = \(self.tenantID) AND id = \(id) AND claimed_by = \(self.claimant) AND status_enum = 100
            RETURNING id
            """
        )
        return !rows.isEmpty
    }

    /// Leaves a claimed row pending with a note of why it was not sent (an address that cannot be
    /// used), as Fineract leaves such e-mails pending; the attempt count does not move.
    func leavePending(id: Int64, note: String) async throws {
        try await self.pool.query(
            """
            UPDATE \(unescaped: self.queue.table)
            SET claimed_by = NULL, claimed_at = NULL, \(unescaped: self.queue.errorColumn) = \(note)
            WHERE tenant_id = \(self.tenantID) AND id = \(id) AND claimed_by = \(self.claimant)
            """
        )
    }

    /// Records a finished attempt on each of `ids`: `status` (150, 200, 300 or 400), the error text for
    /// a failure (nil clears it) and, for SMS, the provider's id of the message.
    func recordFinal(ids: [Int64], status: Int, error: String?, externalID: String? = nil) async throws {
        guard !ids.isEmpty else { return }
        var query: PostgresQuery = """
            UPDATE \(unescaped: self.queue.table)
            SET status_enum = \(status), attempt_count = attempt_count + 1, claimed_by = NULL, claimed_at = NULL,
                \(unescaped: self.queue.errorColumn) = \(error)
            """
        if self.queue == .sms {
            query.append(", external_id = coalesce(\(externalID), external_id)")
        }
        query.append(
            """
             WHERE tenant_id = \(self.tenantID) AND id = ANY(\(PostgresArray(ids.map(String.init)))::bigint[])
               AND claimed_by = \(self.claimant)
            """
        )
        try await self.pool.query(query)
    }

    /// Records a failed attempt that may succeed later: back to PENDING (also from 150), due again
    /// after the policy's wait, or FAILED when `policy` says it was the last attempt.
    ///
    /// - Returns: the ids that were given up (now 400).
    @discardableResult
    func recordRetry(ids: [Int64], error: String, policy: NotificationRetryPolicy) async throws -> [Int64] {
        guard !ids.isEmpty else { return [] }
        return try await self.pool.withTransaction { connection in
            let rows = try await connection.query(
                """
                SELECT id, attempt_count FROM \(unescaped: self.queue.table)
                WHERE tenant_id = \(self.tenantID) AND id = ANY(\(PostgresArray(ids.map(String.init)))::bigint[])
                  AND claimed_by = \(self.claimant)
                FOR UPDATE
                """
            )
            var givenUp: [Int64] = []
            for row in rows {
                let id: Int64 = try row.decode("id")
                let attempt = try row.decode("attempt_count", as: Int.self) + 1
                let isFinal = policy.isFinal(attempt: attempt)
                let delay = NotificationRetryPolicy.milliseconds(policy.delay(afterAttempt: attempt))
                let text = isFinal ? "gave up after \(attempt) attempts: \(error)" : error
                try await connection.query(
                    """
                    UPDATE \(unescaped: self.queue.table)
                    SET status_enum = \(isFinal ? Self.failed : Self.pending), attempt_count = \(attempt),
                        next_attempt_at = now() + make_interval(secs => \(delay) / 1000.0),
                        \(unescaped: self.queue.errorColumn) = \(text), claimed_by = NULL, claimed_at = NULL
                    WHERE tenant_id = \(self.tenantID) AND id = \(id)
                    """
                )
                if isFinal {
                    givenUp.append(id)
                }
            }
            return givenUp
        }
    }
}
