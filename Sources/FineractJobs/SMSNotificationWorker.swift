import Foundation
public import JobsCore
import Logging
public import Postgres

/// `sms_notification(tenant)`: hands the tenant's pending SMS to the message gateway (Fineract's
/// SEND_MESSAGES_TO_SMS_GATEWAY), with retries Fineract does not have.
///
/// Per batch of claimed PENDING rows of `sms_messages_outbound`: set them to 150
/// WAITING_FOR_DELIVERY_REPORT and commit (as Fineract does, before the hand-over), POST the batch
/// (see `SMSGatewayClient`), then record the answer for the whole batch in one transaction:
/// - accepted (2xx) → 200 SENT, or per message what the gateway reported (150, 200, 300, 400);
/// - 5xx, 408, 429, no answer, time-out → back to 100 with `attempt_count` + 1, the error in
///   `last_error` and `next_attempt_at` pushed back (400 after the last attempt); the run stops;
/// - any other 4xx → 400 FAILED with the error.
///
/// Recovery of abandoned hand-overs, done first in every run: a batch left in 150 under a claim
/// older than the lease belongs to a run that died after marking it and before recording the
/// gateway's answer, so whether the gateway has it is unknown. It is taken over whole and POSTed
/// again as exactly the same batch: same rows, same body, hence the same `Idempotency-Key`. A gateway
/// that honours the key sends nothing twice; one that ignores it may send that batch twice, which is
/// the most that can happen, and only after a crash inside that window.
///
/// Parameters (all optional): `batchSize` (1-1000, default 200 as in Fineract), `providerId`,
/// `maxAttempts` (1-100), `timeoutSeconds` (1-300), `retryBaseSeconds`, `retryCapSeconds`,
/// `claimLeaseSeconds`, `chunkSize` (default 1000) and `chunk` (`{"fromId", "toId"}`).
public struct SMSNotificationWorker: JobWorker {
    public let jobType = JobType.smsNotification

    let pool: PostgresPool
    let configuration: NotificationConfiguration

    public init(pool: PostgresPool, configuration: NotificationConfiguration) {
        self.pool = pool
        self.configuration = configuration
    }

    struct RunSettings: Sendable {
        var gateway: SMSGatewayClient
        var providerID: Int64?
        var retry: NotificationRetryPolicy
        var lease: Duration
        var batchSize: Int
        var chunkSize: Int64
        var chunk: ClosedRange<Int64>?
    }

    public func process(parameters: [String: JSONValue], context: JobContext) async throws -> JSONValue {
        let tenantID = try context.requireTenant()
        let settings = try self.settings(WorkerParameters(parameters))
        let outbox = NotificationOutbox(
            pool: self.pool,
            queue: .sms,
            tenantID: tenantID,
            claimant: "\(context.nodeID)/\(context.executionID.uuidString.lowercased())",
            lease: settings.lease
        )
        var tally = NotificationTally()
        guard
            try await self.recoverAbandonedBatches(
                outbox: outbox,
                settings: settings,
                tally: &tally,
                logger: context.logger
            )
        else {
            return tally.json
        }
        let ranges: [ClosedRange<Int64>]
        if let chunk = settings.chunk {
            ranges = [chunk]
        } else {
            ranges = try await outbox.claimableRanges(chunkSize: settings.chunkSize)
        }
        var total: Int64 = 0
        for range in ranges {
            total += try await outbox.claimableCount(in: range)
        }
        await context.reportProgress(done: 0, total: total)
        for range in ranges {
            try context.checkCancellation()
            let gatewayReachable = try await self.sendMessages(
                outbox: outbox,
                idRange: range,
                settings: settings,
                tally: &tally,
                logger: context.logger
            )
            await context.reportProgress(done: Int64(tally.processed), total: total)
            if !gatewayReachable {
                break
            }
        }
        return tally.json
    }

    /// Hands over the claimable messages whose ids lie in `idRange`, one batch at a time.
    ///
    /// - Returns: false when the gateway could not take a batch, so the run should stop.
    func sendMessages(
        outbox: NotificationOutbox,
        idRange: ClosedRange<Int64>,
        settings: RunSettings,
        tally: inout NotificationTally,
        logger: Logger
    ) async throws -> Bool {
        var cursor = idRange.lowerBound - 1
        while true {
            try Task.checkCancellation()
            let claimed = try await outbox.claim(after: cursor, through: idRange.upperBound, limit: settings.batchSize)
            let messages = try Self.messages(in: claimed)
            guard let last = messages.last else { return true }
            cursor = last.id
            var usable: [SMSGatewayClient.Message] = []
            for message in messages {
                if message.mobileNumber.isEmpty {
                    try await outbox.leavePending(id: message.id, note: "not sent: no mobile number")
                    tally.skip(invalid: message.id)
                } else {
                    usable.append(message)
                }
            }
            let marked = Set(try await outbox.markWaitingForDeliveryReport(ids: usable.map(\.id)))
            let batch = usable.filter { marked.contains($0.id) }
            guard try await self.handOver(batch, outbox: outbox, settings: settings, tally: &tally, logger: logger)
            else {
                return false
            }
        }
    }

    static func messages(in rows: PostgresRows) throws -> [SMSGatewayClient.Message] {
        try rows.map { row in
            SMSGatewayClient.Message(
                id: try row.decode("id"),
                mobileNumber: try row.decode("mobile_no", as: String.self).trimmingCharacters(in: .whitespaces),
                text: try row.decode("message")
            )
        }
        .sorted { $0.id < $1.id }
    }
}
