import JobsCore
public import JobsEngine
public import Postgres

/// Registers the built-in workers this module provides.
public enum BuiltInWorkers {
    /// Registers the built-in job types.
    ///
    /// - Parameter notifications: how `email_notification` and `sms_notification` reach their
    ///   servers, and the claim lease `system_health_check` measures stuck notifications against.
    public static func register(
        in registry: WorkerRegistry,
        pool: PostgresPool,
        notifications: NotificationConfiguration = NotificationConfiguration()
    ) {
        registry.registerWorker(SystemHealthCheckWorker(pool: pool, notificationClaimLease: notifications.claimLease))
        registry.registerWorker(DatabaseMaintenanceWorker(pool: pool))
        registry.registerWorker(EmailNotificationWorker(pool: pool, configuration: notifications))
        registry.registerWorker(SMSNotificationWorker(pool: pool, configuration: notifications))
        registry.registerWorker(EndOfDayWorker(pool: pool, registry: registry))
        registry.registerWorker(EndOfMonthWorker(pool: pool, registry: registry))
        registry.registerWorker(LoanCOBWorker(pool: pool))
        registry.registerWorker(LoanInterestPostingWorker(pool: pool))
        registry.registerWorker(SavingsInterestPostingWorker(pool: pool))
        registry.registerWorker(SavingsInterestCalculationWorker(pool: pool))
    }

    /// Registers `diagnostic_noop`, `diagnostic_probe` and `diagnostic_tenant_probe`, which operators
    /// and tests use to check the engine itself; off unless asked for.
    public static func registerDiagnostics(in registry: WorkerRegistry, pool: PostgresPool) {
        registry.registerWorker(DiagnosticNoopWorker())
        registry.registerWorker(DiagnosticProbeWorker(pool: pool))
        registry.registerWorker(
            DiagnosticProbeWorker(pool: pool, jobType: "diagnostic_tenant_probe", runsPerTenant: true)
        )
    }
}
