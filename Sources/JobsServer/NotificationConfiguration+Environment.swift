import FineractJobs
import Foundation
import HTTPClient

extension NotificationConfiguration {
    /// Reads the `SMTP_*`, `SMS_GATEWAY_*` and `NOTIFICATION_*` variables (listed with
    /// `ServiceConfiguration.fromEnvironment`).
    ///
    /// - Throws: `ConfigurationError` naming the first variable with a bad value.
    static func fromEnvironment(_ reader: EnvironmentReader) throws(ConfigurationError) -> NotificationConfiguration {
        var configuration = NotificationConfiguration()
        if let url = try reader.string("SMTP_URL", maxLength: 2048) {
            try Self.checkServerURL(url, key: "SMTP_URL", schemes: ["smtp", "smtps"])
            guard let fromText = try reader.string("SMTP_FROM", maxLength: 254) else {
                throw ConfigurationError(key: "SMTP_FROM", message: "is required when SMTP_URL is set")
            }
            guard let from = EmailAddress(fromText) else {
                throw ConfigurationError(key: "SMTP_FROM", message: "'\(fromText)' is not a usable e-mail address")
            }
            configuration.emailFrom = from
            configuration.smtp = SMTPClient.Configuration(
                url: url,
                transportSecurity: try reader.choice("SMTP_TLS", SMTPClient.TransportSecurity.self) ?? .starttls,
                username: try reader.string("SMTP_USERNAME", maxLength: 512),
                password: reader.secret("SMTP_PASSWORD"),
                timeout: .seconds(try reader.integer("SMTP_TIMEOUT_SECONDS", in: 1...300) ?? 30)
            )
        }
        if let url = try reader.string("SMS_GATEWAY_URL", maxLength: 2048) {
            try Self.checkServerURL(url, key: "SMS_GATEWAY_URL", schemes: ["http", "https"])
            configuration.smsGatewayURL = url
            configuration.smsGatewayToken = reader.secret("SMS_GATEWAY_TOKEN")
            if let token = configuration.smsGatewayToken, token.contains(where: { $0 == "\r" || $0 == "\n" }) {
                throw ConfigurationError(key: "SMS_GATEWAY_TOKEN", message: "must be a single line")
            }
        }
        if let seconds = try reader.integer("SMS_GATEWAY_TIMEOUT_SECONDS", in: 1...300) {
            configuration.smsGatewayTimeout = .seconds(seconds)
        }
        if let attempts = try reader.integer("NOTIFICATION_MAX_ATTEMPTS", in: 1...100) {
            configuration.retry.maxAttempts = attempts
        }
        if let seconds = try reader.integer("NOTIFICATION_CLAIM_LEASE_SECONDS", in: 30...86_400) {
            configuration.claimLease = .seconds(seconds)
        }
        let longestSend = max(configuration.smtp?.timeout ?? .zero, configuration.smsGatewayTimeout)
        guard configuration.claimLease > longestSend else {
            throw ConfigurationError(
                key: "NOTIFICATION_CLAIM_LEASE_SECONDS",
                message: "must be longer than SMTP_TIMEOUT_SECONDS and SMS_GATEWAY_TIMEOUT_SECONDS"
            )
        }
        return configuration
    }

    /// A server URL must have one of `schemes` and a host, and carry no credentials: those have
    /// variables of their own, which are kept out of logs.
    private static func checkServerURL(_ url: String, key: String, schemes: Set<String>) throws(ConfigurationError) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            schemes.contains(scheme), components.host?.isEmpty == false
        else {
            throw ConfigurationError(
                key: key,
                message: "must be a \(schemes.sorted().joined(separator: " or ")) URL with a host"
            )
        }
        guard components.user == nil, components.password == nil else {
            throw ConfigurationError(key: key, message: "must not carry credentials; use the variables for them")
        }
    }
}

extension EnvironmentReader {
    /// A secret's value as given (not trimmed, no length check that could echo it), nil when unset.
    func secret(_ key: String) -> String? {
        guard let value = self.environment[key], !value.isEmpty else { return nil }
        return value
    }
}
