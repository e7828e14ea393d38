import FineractJobs
import Foundation
import JobsCore
import Logging
import Postgres
import TestSupport
import Testing

@Suite(
    "Database maintenance",
    .enabled(if: TestDatabase.isConfigured, "POSTGRES_HOST is not set; make test starts a PostgreSQL for these tests"),
    .timeLimit(.minutes(3))
)
struct DatabaseMaintenanceTests {
    static func run(_ pool: PostgresPool, parameters: [String: JSONValue] = ["vacuum": false]) async throws -> JSONValue
    {
        try await DatabaseMaintenanceWorker(pool: pool).process(
            parameters: parameters,
            context: WorkerTestSupport.context()
        )
    }

    static func ids(_ pool: PostgresPool, _ table: String) async throws -> Set<Int64> {
        let rows = try await pool.query(PostgresQuery(unsafeSQL: "SELECT id FROM \(table) WHERE tenant_id = 'default'"))
        return Set(try rows.map { try $0.decode("id", as: Int64.self) })
    }

    @Test func purgesHistoryAndFinishedNotificationsOlderThanTheRetentionAndNothingMoreOnARepeat() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            // Business date 2026-03-15 and the seeded retention of 30 days: rows dated before
            // 2026-02-13 go, rows dated 2026-02-13 or later stay.
            try await FineractFixtures.setDates(pool, business: "2026-03-15", cob: "2026-03-14")
            func run(_ type: String, _ status: String, _ date: String?, startedAt: String = "now()") async throws
                -> Int64
            {
                try await WorkerTestSupport.integer(
                    pool,
                    PostgresQuery(
                        unsafeSQL: """
                            INSERT INTO job_run (tenant_id, job_type, status, business_date, started_at)
                            VALUES ('default', $1, $2, $3::date, \(startedAt)) RETURNING id
                            """,
                        bindings: [type, status, date]
                    )
                )
            }
            let oldRun = try await run("loan_cob", "SUCCEEDED", "2026-02-12")
            let cutoffDayRun = try await run("loan_cob", "FAILED", "2026-02-13")
            let oldButRunning = try await run("end_of_day", "RUNNING", "2026-01-01")
            let undatedOld = try await run(
                "system_health_check",
                "SUCCEEDED",
                nil,
                startedAt: "'2026-01-10 12:00:00+00'"
            )
            let undatedRecent = try await run("database_maintenance", "SUCCEEDED", nil)

            func email(_ status: Int, submitted: String?, due: String = "now()") async throws -> Int64 {
                try await WorkerTestSupport.integer(
                    pool,
                    PostgresQuery(
                        unsafeSQL: """
                            INSERT INTO scheduled_email_messages_outbound
                                (tenant_id, status_enum, email_address, email_subject, message, submittedon_date, next_attempt_at)
                            VALUES ('default', $1::int, 'a@example.net', 's', 'm', $2::date, \(due)) RETURNING id
                            """,
                        bindings: [String(status), submitted]
                    )
                )
            }
            let sentOld = try await email(200, submitted: "2026-02-01")
            let failedOld = try await email(400, submitted: "2026-02-12")
            let deliveredOnCutoff = try await email(300, submitted: "2026-02-13")
            let pendingOld = try await email(100, submitted: "2026-01-01")
            let sentUndatedOld = try await email(200, submitted: nil, due: "'2026-01-05 08:00:00+00'")
            let sentRecent = try await email(200, submitted: "2026-03-10")

            func sms(_ status: Int, submitted: String) async throws -> Int64 {
                try await WorkerTestSupport.integer(
                    pool,
                    """
                    INSERT INTO sms_messages_outbound (tenant_id, status_enum, mobile_no, message, submittedon_date)
                    VALUES ('default', \(status), '+254700000001', 'm', \(submitted)::date) RETURNING id
                    """
                )
            }
            let smsFailedOld = try await sms(400, submitted: "2026-01-01")
            let smsWaitingOld = try await sms(150, submitted: "2026-01-01")
            let smsSentRecent = try await sms(200, submitted: "2026-03-01")

            let result = try await Self.run(pool)
            #expect(result["cutoffDate"] == "2026-02-13")
            #expect(result["retentionDays"] == 30)
            #expect(result["deleted"]?["jobRuns"] == 2)
            #expect(result["deleted"]?["emails"] == 3)
            #expect(result["deleted"]?["sms"] == 1)
            #expect(try await Self.ids(pool, "job_run") == [cutoffDayRun, oldButRunning, undatedRecent])
            #expect(
                try await Self.ids(pool, "scheduled_email_messages_outbound") == [
                    deliveredOnCutoff, pendingOld, sentRecent,
                ]
            )
            #expect(try await Self.ids(pool, "sms_messages_outbound") == [smsWaitingOld, smsSentRecent])
            _ = (oldRun, undatedOld, sentOld, failedOld, sentUndatedOld, smsFailedOld)

            // The repeat is compared over every table it could touch: the Fineract tables, the run
            // ledger and the engine's execution history.
            let everyTable = FineractSnapshot.engineTables.union([FineractSnapshot.runLedger])
            let beforeRepeat = try await FineractSnapshot.take(pool, including: everyTable)
            let repeated = try await Self.run(pool)
            #expect(repeated["deleted"] == ["jobRuns": 0, "emails": 0, "sms": 0, "executions": 0])
            let afterRepeat = try await FineractSnapshot.take(pool, including: everyTable)
            #expect(afterRepeat == beforeRepeat, "the repeat changed: \(afterRepeat.difference(from: beforeRepeat))")
        }
    }

    @Test func theRetentionComesFromTheConfigurationUnlessTheJobGivesOne() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            try await FineractFixtures.setDates(pool, business: "2026-03-15", cob: "2026-03-14")
            try await pool.query(
                """
                UPDATE c_configuration SET value = 10
                WHERE tenant_id = 'default' AND name = 'purge-processed-commands-older-than-days'
                """
            )
            try await pool.query(
                """
                INSERT INTO sms_messages_outbound (tenant_id, status_enum, mobile_no, message, submittedon_date)
                VALUES ('default', 200, '+1', 'm', '2026-03-01'), ('default', 200, '+1', 'm', '2026-03-06')
                """
            )
            // 20 days back is 2026-02-23: nothing is that old.
            let overridden = try await Self.run(pool, parameters: ["vacuum": false, "retentionDays": 20])
            #expect(overridden["cutoffDate"] == "2026-02-23")
            #expect(overridden["deleted"]?["sms"] == 0)
            // The configured 10 days: before 2026-03-05, so the message of 03-01 goes.
            let configured = try await Self.run(pool)
            #expect(configured["cutoffDate"] == "2026-03-05")
            #expect(configured["deleted"]?["sms"] == 1)

            let error = try await #require(throws: JobWorkerError.self) {
                try await Self.run(pool, parameters: ["retentionDays": 0])
            }
            #expect(error.code == "invalid_parameter" && !error.isRetryable && error.message.contains("retentionDays"))
        }
    }

    @Test func failedLoanLocksAreRemovedOnlyWhenAsked() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            let failed = try await FineractFixtures.insertLoan(pool, lastClosed: "2026-03-13")
            let healthy = try await FineractFixtures.insertLoan(pool, lastClosed: "2026-03-13")
            try await pool.query(
                """
                INSERT INTO m_loan_account_locks (tenant_id, loan_id, lock_owner, lock_placed_on_cob_business_date, error)
                VALUES ('default', \(failed), 'LOAN_COB_CHUNK_PROCESSING', '2026-03-14', 'step failed'),
                       ('default', \(healthy), 'LOAN_COB_CHUNK_PROCESSING', '2026-03-14', NULL)
                """
            )
            let locked = "SELECT count(*) FROM m_loan_account_locks"
            let plain = try await Self.run(pool)
            #expect(plain["deleted"]?["loanLocks"] == nil)
            #expect(try await WorkerTestSupport.integer(pool, PostgresQuery(unsafeSQL: locked)) == 2)
            let unlocking = try await Self.run(pool, parameters: ["vacuum": false, "unlockFailedLoans": true])
            #expect(unlocking["deleted"]?["loanLocks"] == 1)
            let left = try await pool.query("SELECT loan_id FROM m_loan_account_locks")
            #expect(try left.map { try $0.decode("loan_id", as: Int64.self) } == [healthy])
        }
    }

    @Test func prunesOldFinishedExecutionsButKeepsLiveOnesAndEachJobsLatest() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            try await pool.query("INSERT INTO tenant (id, name) VALUES ('other', 'Other tenant')")
            func job(_ tenant: String?) async throws -> String {
                let rows = try await pool.query(
                    "INSERT INTO job (name, job_type, tenant_id) VALUES ('j', 'loan_cob', \(tenant)) RETURNING id"
                )
                return try rows[0].decode("id", as: UUID.self).uuidString.lowercased()
            }
            /// An execution queued `queuedDaysAgo` and, unless live, finished `finishedDaysAgo`.
            func execution(
                _ job: String,
                tenant: String?,
                status: String,
                queuedDaysAgo: Int,
                finishedDaysAgo: Int?,
                parent: String? = nil
            ) async throws -> String {
                let rows = try await pool.query(
                    """
                    INSERT INTO job_execution (job_id, tenant_id, job_type, priority, status, trigger, max_attempts,
                        timeout_seconds, parent_execution_id, child_key, queued_at, finished_at)
                    VALUES (\(job)::uuid, \(tenant), 'loan_cob', 1, \(status),
                            CASE WHEN \(parent)::uuid IS NULL THEN 'manual' ELSE 'fan_out' END, 1, 60, \(parent)::uuid,
                            CASE WHEN \(parent)::uuid IS NOT NULL THEN 'tenant:' || \(tenant)::text END,
                            now() - make_interval(days => \(queuedDaysAgo)),
                            CASE WHEN \(finishedDaysAgo)::int IS NULL THEN NULL
                                 ELSE now() - make_interval(days => \(finishedDaysAgo)) END)
                    RETURNING id
                    """
                )
                return try rows[0].decode("id", as: UUID.self).uuidString.lowercased()
            }
            let jobA = try await job("default")
            let oldSucceeded = try await execution(
                jobA,
                tenant: "default",
                status: "succeeded",
                queuedDaysAgo: 100,
                finishedDaysAgo: 100
            )
            let oldFailed = try await execution(
                jobA,
                tenant: "default",
                status: "failed",
                queuedDaysAgo: 96,
                finishedDaysAgo: 95
            )
            let latestOfA = try await execution(
                jobA,
                tenant: "default",
                status: "cancelled",
                queuedDaysAgo: 91,
                finishedDaysAgo: 91
            )
            let queuedLongAgo = try await execution(
                jobA,
                tenant: "default",
                status: "queued",
                queuedDaysAgo: 200,
                finishedDaysAgo: nil
            )
            let runningLongAgo = try await execution(
                jobA,
                tenant: "default",
                status: "running",
                queuedDaysAgo: 200,
                finishedDaysAgo: nil
            )
            try await pool.query(
                """
                INSERT INTO job_execution_attempt (execution_id, attempt, node_id, fencing_token, status)
                VALUES (\(oldSucceeded)::uuid, 1, 'n', 1, 'succeeded')
                """
            )
            let jobB = try await job("default")
            let oldOfB = try await execution(
                jobB,
                tenant: "default",
                status: "succeeded",
                queuedDaysAgo: 100,
                finishedDaysAgo: 100
            )
            let recentOfB = try await execution(
                jobB,
                tenant: "default",
                status: "succeeded",
                queuedDaysAgo: 10,
                finishedDaysAgo: 10
            )
            let jobC = try await job("other")
            let otherTenants = try await execution(
                jobC,
                tenant: "other",
                status: "succeeded",
                queuedDaysAgo: 100,
                finishedDaysAgo: 100
            )
            _ = try await execution(jobC, tenant: "other", status: "succeeded", queuedDaysAgo: 1, finishedDaysAgo: 1)
            // A job for all tenants: parents without a tenant, one child per tenant.
            let jobD = try await job(nil)
            let oldParent = try await execution(
                jobD,
                tenant: nil,
                status: "succeeded",
                queuedDaysAgo: 120,
                finishedDaysAgo: 120
            )
            let oldChild = try await execution(
                jobD,
                tenant: "default",
                status: "succeeded",
                queuedDaysAgo: 120,
                finishedDaysAgo: 120,
                parent: oldParent
            )
            let sharedParent = try await execution(
                jobD,
                tenant: nil,
                status: "succeeded",
                queuedDaysAgo: 110,
                finishedDaysAgo: 110
            )
            let sharedOwnChild = try await execution(
                jobD,
                tenant: "default",
                status: "succeeded",
                queuedDaysAgo: 110,
                finishedDaysAgo: 110,
                parent: sharedParent
            )
            let sharedOtherChild = try await execution(
                jobD,
                tenant: "other",
                status: "succeeded",
                queuedDaysAgo: 110,
                finishedDaysAgo: 110,
                parent: sharedParent
            )
            let latestParent = try await execution(
                jobD,
                tenant: nil,
                status: "succeeded",
                queuedDaysAgo: 100,
                finishedDaysAgo: 100
            )
            let latestChild = try await execution(
                jobD,
                tenant: "default",
                status: "succeeded",
                queuedDaysAgo: 100,
                finishedDaysAgo: 100,
                parent: latestParent
            )

            let result = try await Self.run(pool)
            // Gone: A's two old ones, B's old one, the tenant's children of the two older parents, and
            // the oldest parent, left without children. The shared parent keeps the other tenant's child.
            #expect(result["deleted"]?["executions"] == 6)
            let remaining = Set(
                try await pool.query("SELECT id FROM job_execution").map {
                    try $0.decode("id", as: UUID.self).uuidString.lowercased()
                }
            )
            for kept in [
                latestOfA, queuedLongAgo, runningLongAgo, recentOfB, otherTenants, sharedParent, sharedOtherChild,
                latestParent, latestChild,
            ] {
                #expect(remaining.contains(kept))
            }
            for gone in [oldSucceeded, oldFailed, oldOfB, oldChild, oldParent, sharedOwnChild] {
                #expect(!remaining.contains(gone))
            }
            #expect(try await WorkerTestSupport.integer(pool, "SELECT count(*) FROM job_execution_attempt") == 0)
            let everyTable = FineractSnapshot.engineTables.union([FineractSnapshot.runLedger])
            let beforeRepeat = try await FineractSnapshot.take(pool, including: everyTable)
            let repeated = try await Self.run(pool)
            #expect(repeated["deleted"]?["executions"] == 0)
            let afterRepeat = try await FineractSnapshot.take(pool, including: everyTable)
            #expect(afterRepeat == beforeRepeat, "the repeat changed: \(afterRepeat.difference(from: beforeRepeat))")
        }
    }

    @Test func vacuumsTheHotTablesAndSkipsThoseItMayNotVacuum() async throws {
        try await TestDatabase.withMigratedDatabase { pool, postgres in
            let result = try await Self.run(pool, parameters: ["vacuumMinIntervalMinutes": 0])
            #expect(result["vacuumed"] == .array(DatabaseMaintenanceWorker.hotTables.sorted().map(JSONValue.string)))
            #expect(result["vacuumSkipped"] == [:])

            // A role that may change the rows but owns no table: the purges run, VACUUM is skipped.
            // It bypasses row-level security as the service's own role must (the tenant policies
            // are for tenant-scoped access only).
            let role = "maintenance_" + UUID().uuidString.prefix(8).lowercased()
            try await pool.query(PostgresQuery(unsafeSQL: "CREATE ROLE \(role) LOGIN BYPASSRLS"))
            try await pool.query(
                PostgresQuery(
                    unsafeSQL: "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO \(role)"
                )
            )
            var limited = postgres
            limited.user = role
            let limitedPool = PostgresPool(
                configuration: limited,
                maximumConnections: 2,
                logger: Logger(label: "limited-pool", level: .warning, handler: InMemoryLogHandler())
            )
            let logs = InMemoryLogHandler()
            let restricted = try await DatabaseMaintenanceWorker(pool: limitedPool)
                .process(parameters: ["vacuumMinIntervalMinutes": 0], context: WorkerTestSupport.context(logs: logs))
            limitedPool.shutDown()
            #expect(restricted["vacuumed"] == [])
            #expect(restricted["vacuumSkipped"]?["m_loan"] == "not the table's owner")
            #expect(restricted["deleted"]?["jobRuns"] == 0)
            #expect(
                logs.entries.contains { $0.message == "VACUUM skipped: the database role does not own these tables" }
            )
            try await pool.query(PostgresQuery(unsafeSQL: "DROP OWNED BY \(role)"))
            try await pool.query(PostgresQuery(unsafeSQL: "DROP ROLE \(role)"))
        }
    }
}
