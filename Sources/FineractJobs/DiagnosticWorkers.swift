import Foundation
public import JobsCore
import Logging
public import Postgres

/// `diagnostic_noop`: succeeds at once and touches nothing; measures the engine's own overhead.
public struct DiagnosticNoopWorker: JobWorker {
    public let jobType: JobType = "diagnostic_noop"
    /// Checks the engine, not tenant data: a job without a tenant runs once.
    public let runsPerTenant = false

    public init() {}

    public func process(parameters: [String: JSONValue], context: JobContext) async throws -> JSONValue {
        [:]
    }
}

/// `diagnostic_probe`: records every attempt it starts in `job_probe_attempt`, then behaves as its
/// parameters say, to verify a cluster end to end and to drive the engine's failure tests.
///
/// Parameters: `sleepMs` (how long to work, default 0), `failAttempts` (attempts up to this number
/// fail, default 0), `retryable` (whether those failures may be retried, default true),
/// `ignoreCancellation` (work by blocking the thread, deaf to timeouts and cancels, default false)
/// and `failTenants` (tenant ids whose attempts always fail, default none).
///
/// Registered twice: as `diagnostic_probe`, which runs once even for a job without a tenant, and as
/// `diagnostic_tenant_probe`, which runs once per active tenant like the financial jobs.
public struct DiagnosticProbeWorker: JobWorker {
    public let jobType: JobType
    public let runsPerTenant: Bool

    private let pool: PostgresPool

    public init(pool: PostgresPool, jobType: JobType = "diagnostic_probe", runsPerTenant: Bool = false) {
        self.pool = pool
        self.jobType = jobType
        self.runsPerTenant = runsPerTenant
    }

    public func process(parameters: [String: JSONValue], context: JobContext) async throws -> JSONValue {
        let sleepMilliseconds = parameters["sleepMs"]?.integerValue ?? 0
        let failAttempts = parameters["failAttempts"]?.integerValue ?? 0
        let retryable = parameters["retryable"]?.boolValue ?? true
        let ignoreCancellation = parameters["ignoreCancellation"]?.boolValue ?? false
        // Written before any work, so an attempt whose node dies still leaves its trace.
        try await self.pool.query(
            """
            INSERT INTO job_probe_attempt (execution_id, attempt, node_id)
            VALUES (\(context.executionID), \(context.attempt), \(context.nodeID))
            ON CONFLICT (execution_id, attempt) DO NOTHING
            """
        )
        if ignoreCancellation {
            // Deliberately blocks its thread and never looks at cancellation: a worker gone wrong.
            usleep(useconds_t(sleepMilliseconds * 1000))
        } else if sleepMilliseconds > 0 {
            try await Task.sleep(for: .milliseconds(sleepMilliseconds))
        }
        let failTenants = parameters["failTenants"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let failsForTenant = context.tenantID.map(failTenants.contains) ?? false
        let fails = Int64(context.attempt) <= failAttempts || failsForTenant
        try await self.pool.query(
            """
            UPDATE job_probe_attempt SET finished_at = now(), outcome = \(fails ? "failed" : "succeeded")
            WHERE execution_id = \(context.executionID) AND attempt = \(context.attempt)
            """
        )
        if fails {
            throw JobWorkerError(
                code: "probe_failure",
                message: failsForTenant
                    ? "attempts for tenant \(context.tenantID ?? "") fail as asked (failTenants)"
                    : "attempt \(context.attempt) fails as asked (failAttempts = \(failAttempts))",
                isRetryable: retryable
            )
        }
        context.logger.debug("probe attempt finished")
        return ["attempt": .integer(Int64(context.attempt)), "node": .string(context.nodeID)]
    }
}
