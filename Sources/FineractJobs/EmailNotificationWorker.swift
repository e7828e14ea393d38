import Foundation
import HTTPClient
public import JobsCore
import Logging
public import Postgres

/// `email_notification(tenant)`: sends the tenant's pending e-mails (Fineract's EXECUTE_EMAIL).
///
/// Claims due PENDING rows of `scheduled_email_messages_outbound` in batches and sends each over
/// SMTP: accepted → 200 SENT; refused for good (a 5xx reply) → 400 FAILED with the reply in
/// `error_message`; a passing failure (4xx reply, unreachable server, time-out) → stays 100 with
/// `attempt_count` + 1, the error, and `next_attempt_at` pushed back (400 after the last attempt).
/// Rows with an address that cannot be used are left pending and reported, as Fineract does.
/// Once the server is found unreachable, the rest of the claimed batch gets the same failed
/// attempt without a connection being tried for each, and the run stops.
///
/// Parameters (all optional): `batchSize` (1-500, default 50), `maxAttempts` (1-100),
/// `timeoutSeconds` (1-300), `retryBaseSeconds`, `retryCapSeconds`, `claimLeaseSeconds`,
/// `from` (the sender address), `chunkSize` (default 1000) and `chunk` (`{"fromId", "toId"}`).
///
/// At least once: a crash after the server accepted a message and before 200 is written sends it
/// again once the claim's lease has run out. The resend carries the same `Message-ID`
/// (`fineract-jobs.<tenant>.<id>@<sender domain>`), by which mail systems recognise it.
public struct EmailNotificationWorker: JobWorker {
    public let jobType = JobType.emailNotification

    private let pool: PostgresPool
    let configuration: NotificationConfiguration

    public init(pool: PostgresPool, configuration: NotificationConfiguration) {
        self.pool = pool
        self.configuration = configuration
    }

    /// The settings of one run: the service's configuration with the job's overrides applied.
    struct RunSettings: Sendable {
        var smtp: SMTPClient.Configuration
        var from: EmailAddress
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
            queue: .email,
            tenantID: tenantID,
            claimant: "\(context.nodeID)/\(context.executionID.uuidString.lowercased())",
            lease: settings.lease
        )
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
        var tally = NotificationTally()
        for range in ranges {
            try context.checkCancellation()
            let serverReachable = try await self.sendEmails(
                outbox: outbox,
                idRange: range,
                settings: settings,
                tally: &tally,
                logger: context.logger
            )
            await context.reportProgress(done: Int64(tally.processed), total: total)
            if !serverReachable {
                break
            }
        }
        return tally.json
    }

    /// Sends the claimable e-mails whose ids lie in `idRange`, one batch of claims at a time.
    ///
    /// - Returns: false when the server turned out unreachable, so the run should stop.
    func sendEmails(
        outbox: NotificationOutbox,
        idRange: ClosedRange<Int64>,
        settings: RunSettings,
        tally: inout NotificationTally,
        logger: Logger
    ) async throws -> Bool {
        let client = SMTPClient(configuration: settings.smtp)
        var cursor = idRange.lowerBound - 1
        while true {
            try Task.checkCancellation()
            let batch = try await outbox.claim(after: cursor, through: idRange.upperBound, limit: settings.batchSize)
            let rows = try batch.map { row in try (id: row.decode("id", as: Int64.self), row: row) }
                .sorted { $0.id < $1.id }
            guard let last = rows.last else { return true }
            cursor = last.id
            for (index, entry) in rows.enumerated() {
                let outcome = try await self.sendOne(
                    entry.row,
                    id: entry.id,
                    outbox: outbox,
                    client: client,
                    settings: settings,
                    tally: &tally,
                    logger: logger
                )
                if case .serverUnreachable(let error) = outcome {
                    // The server is down for every message of the batch alike: each counts a failed
                    // attempt now, so none waits longer (or fails sooner) for its place in the queue.
                    let untried = rows[(index + 1)...].map(\.id)
                    let givenUp = try await outbox.recordRetry(ids: untried, error: error, policy: settings.retry)
                    tally.failed += givenUp.count
                    tally.retryLater += untried.count - givenUp.count
                    return false
                }
            }
        }
    }
}
