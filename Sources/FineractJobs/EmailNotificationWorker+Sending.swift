import Foundation
import HTTPClient
import JobsCore
import Logging
import Postgres

extension EmailNotificationWorker {
    enum SendOutcome: Equatable {
        case done
        /// The server could not be reached; the error text to record on the messages not tried.
        case serverUnreachable(String)
    }

    /// Sends one claimed row and records what happened to it.
    func sendOne(
        _ row: PostgresRow,
        id: Int64,
        outbox: NotificationOutbox,
        client: SMTPClient,
        settings: RunSettings,
        tally: inout NotificationTally,
        logger: Logger
    ) async throws -> SendOutcome {
        let rawAddress: String = try row.decode("email_address")
        guard let recipient = EmailAddress(rawAddress) else {
            try await outbox.leavePending(id: id, note: "not sent: the e-mail address cannot be used")
            tally.skip(invalid: id)
            logger.warning("e-mail left pending: unusable address", metadata: [.notificationID: "\(id)"])
            return .done
        }
        // A claim whose lease ran out may have been taken over; only the holder may send.
        guard try await outbox.renewClaim(id: id) else {
            return .done
        }
        let message = EmailMessage(
            from: settings.from,
            to: recipient,
            subject: try row.decode("email_subject"),
            body: try row.decode("message"),
            messageID: "fineract-jobs.\(outbox.tenantID).\(id)@\(settings.from.domain)"
        )
        do {
            try await client.send(message)
            try await outbox.recordFinal(ids: [id], status: NotificationOutbox.sent, error: nil)
            tally.sent += 1
            return .done
        } catch let error as CurlError {
            let failure = SMTPFailure(error)
            tally.lastError = failure.message
            logger.debug(
                "e-mail not accepted",
                metadata: [.notificationID: "\(id)", .error: "\(String(reflecting: error))"]
            )
            if failure.isPermanent {
                try await outbox.recordFinal(ids: [id], status: NotificationOutbox.failed, error: failure.message)
                tally.failed += 1
                return .done
            }
            let givenUp = try await outbox.recordRetry(ids: [id], error: failure.message, policy: settings.retry)
            if givenUp.isEmpty {
                tally.retryLater += 1
            } else {
                tally.failed += 1
            }
            if failure.isServerUnreachable {
                logger.warning(
                    "SMTP server unavailable; the run's remaining e-mails wait for the next run",
                    metadata: [.error: "\(failure.message)"]
                )
                return .serverUnreachable(failure.message)
            }
            return .done
        }
    }

    /// The run's settings: the service's configuration with the job's non-secret overrides.
    func settings(_ parameters: WorkerParameters) throws(JobWorkerError) -> RunSettings {
        guard var smtp = self.configuration.smtp else {
            throw JobWorkerError(
                code: "smtp_not_configured",
                message: "no SMTP server is configured (SMTP_URL)",
                isRetryable: false
            )
        }
        var from = self.configuration.emailFrom
        if let override = try parameters.string("from", maxLength: 254) {
            guard let address = EmailAddress(override) else {
                throw WorkerParameters.invalid("from", "is not a usable e-mail address")
            }
            from = address
        }
        guard let from else {
            throw JobWorkerError(
                code: "smtp_not_configured",
                message: "no sender address is configured (SMTP_FROM)",
                isRetryable: false
            )
        }
        smtp.timeout = try parameters.seconds("timeoutSeconds", in: 1...300) ?? smtp.timeout
        let retry = try NotificationRetrySettings.policy(parameters, default: self.configuration.retry)
        let lease = try parameters.seconds("claimLeaseSeconds", in: 30...86_400) ?? self.configuration.claimLease
        guard lease > smtp.timeout else {
            throw WorkerParameters.invalid("claimLeaseSeconds", "must be longer than the send time-out")
        }
        return RunSettings(
            smtp: smtp,
            from: from,
            retry: retry,
            lease: lease,
            batchSize: Int(try parameters.integer("batchSize", in: 1...500) ?? 50),
            chunkSize: try parameters.chunkSize(),
            chunk: try parameters.chunk()
        )
    }
}

/// The job overrides of the retry policy, shared by the e-mail and SMS workers.
enum NotificationRetrySettings {
    static func policy(
        _ parameters: WorkerParameters,
        default policy: NotificationRetryPolicy
    ) throws(JobWorkerError) -> NotificationRetryPolicy {
        let maxAttempts = try parameters.integer("maxAttempts", in: 1...100).map(Int.init) ?? policy.maxAttempts
        let base = try parameters.seconds("retryBaseSeconds", in: 1...86_400) ?? policy.base
        let cap = try parameters.seconds("retryCapSeconds", in: 1...604_800) ?? max(policy.cap, base)
        guard cap >= base else {
            throw WorkerParameters.invalid("retryCapSeconds", "must not be shorter than retryBaseSeconds")
        }
        return NotificationRetryPolicy(maxAttempts: maxAttempts, base: base, cap: cap)
    }
}
