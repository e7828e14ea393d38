import Foundation

/// Where and how to connect to PostgreSQL.
///
/// `host` is a host name, an IP address, or an absolute directory holding the server's Unix socket
/// (which is how the embedded cluster is reached).
public struct PostgresConfiguration: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var database: String
    public var user: String
    /// Never logged; `redactedDescription` hides it.
    public var password: String?
    /// Reported to the server as `application_name`, visible in `pg_stat_activity`.
    public var applicationName: String
    /// Seconds libpq waits for a connection before giving up.
    public var connectTimeoutSeconds: Int
    /// Further libpq connection keywords, such as `sslmode`.
    public var extraParameters: [String: String]

    public init(
        host: String = "localhost",
        port: Int = 5432,
        database: String = "postgres",
        user: String = "postgres",
        password: String? = nil,
        applicationName: String = "fineract-jobs",
        connectTimeoutSeconds: Int = 10,
        extraParameters: [String: String] = [:]
    ) {
        self.host = host
        self.port = port
        self.database = database
        self.user = user
        self.password = password
        self.applicationName = applicationName
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.extraParameters = extraParameters
    }

    /// Reads a `postgres://user:password@host:port/database?sslmode=require` URL.
    ///
    /// - Throws: `PostgresError` (`.connectionFailed`) naming what is wrong with the URL; the
    ///   message never repeats the URL, which may hold a password.
    public init(url text: String) throws(PostgresError) {
        guard
            let components = URLComponents(string: text),
            let scheme = components.scheme,
            scheme == "postgres" || scheme == "postgresql"
        else {
            throw PostgresError(
                code: .connectionFailed,
                message: "the database URL must look like postgres://user:password@host:port/database"
            )
        }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        var extras: [String: String] = [:]
        var host = components.host ?? "localhost"
        for item in components.queryItems ?? [] {
            // libpq lets a socket directory travel as ?host=/var/run/postgresql.
            if item.name == "host", let value = item.value {
                host = value
            } else {
                extras[item.name] = item.value ?? ""
            }
        }
        self.init(
            host: host.isEmpty ? "localhost" : host,
            port: components.port ?? 5432,
            database: path.isEmpty ? "postgres" : path.removingPercentEncoding ?? path,
            user: components.user?.removingPercentEncoding ?? "postgres",
            password: components.password?.removingPercentEncoding,
            extraParameters: extras
        )
    }

    /// A description for logs, with the password replaced.
    public var redactedDescription: String {
        let secret = self.password == nil ? "" : ":<redacted>"
        return "postgres://\(self.user)\(secret)@\(self.host):\(self.port)/\(self.database)"
    }

    /// The libpq keyword/value pairs for `PQconnectdbParams`.
    var connectionKeywords: [(String, String)] {
        var pairs: [(String, String)] = [
            ("host", self.host),
            ("port", String(self.port)),
            ("dbname", self.database),
            ("user", self.user),
            ("application_name", self.applicationName),
            ("connect_timeout", String(self.connectTimeoutSeconds)),
            // Every session speaks UTC and ISO dates, which is what the row decoders expect, and keeps
            // NOTICE chatter (such as "already exists, skipping") off the process's standard error.
            (
                "options",
                "-c TimeZone=UTC -c DateStyle=ISO,YMD -c IntervalStyle=iso_8601 -c client_min_messages=warning"
            ),
        ]
        if let password = self.password {
            pairs.append(("password", password))
        }
        for (key, value) in self.extraParameters.sorted(by: { $0.key < $1.key }) {
            pairs.append((key, value))
        }
        return pairs
    }
}
