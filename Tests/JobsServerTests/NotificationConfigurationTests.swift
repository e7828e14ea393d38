import FineractJobs
import HTTPClient
import JobsServer
import Testing

struct NotificationConfigurationTests {
    @Test func notificationsAreOffWithoutTheirServers() throws {
        let configuration = try ServiceConfiguration.fromEnvironment([:])
        #expect(configuration.notifications.smtp == nil)
        #expect(configuration.notifications.smsGatewayURL == nil)
        #expect(configuration.notifications.retry.maxAttempts == 5)
        #expect(configuration.notifications.claimLease == .seconds(300))
    }

    @Test func readsTheSMTPAndGatewayVariablesAndRedactsTheirSecrets() throws {
        let configuration = try ServiceConfiguration.fromEnvironment([
            "SMTP_URL": "smtps://mail.example.org:465", "SMTP_USERNAME": "jobs", "SMTP_PASSWORD": "s3cret-pass",
            "SMTP_FROM": "noreply@example.org", "SMTP_TLS": "required", "SMTP_TIMEOUT_SECONDS": "20",
            "SMS_GATEWAY_URL": "https://gateway.example.org/sms", "SMS_GATEWAY_TOKEN": "tok-123456",
            "SMS_GATEWAY_TIMEOUT_SECONDS": "15", "NOTIFICATION_MAX_ATTEMPTS": "8",
            "NOTIFICATION_CLAIM_LEASE_SECONDS": "120",
        ])
        let notifications = configuration.notifications
        let smtp = try #require(notifications.smtp)
        #expect(smtp.url == "smtps://mail.example.org:465")
        #expect(smtp.username == "jobs")
        #expect(smtp.password == "s3cret-pass")
        #expect(smtp.transportSecurity == .required)
        #expect(smtp.timeout == .seconds(20))
        #expect(notifications.emailFrom?.address == "noreply@example.org")
        #expect(notifications.smsGatewayURL == "https://gateway.example.org/sms")
        #expect(notifications.smsGatewayToken == "tok-123456")
        #expect(notifications.smsGatewayTimeout == .seconds(15))
        #expect(notifications.retry.maxAttempts == 8)
        #expect(notifications.claimLease == .seconds(120))
        let summary = configuration.redactedSummary
        #expect(!summary.contains("s3cret-pass"))
        #expect(!summary.contains("tok-123456"))
        #expect(summary.contains("smtpPassword=<redacted>"))
        #expect(summary.contains("smsGatewayToken=<redacted>"))
    }

    @Test(
        arguments: [
            (["SMTP_URL": "smtp://mail.example.org"], "SMTP_FROM"),
            (["SMTP_URL": "smtp://mail.example.org", "SMTP_FROM": "not an address"], "SMTP_FROM"),
            (["SMTP_URL": "http://mail.example.org", "SMTP_FROM": "a@example.org"], "SMTP_URL"),
            (["SMTP_URL": "smtp://user:pw@mail.example.org", "SMTP_FROM": "a@example.org"], "SMTP_URL"),
            (["SMTP_URL": "smtp://mail.example.org", "SMTP_FROM": "a@example.org", "SMTP_TLS": "maybe"], "SMTP_TLS"),
            (["SMS_GATEWAY_URL": "ftp://gateway.example.org"], "SMS_GATEWAY_URL"),
            (["NOTIFICATION_MAX_ATTEMPTS": "0"], "NOTIFICATION_MAX_ATTEMPTS"),
            (
                ["SMS_GATEWAY_TIMEOUT_SECONDS": "60", "NOTIFICATION_CLAIM_LEASE_SECONDS": "45"],
                "NOTIFICATION_CLAIM_LEASE_SECONDS"
            ),
        ]
    )
    func badValuesAreRefusedNamingTheVariable(environment: [String: String], key: String) {
        #expect {
            try ServiceConfiguration.fromEnvironment(environment)
        } throws: { error in
            (error as? ConfigurationError)?.key == key
        }
    }
}
