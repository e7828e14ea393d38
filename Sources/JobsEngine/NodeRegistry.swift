public import Foundation
public import Logging
public import Postgres

/// Registers this node in `job_node` and keeps its heartbeat fresh, so other nodes can tell it is alive.
public struct NodeRegistry: Sendable {
    /// A node as the cluster sees it.
    public struct Node: Sendable, Hashable {
        public var id: String
        public var hostname: String
        public var pid: Int
        public var version: String
        public var maxConcurrentJobs: Int
        public var startedAt: Date
        public var lastHeartbeatAt: Date
        public var stoppedAt: Date?
        /// Heartbeat within the liveness window and not stopped, judged by the database clock.
        public var isLive: Bool
    }

    /// How often a node writes its heartbeat.
    public static let heartbeatInterval = Duration.seconds(10)
    /// A node whose last heartbeat is older than this is considered dead.
    public static let livenessWindow = Duration.seconds(30)

    private let pool: PostgresPool
    private let nodeID: String
    private let maxConcurrentJobs: Int
    private let version: String
    private let logger: Logger

    public init(pool: PostgresPool, nodeID: String, maxConcurrentJobs: Int, version: String, logger: Logger) {
        self.pool = pool
        self.nodeID = nodeID
        self.maxConcurrentJobs = maxConcurrentJobs
        self.version = version
        self.logger = logger
    }

    /// Records this node as started (again, when a node id is reused after a restart).
    public func register() async throws {
        let hostname = ProcessInfo.processInfo.hostName
        let pid = Int(ProcessInfo.processInfo.processIdentifier)
        try await self.pool.query(
            """
            INSERT INTO job_node (id, hostname, pid, version, max_concurrent_jobs)
            VALUES (\(self.nodeID), \(hostname), \(pid), \(self.version), \(self.maxConcurrentJobs))
            ON CONFLICT (id) DO UPDATE
            SET hostname = excluded.hostname, pid = excluded.pid, version = excluded.version,
                max_concurrent_jobs = excluded.max_concurrent_jobs, started_at = now(),
                last_heartbeat_at = now(), stopped_at = NULL
            """
        )
        self.logger.info("node registered", metadata: [.nodeID: "\(self.nodeID)"])
    }

    /// Writes a heartbeat every `heartbeatInterval` until the task is cancelled.
    public func runHeartbeats() async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: Self.heartbeatInterval)
            } catch {
                return
            }
            do {
                try await self.pool.query(
                    "UPDATE job_node SET last_heartbeat_at = now(), stopped_at = NULL WHERE id = \(self.nodeID)"
                )
            } catch {
                self.logger.warning("heartbeat failed", metadata: [.error: "\(error)"])
            }
        }
    }

    /// Records a clean stop, so the node is reported dead at once instead of after the window.
    public func markStopped() async {
        do {
            try await self.pool.query("UPDATE job_node SET stopped_at = now() WHERE id = \(self.nodeID)")
        } catch {
            self.logger.warning("could not record the node's stop", metadata: [.error: "\(error)"])
        }
    }

    /// Every registered node, live ones first.
    public func nodes() async throws -> [Node] {
        let window = Self.livenessWindow.milliseconds
        let rows = try await self.pool.query(
            """
            SELECT id, hostname, pid, version, max_concurrent_jobs, started_at, last_heartbeat_at, stopped_at,
                   (stopped_at IS NULL
                    AND last_heartbeat_at > now() - make_interval(secs => \(window) / 1000.0)) AS is_live
            FROM job_node
            ORDER BY is_live DESC, id
            """
        )
        return try rows.map { row throws(PostgresError) in
            Node(
                id: try row.decode("id"),
                hostname: try row.decode("hostname"),
                pid: try row.decode("pid"),
                version: try row.decode("version"),
                maxConcurrentJobs: try row.decode("max_concurrent_jobs"),
                startedAt: try row.decode("started_at"),
                lastHeartbeatAt: try row.decode("last_heartbeat_at"),
                stoppedAt: try row.decode("stopped_at"),
                isLive: try row.decode("is_live")
            )
        }
    }
}
