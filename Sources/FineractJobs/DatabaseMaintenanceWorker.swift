import FineractDomain
import Foundation
public import JobsCore
import Logging
public import Postgres

/// `database_maintenance(tenant)`: retention purges and lock clean-up for one tenant, then
/// `VACUUM (ANALYZE)` of the busiest tables (Fineract's PURGE_PROCESSED_COMMANDS and
/// PURGE_EXTERNAL_EVENTS, and its "unlock hard-locked loans").
///
/// Deletes, each in batches so no statement holds locks for long:
/// - `job_run` rows that are not RUNNING, dated (their business date, else the day they started in
///   the tenant's time zone) more than `N` days before BUSINESS_DATE;
/// - SENT, DELIVERED and FAILED e-mails and SMS dated (`submittedon_date`, else the day they were
///   last due) more than `N` days before BUSINESS_DATE;
/// - with `unlockFailedLoans: true`, the loan locks that carry an error, so the next COB or catch-up
///   tries those loans again (Fineract's `unlockHardLockedLoans`);
/// - the tenant's finished executions (with their attempts) that ended more than
///   `executionRetentionDays` ago by the database clock, keeping every queued or running one and
///   the latest execution of each job with its children; and then executions for all tenants that
///   such deletes left without children.
///
/// `N` is `purge-processed-commands-older-than-days` from `c_configuration` (30 when absent),
/// unless the `retentionDays` parameter says otherwise. Deleting by a cutoff computed from the
/// business date makes a repeated run delete nothing more.
///
/// Parameters (all optional): `retentionDays` (1-36500), `executionRetentionDays` (1-36500,
/// default 90), `unlockFailedLoans` (default false), `vacuum` (default true) and
/// `vacuumMinIntervalMinutes` (tables vacuumed more recently are skipped, default 60).
public struct DatabaseMaintenanceWorker: JobWorker {
    public let jobType = JobType.databaseMaintenance

    /// Rows one delete statement removes at most.
    static let deleteBatchSize = 5000

    let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    public func process(parameters: [String: JSONValue], context: JobContext) async throws -> JSONValue {
        let tenantID = try context.requireTenant()
        let arguments = WorkerParameters(parameters)
        let retentionOverride = try arguments.integer("retentionDays", in: 1...36_500)
        let executionRetentionDays = try arguments.integer("executionRetentionDays", in: 1...36_500) ?? 90
        let unlockFailedLoans = try arguments.bool("unlockFailedLoans") ?? false
        let vacuum = try arguments.bool("vacuum") ?? true
        let vacuumMinInterval = try arguments.integer("vacuumMinIntervalMinutes", in: 0...525_600) ?? 60

        let settings = try await self.pool.query(
            """
            SELECT t.timezone,
                   (SELECT date FROM m_business_date WHERE tenant_id = t.id AND type = 'BUSINESS_DATE') AS business_date,
                   (SELECT value FROM c_configuration
                    WHERE tenant_id = t.id AND name = 'purge-processed-commands-older-than-days') AS retention_days
            FROM tenant t WHERE t.id = \(tenantID)
            """
        )
        guard let row = settings.first else {
            throw JobWorkerError(code: "unknown_tenant", message: "no tenant '\(tenantID)'", isRetryable: false)
        }
        guard let businessDate = try row.decode("business_date", as: PostgresDate?.self).map(LocalDate.init) else {
            throw JobWorkerError(
                code: "no_business_date",
                message: "tenant '\(tenantID)' has no BUSINESS_DATE",
                isRetryable: false
            )
        }
        let configured = try row.decode("retention_days", as: Int64?.self).flatMap { $0 > 0 ? $0 : nil }
        let retentionDays = retentionOverride ?? configured ?? 30
        let cutoff = businessDate.adding(days: -Int(retentionDays))
        let purge = RetentionPurge(
            pool: self.pool,
            tenantID: tenantID,
            timeZone: try row.decode("timezone"),
            cutoff: cutoff,
            batchSize: Self.deleteBatchSize
        )

        var deleted: [String: JSONValue] = [:]
        try context.checkCancellation()
        deleted["jobRuns"] = .integer(try await purge.deleteJobRuns())
        try context.checkCancellation()
        deleted["emails"] = .integer(try await purge.deleteFinishedEmails())
        deleted["sms"] = .integer(try await purge.deleteFinishedSMS())
        if unlockFailedLoans {
            deleted["loanLocks"] = .integer(try await purge.deleteFailedLoanLocks())
        }
        try context.checkCancellation()
        deleted["executions"] = .integer(try await purge.deleteExecutions(olderThanDays: executionRetentionDays))

        var result: [String: JSONValue] = [
            "businessDate": .string(businessDate.description),
            "retentionDays": .integer(retentionDays),
            "cutoffDate": .string(cutoff.description),
            "executionRetentionDays": .integer(executionRetentionDays),
            "deleted": .object(deleted),
        ]
        if vacuum {
            try context.checkCancellation()
            let report = try await self.vacuumHotTables(minimumInterval: vacuumMinInterval, logger: context.logger)
            result["vacuumed"] = .array(report.vacuumed.map(JSONValue.string))
            result["vacuumSkipped"] = .object(report.skipped.mapValues(JSONValue.string))
        }
        context.logger.debug("database maintenance finished")
        return .object(result)
    }
}
