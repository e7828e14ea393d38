import JobsCore
import Logging

extension SMSNotificationWorker {
    /// POSTs one batch that is in 150 under this run's claim and records the gateway's answer.
    ///
    /// - Returns: false when the gateway could not take it now.
    func handOver(
        _ batch: [SMSGatewayClient.Message],
        outbox: NotificationOutbox,
        settings: RunSettings,
        tally: inout NotificationTally,
        logger: Logger
    ) async throws -> Bool {
        guard !batch.isEmpty else { return true }
        let ids = batch.map(\.id)
        let reply = try await settings.gateway.send(
            tenantID: outbox.tenantID,
            providerID: settings.providerID,
            messages: batch
        )
        switch reply {
        case .accepted(let reports):
            var outcomes: [Int64: SMSGatewayClient.Report] = [:]
            for id in ids {
                let report = reports[id] ?? SMSGatewayClient.Report(status: NotificationOutbox.sent)
                outcomes[id] = report
                switch report.status {
                case NotificationOutbox.waitingForDeliveryReport: tally.waitingForReport += 1
                case NotificationOutbox.failed: tally.failed += 1
                default: tally.sent += 1
                }
            }
            try await outbox.recordBatch(outcomes)
            logger.debug("SMS batch accepted by the gateway", metadata: [.notificationCount: "\(ids.count)"])
            return true
        case .permanent(let message):
            try await outbox.recordFinal(ids: ids, status: NotificationOutbox.failed, error: message)
            tally.failed += ids.count
            tally.lastError = message
            logger.warning("SMS batch refused by the gateway", metadata: [.notificationCount: "\(ids.count)"])
            return true
        case .transient(let message):
            let givenUp = try await outbox.recordRetry(ids: ids, error: message, policy: settings.retry)
            tally.failed += givenUp.count
            tally.retryLater += ids.count - givenUp.count
            tally.lastError = message
            logger.warning(
                "SMS gateway unavailable; the run's remaining messages wait for the next run",
                metadata: [.notificationCount: "\(ids.count)", .error: "\(message)"]
            )
            return false
        }
    }

    /// Resends, whole and unchanged, every batch whose hand-over a dead run abandoned in 150.
    ///
    /// - Returns: false when the gateway could not take one, so the run should stop.
    func recoverAbandonedBatches(
        outbox: NotificationOutbox,
        settings: RunSettings,
        tally: inout NotificationTally,
        logger: Logger
    ) async throws -> Bool {
        while true {
            try Task.checkCancellation()
            let batch = try Self.messages(in: try await outbox.takeOverAbandonedBatch())
            guard !batch.isEmpty else { return true }
            tally.recoveredBatches += 1
            logger.info(
                "resending an SMS batch whose hand-over was abandoned",
                metadata: [.notificationCount: "\(batch.count)"]
            )
            guard try await self.handOver(batch, outbox: outbox, settings: settings, tally: &tally, logger: logger)
            else {
                return false
            }
        }
    }

    /// The run's settings: the service's configuration with the job's non-secret overrides.
    func settings(_ parameters: WorkerParameters) throws(JobWorkerError) -> RunSettings {
        guard let url = self.configuration.smsGatewayURL else {
            throw JobWorkerError(
                code: "sms_gateway_not_configured",
                message: "no SMS gateway is configured (SMS_GATEWAY_URL)",
                isRetryable: false
            )
        }
        let timeout = try parameters.seconds("timeoutSeconds", in: 1...300) ?? self.configuration.smsGatewayTimeout
        let lease = try parameters.seconds("claimLeaseSeconds", in: 30...86_400) ?? self.configuration.claimLease
        guard lease > timeout else {
            throw WorkerParameters.invalid("claimLeaseSeconds", "must be longer than the send time-out")
        }
        return RunSettings(
            gateway: SMSGatewayClient(url: url, token: self.configuration.smsGatewayToken, timeout: timeout),
            providerID: try parameters.integer("providerId", in: 1...Int64.max),
            retry: try NotificationRetrySettings.policy(parameters, default: self.configuration.retry),
            lease: lease,
            batchSize: Int(try parameters.integer("batchSize", in: 1...1000) ?? 200),
            chunkSize: try parameters.chunkSize(),
            chunk: try parameters.chunk()
        )
    }
}
