import Foundation
public import JobsCore
import JobsEngine
import Logging
public import Postgres

/// Checks that the installation can do its work and reports what it found on the execution.
///
/// Measures a database round trip, reads the applied schema version, counts live and dead nodes
/// and the queue (queued, due, running, and the age of the oldest due execution). When the run is
/// for a tenant it also checks that tenant's books (see `SystemHealthCheckWorker+Tenant.swift`).
/// The check succeeds with `status: degraded` when something needs attention but work can go on,
/// and fails only when the database cannot be queried, since then nothing can run. It only reads.
///
/// Parameters (all optional): `latencyWarningMs` (a round trip slower than this is a problem,
/// default 1000), `jobRunStaleMinutes` (a `job_run` RUNNING longer is a problem, default 120) and
/// `claimLeaseSeconds` (the notification claim lease, default the service's).
public struct SystemHealthCheckWorker: JobWorker {
    public let jobType = JobType.systemHealthCheck

    /// Queued work older than this is reported as a backlog.
    public static let backlogThresholdSeconds = 300

    let pool: PostgresPool
    /// The notification workers' claim lease; a claim older than it is reported as stuck.
    let notificationClaimLease: Duration

    public init(pool: PostgresPool, notificationClaimLease: Duration = .seconds(300)) {
        self.pool = pool
        self.notificationClaimLease = notificationClaimLease
    }

    public func process(parameters: [String: JSONValue], context: JobContext) async throws -> JSONValue {
        let arguments = WorkerParameters(parameters)
        let latencyWarningMilliseconds = try arguments.integer("latencyWarningMs", in: 1...600_000) ?? 1000
        let thresholds = TenantThresholds(
            jobRunStale: .seconds(60 * (try arguments.integer("jobRunStaleMinutes", in: 1...525_600) ?? 120)),
            claimLease: try arguments.seconds("claimLeaseSeconds", in: 30...86_400) ?? self.notificationClaimLease
        )
        let clock = ContinuousClock()
        let started = clock.now
        try await self.pool.query("SELECT 1")
        let roundTrip = clock.now - started

        let rows = try await self.pool.query(
            """
            SELECT
                (SELECT max(version) FROM hdb_catalog.schema_migrations WHERE NOT dirty) AS schema_version,
                (SELECT count(*) FROM job_node WHERE stopped_at IS NULL
                    AND last_heartbeat_at > now() - make_interval(secs => \(NodeRegistry.livenessWindow.milliseconds) / 1000.0))
                    AS live_nodes,
                (SELECT count(*) FROM job_node) AS registered_nodes,
                (SELECT count(*) FROM job_queue) AS queued,
                (SELECT count(*) FROM job_queue WHERE run_after <= now()) AS due,
                -- Every running execution holds a lease; job_execution has no index on its status.
                (SELECT count(*) FROM job_lock l JOIN job_execution e ON e.id = l.execution_id
                    WHERE e.status = 'running') AS running,
                (SELECT coalesce(extract(epoch FROM now() - min(run_after)), 0)::bigint
                    FROM job_queue WHERE run_after <= now()) AS oldest_due_seconds
            """
        )
        let row = rows[0]
        let schemaVersion: Int64? = try row.decode("schema_version")
        let liveNodes: Int64 = try row.decode("live_nodes")
        let registeredNodes: Int64 = try row.decode("registered_nodes")
        let queued: Int64 = try row.decode("queued")
        let due: Int64 = try row.decode("due")
        let running: Int64 = try row.decode("running")
        let oldestDueSeconds: Int64 = try row.decode("oldest_due_seconds")

        var problems: [JSONValue] = []
        if schemaVersion == nil {
            problems.append(.string("no schema migration is recorded"))
        }
        if liveNodes == 0 {
            problems.append(.string("no live node is registered"))
        }
        if oldestDueSeconds > Self.backlogThresholdSeconds {
            problems.append(.string("the oldest due execution has waited \(oldestDueSeconds) s"))
        }
        let roundTripMilliseconds = (roundTrip / .microseconds(1)).rounded() / 1000
        if roundTripMilliseconds > Double(latencyWarningMilliseconds) {
            problems.append(.string("a database round trip took \(roundTripMilliseconds) ms"))
        }
        var tenantReport: JSONValue?
        if let tenantID = context.tenantID {
            let report = try await self.checkTenant(tenantID, thresholds: thresholds)
            problems += report.problems.map(JSONValue.string)
            tenantReport = report.json
        }
        context.logger.debug("health check finished")
        var result: [String: JSONValue] = [
            "status": .string(problems.isEmpty ? "healthy" : "degraded"),
            "problems": .array(problems),
            "database": .object([
                "reachable": .bool(true),
                "roundTripMs": .number(roundTripMilliseconds),
                "schemaVersion": schemaVersion.map { .integer($0) } ?? .null,
            ]),
            "nodes": .object([
                "live": .integer(liveNodes),
                "registered": .integer(registeredNodes),
                "checkedBy": .string(context.nodeID),
            ]),
            "queue": .object([
                "queued": .integer(queued),
                "due": .integer(due),
                "running": .integer(running),
                "oldestDueSeconds": .integer(oldestDueSeconds),
            ]),
        ]
        if let tenantReport {
            result["tenant"] = tenantReport
        }
        return .object(result)
    }
}
