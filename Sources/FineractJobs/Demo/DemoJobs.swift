import Postgres

/// The scheduled jobs a demo tenant gets, on Fineract's usual cadence in the tenant's time zone, so
/// a running service has its nightly work to do.
enum DemoJobs {
    static func create(tenantID: String, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            INSERT INTO job (name, job_type, cron_expression, priority, tenant_id, status, created_by)
            SELECT j.name, j.job_type, j.cron, j.priority, \(tenantID), 'active', 'seed-demo'
            FROM (VALUES
                ('End of day', 'end_of_day', '0 0 0 * * ?', 'critical'),
                ('End of month', 'end_of_month', '0 0 3 1 * ?', 'high'),
                ('E-mail notifications', 'email_notification', '0 0/10 * * * ?', 'medium'),
                ('SMS notifications', 'sms_notification', '0 0/15 * * * ?', 'medium'),
                ('Health check', 'system_health_check', '0 0/5 * * * ?', 'low'),
                ('Database maintenance', 'database_maintenance', '0 0 2 * * ?', 'low'))
                AS j (name, job_type, cron, priority)
            """
        )
    }
}
