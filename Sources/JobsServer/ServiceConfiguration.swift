public import FineractJobs
public import Foundation
public import Logging
public import Postgres

/// Everything the service can be told at start-up, with the defaults it runs with.
public struct ServiceConfiguration: Sendable {
    /// Where the database comes from.
    public enum Database: Sendable {
        /// A server given by `DATABASE_URL` or `POSTGRES_*`.
        case external(PostgresConfiguration)
        /// The private cluster the service starts itself, in this folder.
        case embedded(directory: URL)
    }

    /// TCP port of the HTTP API.
    public var port: Int = 3100
    /// Address the HTTP API binds to.
    public var host: String = "127.0.0.1"
    /// Bearer token the REST API requires; nil leaves it open, which is allowed on loopback only.
    public var apiToken: String?
    /// The secret Hasura sends in `X-Scheduler-Secret` on actions, events and cron triggers; the
    /// Hasura routes are off without it.
    public var hasuraSecret: String?
    public var database: Database = .embedded(directory: URL(fileURLWithPath: ".fineract-jobs/postgres"))
    /// Connections this node keeps to the database at most.
    public var databasePoolSize: Int = 20
    /// Executions this node runs at once.
    public var maxConcurrentJobs: Int = 10
    public var logLevel: Logger.Level = .info
    public var logFormat: StreamLogHandler.Format = .json
    /// Unique per running node; defaults to `<hostname>-<pid>`.
    public var nodeID: String
    /// The `migrations/default` folder applied at start-up.
    public var migrationsDirectory: URL = URL(fileURLWithPath: "migrations/default")
    /// Largest request body accepted, in bytes.
    public var maxBodyBytes: Int = 1 << 20
    /// How long running work may take to finish after SIGTERM before it is cancelled.
    public var shutdownGracePeriod: Duration = .seconds(30)
    /// How often a node looks for work when no notification arrives.
    public var pollInterval: Duration = .seconds(1)
    /// How late a fire time may be and still run as on time; later ones follow the job's misfire policy.
    public var misfireThreshold: Duration = .seconds(60)
    /// The most missed fire times a `catch_up` job runs after an outage.
    public var catchUpLimit: Int = 100
    /// How long a claimed execution's lease lasts without renewal (renewed every third of it).
    public var leaseDuration: Duration = .seconds(30)
    /// How long a worker gets to stop after a timeout or cancel before its attempt is abandoned.
    public var abandonGracePeriod: Duration = .seconds(5)
    /// Whether the `diagnostic_noop` and `diagnostic_probe` job types are available.
    public var diagnosticJobTypes = false
    /// Whether this node turns due schedules into executions. Every node schedules by default (the
    /// scheduler is leaderless); a node without it only runs what others queue.
    public var schedulerEnabled = true
    /// The SMTP server and SMS gateway of the notification jobs, and their retry policy.
    public var notifications = NotificationConfiguration()

    public init(nodeID: String) {
        self.nodeID = nodeID
    }

    /// The default node id: host name and process id, unique on one machine and readable in logs.
    public static func defaultNodeID() -> String {
        "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
    }

    /// A one-line summary for the start-up log, with secrets redacted.
    public var redactedSummary: String {
        let database: String
        switch self.database {
        case .external(let configuration): database = configuration.redactedDescription
        case .embedded(let directory): database = "embedded at \(directory.path)"
        }
        return [
            "port=\(self.port)", "host=\(self.host)", "apiToken=\(self.apiToken == nil ? "none" : "<redacted>")",
            "hasuraRoutes=\(self.hasuraSecret == nil ? "off" : "on (secret redacted)")",
            "database=\(database)", "poolSize=\(self.databasePoolSize)", "maxConcurrentJobs=\(self.maxConcurrentJobs)",
            "nodeId=\(self.nodeID)", "scheduler=\(self.schedulerEnabled ? "on" : "off")",
            "migrations=\(self.migrationsDirectory.path)",
            self.notifications.redactedSummary,
        ].joined(separator: " ")
    }
}

/// A configuration value the service cannot start with; names the variable and what is wrong.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var key: String
    public var message: String

    public init(key: String, message: String) {
        self.key = key
        self.message = message
    }

    public var description: String { "\(self.key): \(self.message)" }
}
