import Postgres

/// The SMS queue's extra state, WAITING_FOR_DELIVERY_REPORT (150), as Fineract uses it: a batch is
/// set to 150 and committed before it is handed to the gateway.
///
/// A 150 row that still carries a claim is a hand-over in flight; the claim is cleared when the
/// gateway's answer is recorded. A 150 row whose claim is older than the lease therefore belongs to
/// a run that died between the hand-over and recording its answer: the gateway may or may not have
/// the batch. Such a batch is sent again as the very same batch (same rows, so the same idempotency
/// key), which a gateway that honours the key answers without sending anything twice.
extension NotificationOutbox {
    /// Moves claimed PENDING rows to 150, renewing their claim, in one committed statement.
    ///
    /// - Returns: the ids that moved; rows this run no longer holds are left alone.
    func markWaitingForDeliveryReport(ids: [Int64]) async throws -> [Int64] {
        guard !ids.isEmpty else { return [] }
        let rows = try await self.pool.query(
            """
            UPDATE sms_messages_outbound SET status_enum = 150, claimed_at = now()
            WHERE tenant_id = \(self.tenantID) AND id = ANY(\(PostgresArray(ids.map(String.init)))::bigint[])
              AND claimed_by = \(self.claimant) AND status_enum = 100
            RETURNING id
            """
        )
        return try rows.map { try $0.decode("id") }.sorted()
    }

    /// Takes over one batch whose hand-over was abandoned: every 150 row of the oldest such claim.
    ///
    /// Rows claimed together share `claimed_by` and `claimed_at` (one statement stamps them), which is
    /// how the batch is found again whole. Taking it over renews the claim, so two runs cannot both
    /// take the same batch: the second finds the rows' claim changed and takes nothing.
    ///
    /// - Returns: the batch's rows in id order; empty when no batch is abandoned.
    func takeOverAbandonedBatch() async throws -> PostgresRows {
        try await self.pool.query(
            """
            WITH abandoned AS (
                SELECT claimed_by, claimed_at FROM sms_messages_outbound
                WHERE tenant_id = \(self.tenantID) AND status_enum = 150 AND claimed_by IS NOT NULL
                  AND claimed_at < now() - make_interval(secs => \(NotificationRetryPolicy.milliseconds(self.lease) / 1000))
                GROUP BY claimed_by, claimed_at
                ORDER BY min(id)
                LIMIT 1
            )
            UPDATE sms_messages_outbound AS m SET claimed_by = \(self.claimant), claimed_at = now()
            FROM abandoned
            WHERE m.tenant_id = \(self.tenantID) AND m.status_enum = 150
              AND m.claimed_by = abandoned.claimed_by AND m.claimed_at = abandoned.claimed_at
            RETURNING m.*
            """
        )
    }
}

extension NotificationOutbox {
    /// Records the gateway's answer for a whole batch in one transaction, so a crash leaves either
    /// every row of the batch answered or none (and the batch is then found again whole).
    ///
    /// - Parameter outcomes: per row id, the status to set (150, 200, 300 or 400), the provider's
    ///   id of the message and the error text of a failure.
    func recordBatch(_ outcomes: [Int64: SMSGatewayClient.Report]) async throws {
        guard !outcomes.isEmpty else { return }
        try await self.pool.withTransaction { connection in
            for (id, report) in outcomes.sorted(by: { $0.key < $1.key }) {
                try await connection.query(
                    """
                    UPDATE sms_messages_outbound
                    SET status_enum = \(report.status), attempt_count = attempt_count + 1,
                        claimed_by = NULL, claimed_at = NULL, last_error = \(report.error),
                        external_id = coalesce(\(report.externalID), external_id),
                        delivered_on_date = CASE WHEN \(report.status) = \(Self.delivered) THEN now() ELSE delivered_on_date END
                    WHERE tenant_id = \(self.tenantID) AND id = \(id) AND claimed_by = \(self.claimant)
                    """
                )
            }
        }
    }
}
