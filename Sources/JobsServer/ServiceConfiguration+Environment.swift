import FineractJobs
public import Foundation
import Logging
import Postgres

extension ServiceConfiguration {
    /// Reads the configuration from environment variables.
    ///
    /// | Variable | Type | Default |
    /// | --- | --- | --- |
    /// | `PORT` | TCP port, 0-65535 | 3100 |
    /// | `HOST` | IPv4 address to bind | 127.0.0.1 |
    /// | `API_TOKEN` | bearer token for the REST API | none (then `HOST` must be loopback) |
    /// | `SCHEDULER_WEBHOOK_SECRET` | shared secret of Hasura's calls, 16-512 characters | none (Hasura routes off) |
    /// | `DATABASE_URL` | `postgres://user:password@host:port/db` | unset |
    /// | `POSTGRES_HOST` | host name or socket folder | unset (embedded database) |
    /// | `POSTGRES_PORT` | port | 5432 |
    /// | `POSTGRES_DB` | database name | postgres |
    /// | `POSTGRES_USER` | user | postgres |
    /// | `POSTGRES_PASSWORD` | password | none |
    /// | `EMBEDDED_POSTGRES_DIR` | folder of the embedded cluster | `.fineract-jobs/postgres` |
    /// | `DB_POOL_SIZE` | connections, 2-500 | 20 |
    /// | `MAX_CONCURRENT_JOBS` | executions per node, 1-1000 | 10 |
    /// | `LOG_LEVEL` | trace, debug, info, notice, warning, error, critical | info |
    /// | `LOG_FORMAT` | json or text | json |
    /// | `NODE_ID` | 1-200 characters | `<hostname>-<pid>` |
    /// | `MIGRATIONS_DIR` | folder of Hasura-layout migrations | `migrations/default` |
    /// | `MAX_BODY_BYTES` | request body limit, 1 KiB-64 MiB | 1048576 |
    /// | `SHUTDOWN_GRACE_SECONDS` | 0-3600 | 30 |
    /// | `POLL_INTERVAL_MS` | 50-60000 | 1000 |
    /// | `MISFIRE_THRESHOLD_SECONDS` | 0-86400 | 60 |
    /// | `CATCH_UP_LIMIT` | 1-10000 | 100 |
    /// | `LEASE_DURATION_SECONDS` | 3-3600 | 30 |
    /// | `ABANDON_GRACE_SECONDS` | 0-600 | 5 |
    /// | `DIAGNOSTIC_JOB_TYPES` | true or false | false |
    /// | `SCHEDULER_ENABLED` | true or false | true |
    /// | `SMTP_URL` | `smtp://host[:port]` or `smtps://host[:port]`, no credentials in it | none (e-mail off) |
    /// | `SMTP_USERNAME` | SMTP AUTH user | none (no AUTH) |
    /// | `SMTP_PASSWORD` | SMTP AUTH password; secret, never logged | none |
    /// | `SMTP_FROM` | sender address; required with `SMTP_URL` | none |
    /// | `SMTP_TLS` | none, starttls (when offered) or required | starttls |
    /// | `SMTP_TIMEOUT_SECONDS` | 1-300, per message | 30 |
    /// | `SMS_GATEWAY_URL` | `http(s)://...` endpoint taking SMS batches | none (SMS off) |
    /// | `SMS_GATEWAY_TOKEN` | bearer token for the gateway; secret, never logged | none |
    /// | `SMS_GATEWAY_TIMEOUT_SECONDS` | 1-300, per batch | 30 |
    /// | `NOTIFICATION_MAX_ATTEMPTS` | 1-100 attempts per message | 5 |
    /// | `NOTIFICATION_CLAIM_LEASE_SECONDS` | 30-86400; longer than both time-outs | 300 |
    ///
    /// `DATABASE_URL` wins over `POSTGRES_*`; with neither, the embedded database is used.
    ///
    /// - Throws: `ConfigurationError` naming the first variable with a bad value.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigurationError) -> ServiceConfiguration {
        let reader = EnvironmentReader(environment: environment)
        var configuration = ServiceConfiguration(
            nodeID: try reader.string("NODE_ID", maxLength: 200) ?? defaultNodeID()
        )
        configuration.port = try reader.integer("PORT", in: 0...65_535) ?? configuration.port
        configuration.host = try reader.string("HOST", maxLength: 64) ?? configuration.host
        configuration.apiToken = try reader.string("API_TOKEN", maxLength: 512)
        configuration.hasuraSecret = try reader.string("SCHEDULER_WEBHOOK_SECRET", maxLength: 512)
        if let secret = configuration.hasuraSecret, secret.count < 16 {
            throw ConfigurationError(key: "SCHEDULER_WEBHOOK_SECRET", message: "must be at least 16 characters")
        }
        if configuration.apiToken == nil, !["127.0.0.1", "localhost"].contains(configuration.host) {
            throw ConfigurationError(
                key: "HOST",
                message: "binding to \(configuration.host) needs API_TOKEN; without a token the API stays on loopback"
            )
        }
        if let url = try reader.string("DATABASE_URL", maxLength: 2048) {
            do {
                configuration.database = .external(try PostgresConfiguration(url: url))
            } catch {
                throw ConfigurationError(key: "DATABASE_URL", message: error.message)
            }
        } else if let host = try reader.string("POSTGRES_HOST", maxLength: 512) {
            configuration.database = .external(
                PostgresConfiguration(
                    host: host,
                    port: try reader.integer("POSTGRES_PORT", in: 1...65_535) ?? 5432,
                    database: try reader.string("POSTGRES_DB", maxLength: 63) ?? "postgres",
                    user: try reader.string("POSTGRES_USER", maxLength: 63) ?? "postgres",
                    password: environment["POSTGRES_PASSWORD"]
                )
            )
        } else if let directory = try reader.string("EMBEDDED_POSTGRES_DIR", maxLength: 1024) {
            configuration.database = .embedded(directory: URL(fileURLWithPath: directory))
        }
        configuration.databasePoolSize =
            try reader.integer("DB_POOL_SIZE", in: 2...500) ?? configuration.databasePoolSize
        configuration.maxConcurrentJobs =
            try reader.integer("MAX_CONCURRENT_JOBS", in: 1...1000) ?? configuration.maxConcurrentJobs
        configuration.logLevel = try reader.choice("LOG_LEVEL", Logger.Level.self) ?? configuration.logLevel
        configuration.logFormat =
            try reader.choice("LOG_FORMAT", StreamLogHandler.Format.self) ?? configuration.logFormat
        if let directory = try reader.string("MIGRATIONS_DIR", maxLength: 1024) {
            configuration.migrationsDirectory = URL(fileURLWithPath: directory)
        }
        configuration.maxBodyBytes =
            try reader.integer("MAX_BODY_BYTES", in: 1024...(64 << 20)) ?? configuration.maxBodyBytes
        if let seconds = try reader.integer("SHUTDOWN_GRACE_SECONDS", in: 0...3600) {
            configuration.shutdownGracePeriod = .seconds(seconds)
        }
        if let milliseconds = try reader.integer("POLL_INTERVAL_MS", in: 50...60_000) {
            configuration.pollInterval = .milliseconds(milliseconds)
        }
        if let seconds = try reader.integer("MISFIRE_THRESHOLD_SECONDS", in: 0...86_400) {
            configuration.misfireThreshold = .seconds(seconds)
        }
        configuration.catchUpLimit = try reader.integer("CATCH_UP_LIMIT", in: 1...10_000) ?? configuration.catchUpLimit
        if let seconds = try reader.integer("LEASE_DURATION_SECONDS", in: 3...3600) {
            configuration.leaseDuration = .seconds(seconds)
        }
        if let seconds = try reader.integer("ABANDON_GRACE_SECONDS", in: 0...600) {
            configuration.abandonGracePeriod = .seconds(seconds)
        }
        configuration.diagnosticJobTypes = try reader.boolean("DIAGNOSTIC_JOB_TYPES") ?? false
        configuration.schedulerEnabled = try reader.boolean("SCHEDULER_ENABLED") ?? true
        configuration.notifications = try NotificationConfiguration.fromEnvironment(reader)
        return configuration
    }
}

/// Reads typed values from the environment; an empty variable counts as unset.
struct EnvironmentReader {
    let environment: [String: String]

    func string(_ key: String, maxLength: Int) throws(ConfigurationError) -> String? {
        guard let raw = self.environment[key]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
        guard raw.count <= maxLength else {
            throw ConfigurationError(key: key, message: "must be at most \(maxLength) characters")
        }
        return raw
    }

    func integer(_ key: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
        guard let raw = try self.string(key, maxLength: 20) else { return nil }
        guard let value = Int(raw) else {
            throw ConfigurationError(key: key, message: "'\(raw)' is not a whole number")
        }
        guard range.contains(value) else {
            throw ConfigurationError(key: key, message: "\(value) is outside \(range.lowerBound)-\(range.upperBound)")
        }
        return value
    }

    func boolean(_ key: String) throws(ConfigurationError) -> Bool? {
        guard let raw = try self.string(key, maxLength: 5) else { return nil }
        switch raw.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw ConfigurationError(key: key, message: "'\(raw)' is not true or false")
        }
    }

    func choice<Value: RawRepresentable & CaseIterable>(
        _ key: String,
        _ type: Value.Type
    ) throws(ConfigurationError) -> Value? where Value.RawValue == String {
        guard let raw = try self.string(key, maxLength: 64) else { return nil }
        guard let value = Value(rawValue: raw.lowercased()) else {
            let allowed = Value.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigurationError(key: key, message: "'\(raw)' is not one of \(allowed)")
        }
        return value
    }
}
