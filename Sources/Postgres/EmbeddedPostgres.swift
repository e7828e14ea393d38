public import Foundation
public import Logging

/// A private PostgreSQL cluster started from the installed server binaries, for running with no
/// database configured.
///
/// The cluster lives in `dataDirectory`, listens on a Unix socket only (no TCP port), and is reused
/// on the next start, so data survives restarts. When the service runs as root the server runs as
/// the unprivileged `postgres` system user, because PostgreSQL refuses to run as root.
public final class EmbeddedPostgres: Sendable {
    /// The database the service uses inside the cluster.
    public static let databaseName = "fineract_jobs"
    /// The cluster's superuser, created by initdb.
    public static let superuser = "fineract_jobs"

    public let baseDirectory: URL
    private let logger: Logger
    private let serverUser: String?

    /// - Parameters:
    ///   - baseDirectory: holds `data/` (the cluster), `socket/` and `postgres.log`.
    ///   - serverUser: the system user the server runs as when this process is root.
    public init(baseDirectory: URL, serverUser: String = "postgres", logger: Logger) {
        self.baseDirectory = baseDirectory.standardizedFileURL
        self.logger = logger
        self.serverUser = getuid() == 0 ? serverUser : nil
    }

    var dataDirectory: URL { self.baseDirectory.appendingPathComponent("data") }
    var socketDirectory: URL { self.baseDirectory.appendingPathComponent("socket") }
    var logFile: URL { self.baseDirectory.appendingPathComponent("postgres.log") }

    /// Initialises the cluster when needed, starts it, creates the service database, and returns
    /// how to connect to it.
    ///
    /// - Throws: `PostgresError` (`.embeddedCluster`) saying which step failed.
    public func start() async throws -> PostgresConfiguration {
        let binaries = try Self.findServerBinaries()
        try await self.prepareDirectories()
        if !FileManager.default.fileExists(atPath: self.dataDirectory.appendingPathComponent("PG_VERSION").path) {
            self.logger.info(
                "initialising embedded database",
                metadata: [.dbDataDirectory: "\(self.dataDirectory.path)"]
            )
            try await self.runTool(
                binaries.appendingPathComponent("initdb"),
                [
                    "-D", self.dataDirectory.path, "-U", Self.superuser, "--auth=trust",
                    "--encoding=UTF8", "--locale=C",
                ],
                step: "initdb"
            )
        }
        let options = "-c listen_addresses='' -k \(self.socketDirectory.path) -c max_connections=200"
        self.logger.info("starting embedded database", metadata: [.dbDataDirectory: "\(self.dataDirectory.path)"])
        try await self.runTool(
            binaries.appendingPathComponent("pg_ctl"),
            ["-D", self.dataDirectory.path, "-l", self.logFile.path, "-o", options, "-w", "-t", "60", "start"],
            step: "pg_ctl start"
        )
        let configuration = PostgresConfiguration(
            host: self.socketDirectory.path,
            port: 5432,
            database: "postgres",
            user: Self.superuser
        )
        let connection = try await PostgresConnection.connect(configuration: configuration, logger: self.logger)
        let exists = try await connection.query(
            "SELECT 1 FROM pg_database WHERE datname = \(Self.databaseName)"
        )
        if exists.isEmpty {
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(Self.databaseName)"))
        }
        var serviceConfiguration = configuration
        serviceConfiguration.database = Self.databaseName
        return serviceConfiguration
    }

    /// Stops the cluster (fast shutdown: open sessions are disconnected, data is flushed).
    public func stop() async {
        guard let binaries = try? Self.findServerBinaries() else { return }
        do {
            try await self.runTool(
                binaries.appendingPathComponent("pg_ctl"),
                ["-D", self.dataDirectory.path, "-m", "fast", "-w", "stop"],
                step: "pg_ctl stop"
            )
            self.logger.info("embedded database stopped")
        } catch {
            self.logger.warning("embedded database did not stop cleanly", metadata: [.error: "\(error)"])
        }
    }

    /// Finds the directory holding `initdb`, `pg_ctl` and `postgres`.
    ///
    /// Looks at `POSTGRES_BIN_DIR`, then Debian's `/usr/lib/postgresql/<major>/bin` (newest first),
    /// then the `PATH`.
    static func findServerBinaries() throws -> URL {
        let fileManager = FileManager.default
        var candidates: [String] = []
        if let explicit = ProcessInfo.processInfo.environment["POSTGRES_BIN_DIR"] {
            candidates.append(explicit)
        }
        if let versions = try? fileManager.contentsOfDirectory(atPath: "/usr/lib/postgresql") {
            let sorted = versions.compactMap { Int($0) }.sorted(by: >)
            candidates += sorted.map { "/usr/lib/postgresql/\($0)/bin" }
        }
        candidates += (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        for directory in candidates where fileManager.isExecutableFile(atPath: directory + "/initdb") {
            return URL(fileURLWithPath: directory)
        }
        throw PostgresError(
            code: .embeddedCluster,
            message: "no PostgreSQL server binaries (initdb, pg_ctl) found; install postgresql or set POSTGRES_BIN_DIR"
        )
    }

    private func prepareDirectories() async throws {
        let fileManager = FileManager.default
        do {
            try fileManager.createDirectory(at: self.socketDirectory, withIntermediateDirectories: true)
            try fileManager.createDirectory(at: self.dataDirectory, withIntermediateDirectories: true)
            try fileManager.setAttributes([.posixPermissions: 0o700], ofItemAtPath: self.dataDirectory.path)
        } catch {
            throw PostgresError(code: .embeddedCluster, message: "cannot create \(self.baseDirectory.path)")
        }
        guard let serverUser = self.serverUser else { return }
        // The server user must own what the server writes, and reach it through every parent folder.
        try await self.runTool(
            URL(fileURLWithPath: "/bin/chown"),
            ["-R", "\(serverUser):", self.baseDirectory.path],
            step: "chown",
            asServerUser: false
        )
        do {
            try await self.runTool(
                URL(fileURLWithPath: "/usr/bin/test"),
                ["-w", self.dataDirectory.path],
                step: "access check"
            )
        } catch {
            throw PostgresError(
                code: .embeddedCluster,
                message: "the \(serverUser) user cannot reach \(self.baseDirectory.path); "
                    + "set EMBEDDED_POSTGRES_DIR to a folder it can reach"
            )
        }
    }

    /// Runs a PostgreSQL tool to completion, as the server user when this process is root.
    private func runTool(_ tool: URL, _ arguments: [String], step: String, asServerUser: Bool = true) async throws {
        var executable = tool.path
        var fullArguments = arguments
        if let serverUser = self.serverUser, asServerUser {
            executable = "/usr/sbin/runuser"
            fullArguments = ["-u", serverUser, "--", tool.path] + arguments
        }
        // Output goes to a file, not a pipe: the server that `pg_ctl start` leaves running inherits
        // the descriptor, and a pipe would then never reach end-of-file.
        let outputURL = self.baseDirectory.appendingPathComponent("tool-output.log")
        try? Data().write(to: outputURL)
        let status = try await ChildProcess.run(executable, fullArguments, outputPath: outputURL.path)
        guard status == 0 else {
            let captured = (try? Data(contentsOf: outputURL)) ?? Data()
            let text = String(decoding: captured, as: UTF8.self).trimmingTrailingWhitespace()
            throw PostgresError(
                code: .embeddedCluster,
                message: "\(step) failed with status \(status): \(text.suffix(500))"
            )
        }
    }
}
