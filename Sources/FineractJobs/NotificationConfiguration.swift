public import HTTPClient

/// How the notification workers reach the outside world, and how they retry; read from the
/// environment at start-up (`SMTP_*`, `SMS_GATEWAY_*`, `NOTIFICATION_*`).
///
/// Job parameters may override the non-secret knobs of one run (batch size, attempts, time-outs,
/// the sender address), but never a server URL, a credential or the TLS mode: a job can be
/// created through Hasura by a tenant, and pointing the service's credentials at a server of the
/// job author's choosing must not be possible.
public struct NotificationConfiguration: Sendable {
    /// The SMTP server e-mail goes to; nil leaves `email_notification` unable to run.
    public var smtp: SMTPClient.Configuration?
    /// The sender of every e-mail (`SMTP_FROM`).
    public var emailFrom: EmailAddress?
    /// The message gateway's endpoint that takes SMS batches; nil leaves `sms_notification` unable to run.
    public var smsGatewayURL: String?
    /// Sent as `Authorization: Bearer ...` to the gateway; never logged.
    public var smsGatewayToken: String?
    /// The longest one gateway request may take.
    public var smsGatewayTimeout: Duration = .seconds(30)
    /// Attempts per message and the wait between them.
    public var retry = NotificationRetryPolicy()
    /// How long a worker's claim on a message lasts; an older claim is taken to be abandoned (its
    /// worker died) and the message is picked up again. Must exceed the send time-outs.
    public var claimLease: Duration = .seconds(300)

    public init() {}

    /// A one-line summary for the start-up log; passwords and tokens are never shown.
    public var redactedSummary: String {
        var parts: [String] = []
        if let smtp = self.smtp {
            parts.append("smtp=\(smtp.url)")
            parts.append("smtpTLS=\(smtp.transportSecurity.rawValue)")
            parts.append("smtpUser=\(smtp.username == nil ? "none" : "<set>")")
            parts.append("smtpPassword=\(smtp.password == nil ? "none" : "<redacted>")")
            parts.append("smtpFrom=\(self.emailFrom?.address ?? "none")")
        } else {
            parts.append("smtp=off")
        }
        parts.append("smsGateway=\(self.smsGatewayURL ?? "off")")
        parts.append("smsGatewayToken=\(self.smsGatewayToken == nil ? "none" : "<redacted>")")
        parts.append("notificationMaxAttempts=\(self.retry.maxAttempts)")
        return parts.joined(separator: " ")
    }
}
