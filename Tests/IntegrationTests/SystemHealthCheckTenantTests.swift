import FineractJobs
import Foundation
import JobsCore
import Postgres
import TestSupport
import Testing

@Suite(
    "System health check: a tenant's books",
    .enabled(if: TestDatabase.isConfigured, "POSTGRES_HOST is not set; make test starts a PostgreSQL for these tests"),
    .timeLimit(.minutes(2))
)
struct SystemHealthCheckTenantTests {
    /// The engine's own finding in a test database, where no node is registered.
    static let engineProblems: [JSONValue] = ["no live node is registered"]

    /// Runs the check; a slow round trip on a loaded test machine is not what these tests are about,
    /// so the latency limit is set out of reach.
    static func check(_ pool: PostgresPool, parameters: [String: JSONValue] = [:]) async throws -> JSONValue {
        var parameters = parameters
        parameters["latencyWarningMs"] = 600_000
        return try await SystemHealthCheckWorker(pool: pool, notificationClaimLease: .seconds(300))
            .process(parameters: parameters, context: WorkerTestSupport.context())
    }

    static func tenantProblems(_ result: JSONValue) -> [JSONValue] {
        guard case .array(let problems)? = result["problems"] else { return [] }
        return problems.filter { !Self.engineProblems.contains($0) }
    }

    @Test func aTenantInOrderHasNoFindings() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            try await FineractFixtures.setDates(pool, business: "2026-03-15", cob: "2026-03-14")
            _ = try await FineractFixtures.insertLoan(pool, lastClosed: "2026-03-14")
            _ = try await FineractFixtures.insertSavingsAccount(pool, activated: "2026-01-10", postedTill: "2026-03-01")
            let result = try await Self.check(pool)
            #expect(Self.tenantProblems(result) == [])
            let tenant = try #require(result["tenant"])
            #expect(tenant["businessDate"] == "2026-03-15")
            #expect(tenant["cobDate"] == "2026-03-14")
            #expect(tenant["loans"]?["behindCOBDate"] == 0)
            #expect(tenant["loans"]?["oldestClosedBusinessDate"] == "2026-03-14")
            #expect(tenant["savings"]?["lackingPosting"] == 0)

            // Without a tenant the check stays the engine's own.
            let engineOnly = try await SystemHealthCheckWorker(pool: pool)
                .process(parameters: [:], context: WorkerTestSupport.context(tenantID: nil))
            #expect(engineOnly["tenant"] == nil)
        }
    }

    @Test func aCOBDateThatIsNotTheDayBeforeIsReportedWhenAdjustmentIsOn() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            try await FineractFixtures.setDates(pool, business: "2026-03-15", cob: "2026-03-12")
            let result = try await Self.check(pool)
            #expect(
                Self.tenantProblems(result) == [
                    "COB_DATE 2026-03-12 is not the day before BUSINESS_DATE 2026-03-15 although automatic adjustment is on"
                ]
            )
            try await pool.query(
                """
                UPDATE c_configuration SET enabled = false
                WHERE tenant_id = 'default' AND name = 'enable_automatic_cob_date_adjustment'
                """
            )
            let adjustmentOff = try await Self.check(pool)
            #expect(Self.tenantProblems(adjustmentOff) == [])
            #expect(adjustmentOff["tenant"]?["automaticCOBDateAdjustment"] == false)
        }
    }

    @Test func loansBehindTheCOBDateAndTheOldestWatermarkAreReported() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            try await FineractFixtures.setDates(pool, business: "2026-03-15", cob: "2026-03-14")
            _ = try await FineractFixtures.insertLoan(pool, lastClosed: "2026-03-14")
            _ = try await FineractFixtures.insertLoan(pool, lastClosed: "2026-03-10")
            _ = try await FineractFixtures.insertLoan(pool, status: 200, lastClosed: "2026-03-13")
            // Closed (600) loans are out of the COB, however old their watermark.
            _ = try await FineractFixtures.insertLoan(pool, status: 600, lastClosed: "2025-01-01")
            _ = try await FineractFixtures.insertLoan(pool, lastClosed: nil)
            let result = try await Self.check(pool)
            #expect(
                Self.tenantProblems(result) == ["2 loans are closed only up to a date before the COB date 2026-03-14"]
            )
            #expect(result["tenant"]?["loans"]?["behindCOBDate"] == 2)
            #expect(result["tenant"]?["loans"]?["oldestClosedBusinessDate"] == "2026-03-10")
        }
    }

    @Test func locksWithAnErrorOrFromAnEarlierCOBAreReported() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            try await FineractFixtures.setDates(pool, business: "2026-03-15", cob: "2026-03-14")
            let failed = try await FineractFixtures.insertLoan(pool, lastClosed: "2026-03-13")
            let stayed = try await FineractFixtures.insertLoan(pool, lastClosed: "2026-03-11")
            let current = try await FineractFixtures.insertLoan(pool, lastClosed: "2026-03-13")
            try await pool.query(
                """
                INSERT INTO m_loan_account_locks (tenant_id, loan_id, lock_owner, lock_placed_on_cob_business_date, error)
                VALUES ('default', \(failed), 'LOAN_COB_CHUNK_PROCESSING', '2026-03-14', 'step failed'),
                       ('default', \(stayed), 'LOAN_COB_CHUNK_PROCESSING', '2026-03-12', NULL),
                       ('default', \(current), 'LOAN_COB_CHUNK_PROCESSING', '2026-03-14', NULL)
                """
            )
            let result = try await Self.check(pool)
            let problems = Self.tenantProblems(result)
            #expect(problems.contains("1 loan locks carry an error"))
            #expect(problems.contains("1 loan locks were placed by the COB of a date before 2026-03-14"))
            let locks = try #require(result["tenant"]?["loanLocks"])
            #expect(locks["withError"] == 1)
            #expect(locks["fromEarlierCOBDate"] == 1)
            #expect(locks["loanIds"] == [.integer(failed), .integer(stayed)])
        }
    }

    @Test func savingsAccountsMissingADuePostingAreReported() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            // Derived case (from the posting-period rules, not a Fineract test): on 2026-03-15 the
            // latest due monthly posting is dated 2026-03-01 (February's), the latest quarterly one
            // 2026-01-01 (Q4 2025, financial year from January).
            try await FineractFixtures.setDates(pool, business: "2026-03-15", cob: "2026-03-14")
            let monthlyBehind = try await FineractFixtures.insertSavingsAccount(
                pool,
                activated: "2026-01-10",
                postedTill: "2026-02-01"
            )
            _ = try await FineractFixtures.insertSavingsAccount(pool, activated: "2026-01-10", postedTill: "2026-03-01")
            // Activated after February ended: no completed period yet.
            _ = try await FineractFixtures.insertSavingsAccount(pool, activated: "2026-03-02", postedTill: nil)
            // Earns nothing, so Fineract posts nothing.
            _ = try await FineractFixtures.insertSavingsAccount(
                pool,
                rate: "0",
                activated: "2025-01-01",
                postedTill: nil
            )
            // Closed.
            _ = try await FineractFixtures.insertSavingsAccount(
                pool,
                status: 600,
                activated: "2025-01-01",
                postedTill: nil
            )
            _ = try await FineractFixtures.insertSavingsAccount(
                pool,
                postingPeriod: 5,
                activated: "2025-12-01",
                postedTill: "2026-01-01"
            )
            let quarterlyNever = try await FineractFixtures.insertSavingsAccount(
                pool,
                postingPeriod: 5,
                activated: "2025-12-01",
                postedTill: nil
            )
            let result = try await Self.check(pool)
            #expect(
                Self.tenantProblems(result) == ["2 savings accounts lack an interest posting that is due by 2026-03-15"]
            )
            #expect(result["tenant"]?["savings"]?["accountIds"] == [.integer(monthlyBehind), .integer(quarterlyNever)])
        }
    }

    @Test func abandonedNotificationClaimsAndHandOversAreReported() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            try await NotificationEmailTests.insertEmail(
                pool,
                to: "a@example.net",
                claimedBy: "dead/run",
                claimedSecondsAgo: 3600
            )
            try await NotificationEmailTests.insertEmail(
                pool,
                to: "b@example.net",
                claimedBy: "live/run",
                claimedSecondsAgo: 10
            )
            try await NotificationSMSTests.insertSMS(pool, status: 150, claimedBy: "dead/run", claimedSecondsAgo: 3600)
            try await NotificationSMSTests.insertSMS(pool, status: 150, claimedBy: "live/run", claimedSecondsAgo: 10)
            try await NotificationSMSTests.insertSMS(pool, status: 150)
            let result = try await Self.check(pool)
            #expect(
                Self.tenantProblems(result) == [
                    "1 pending messages are claimed for longer than the lease",
                    "1 SMS are stuck in WAITING_FOR_DELIVERY_REPORT with an abandoned hand-over",
                ]
            )
            let notifications = try #require(result["tenant"]?["notifications"])
            #expect(notifications["emailClaimsExpired"] == 1)
            #expect(notifications["smsClaimsExpired"] == 0)
            #expect(notifications["smsHandOversAbandoned"] == 1)
            #expect(notifications["smsWaitingForDeliveryReport"] == 1)
        }
    }

    @Test func jobRunsRunningLongerThanTheThresholdAreReported() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            let stale = try await WorkerTestSupport.integer(
                pool,
                """
                INSERT INTO job_run (tenant_id, job_type, status, started_at)
                VALUES ('default', 'loan_cob', 'RUNNING', now() - interval '3 hours') RETURNING id
                """
            )
            try await pool.query(
                """
                INSERT INTO job_run (tenant_id, job_type, status, started_at) VALUES
                    ('default', 'end_of_day', 'RUNNING', now() - interval '10 minutes'),
                    ('default', 'end_of_month', 'SUCCEEDED', now() - interval '5 hours')
                """
            )
            let result = try await Self.check(pool)
            #expect(Self.tenantProblems(result) == ["1 job runs have been RUNNING for longer than 120 minutes"])
            #expect(result["tenant"]?["jobRuns"]?["runIds"] == [.integer(stale)])
            let tighter = try await Self.check(pool, parameters: ["jobRunStaleMinutes": 5])
            #expect(tighter["tenant"]?["jobRuns"]?["staleRunning"] == 2)
        }
    }

    /// The check only reads: on a tenant with something to find in every part of its books, two
    /// checks leave every table of the database, the engine's and the run ledger included, as it was.
    @Test func theCheckWritesNothing() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            try await FineractFixtures.setDates(pool, business: "2026-03-15", cob: "2026-03-12")
            let failed = try await FineractFixtures.insertLoan(pool, lastClosed: "2026-03-10")
            try await pool.query(
                """
                INSERT INTO m_loan_account_locks (tenant_id, loan_id, lock_owner, lock_placed_on_cob_business_date, error)
                VALUES ('default', \(failed), 'LOAN_COB_CHUNK_PROCESSING', '2026-03-11', 'step failed')
                """
            )
            _ = try await FineractFixtures.insertSavingsAccount(pool, activated: "2026-01-10", postedTill: "2026-02-01")
            try await NotificationEmailTests.insertEmail(
                pool,
                to: "a@example.net",
                claimedBy: "dead/run",
                claimedSecondsAgo: 3600
            )
            try await NotificationSMSTests.insertSMS(pool, status: 150, claimedBy: "dead/run", claimedSecondsAgo: 3600)
            try await pool.query(
                """
                INSERT INTO job_run (tenant_id, job_type, status, started_at)
                VALUES ('default', 'loan_cob', 'RUNNING', now() - interval '3 hours')
                """
            )
            let everything = FineractSnapshot.engineTables.union([FineractSnapshot.runLedger])
            let before = try await FineractSnapshot.take(pool, including: everything)

            let first = try await Self.check(pool)
            #expect(Self.tenantProblems(first).count == 8, "\(Self.tenantProblems(first))")
            let second = try await Self.check(pool)
            #expect(second["tenant"] == first["tenant"])
            let after = try await FineractSnapshot.take(pool, including: everything)
            #expect(after == before, "\(after.difference(from: before))")
        }
    }
}
