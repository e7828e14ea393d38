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
    }

    /// Registers `diagnostic_noop` and `diagnostic_probe`, which operators and tests use to check
    /// the engine itself; off unless asked for.
    public static func registerDiagnostics(in registry: WorkerRegistry, pool: PostgresPool) {
        registry.registerWorker(DiagnosticNoopWorker())
        registry.registerWorker(DiagnosticProbeWorker(pool: pool))
    }
}
