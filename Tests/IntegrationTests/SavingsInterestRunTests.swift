import FineractDomain
import FineractJobs
import Foundation
import JobsCore
import Postgres
import Synchronization
import TestSupport
import Testing

/// How a savings interest run behaves as a run: interrupted and resumed, with accounts that fail,
/// against another run, split into chunks, and with bad parameters.
@Suite(
    "Savings interest runs",
    .enabled(if: TestDatabase.isConfigured, "POSTGRES_HOST is not set; make test starts a PostgreSQL for these tests"),
    .timeLimit(.minutes(3))
)
struct SavingsInterestRunTests {
    typealias Fixture = SavingsFixture

    /// `count` accounts holding 1000.00 since 2024-01-01, monthly posting: each earns
    /// 1000 × D64(daily × 31) = 8.493150685 → 8.49 for January (derived in the domain tests).
    static func seedSavers(_ fixture: Fixture, count: Int, accounting: Int = 1) async throws -> [Int64] {
        let product = try await fixture.product(.init(accounting: accounting))
        var accounts: [Int64] = []
        for _ in 0..<count {
            let account = try await fixture.account(productID: product, activatedOn: "2024-01-01")
            try await fixture.transaction(account, type: 1, date: "2024-01-01", amount: "1000.00")
            accounts.append(account)
        }
        return accounts
    }

    static func postedAccounts(_ fixture: Fixture) async throws -> [Int64: Int] {
        let rows = try await fixture.pool.query(
            """
            SELECT savings_account_id, count(*) AS postings FROM m_savings_account_transaction
            WHERE transaction_type_enum = 3 AND NOT is_reversed GROUP BY savings_account_id
            """
        )
        var counts: [Int64: Int] = [:]
        for row in rows {
            counts[try row.decode("savings_account_id")] = try row.decode("postings")
        }
        return counts
    }

    @Test func anInterruptedRunResumesWithoutPostingTwice() async throws {
        try await Fixture.with { fixture in
            let accounts = try await Self.seedSavers(fixture, count: 10)
            try await fixture.setBusinessDate("2024-02-01")
            let worker = SavingsInterestPostingWorker(pool: fixture.pool, parallelism: 1)
            let (jobID, executionID) = try await fixture.startExecution(worker.jobType)
            // Stop the run once its first chunk of three has committed, as a timeout or a stopping
            // node would: the reporter runs in the run's own task, so it cancels exactly that task.
            let context = fixture.context(jobID: jobID, executionID: executionID) { done, _ in
                if done >= 3 {
                    withUnsafeCurrentTask { $0?.cancel() }
                }
            }
            let interrupted = Task { try await worker.process(parameters: ["chunkSize": 3], context: context) }
            await #expect(throws: CancellationError.self) { try await interrupted.value }
            let partial = try await Self.postedAccounts(fixture)
            #expect(partial == Dictionary(uniqueKeysWithValues: accounts.prefix(3).map { ($0, 1) }))
            let running = try await fixture.pool.query("SELECT status FROM job_run")
            #expect(try running.map { try $0.decode("status", as: String.self) } == ["RUNNING"])

            // The engine retries the execution: its second attempt resumes the run.
            let resumed = try await worker.process(
                parameters: ["chunkSize": 3],
                context: fixture.context(jobID: jobID, executionID: executionID, attempt: 2)
            )
            #expect(resumed["postingsUnchanged"] == .integer(Int64(partial.count)))
            #expect(resumed["postingsInserted"] == .integer(Int64(accounts.count - partial.count)))
            let posted = try await Self.postedAccounts(fixture)
            #expect(posted == Dictionary(uniqueKeysWithValues: accounts.map { ($0, 1) }))
            let runs = try await fixture.pool.query("SELECT status, attempt FROM job_run ORDER BY id")
            #expect(try runs.map { try $0.decode("status", as: String.self) } == ["SUCCEEDED"])
            #expect(try runs[0].decode("attempt", as: Int.self) == 2)
        }
    }

    /// One account's office closed its books on 2024-02-15, so its Feb 1 journal entry is refused;
    /// another account has a posting period code Fineract does not define. Both are reported, the
    /// rest are posted, and the run is PARTIAL.
    @Test func failingAccountsAreReportedAndTheOthersPosted() async throws {
        try await Fixture.with { fixture in
            let healthy = try await Self.seedSavers(fixture, count: 2, accounting: 2)
            let closedOffice = try await fixture.pool.query(
                """
                INSERT INTO m_office (tenant_id, parent_id, hierarchy, name, opening_date)
                VALUES ('default', \(fixture.officeID), '.2.', 'Branch', '2023-01-01') RETURNING id
                """
            )
            let branch: Int64 = try closedOffice[0].decode("id")
            try await fixture.pool.query(
                "INSERT INTO acc_gl_closure (tenant_id, office_id, closing_date) VALUES ('default', \(branch), '2024-02-15')"
            )
            let product = try await fixture.product(.init(accounting: 2))
            let closed = try await fixture.account(productID: product, activatedOn: "2024-01-01", officeID: branch)
            try await fixture.transaction(closed, type: 1, date: "2024-01-01", amount: "1000.00")
            let garbled = try await fixture.account(productID: product, activatedOn: "2024-01-01")
            try await fixture.transaction(garbled, type: 1, date: "2024-01-01", amount: "1000.00")
            try await fixture.pool.query(
                "UPDATE m_savings_account SET interest_posting_period_enum = 9 WHERE id = \(garbled)"
            )
            try await fixture.setBusinessDate("2024-02-01")

            let result = try await fixture.post()
            #expect(result["accounts"] == 2)
            #expect(result["postingsInserted"] == 2)
            #expect(result["failedAccounts"] == 2)
            guard case .array(let failures) = result["failures"], failures.count == 2 else {
                Issue.record("the result lists no two failures: \(result)")
                return
            }
            #expect(failures[0]["accountId"] == .integer(closed))
            #expect(
                failures[0]["error"]?.stringValue?.contains("constraint acc_gl_journal_entry_accounting_closed") == true
            )
            #expect(failures[1]["accountId"] == .integer(garbled))
            #expect(failures[1]["error"]?.stringValue?.contains("interest_posting_period_enum 9") == true)
            #expect(try await fixture.postings(closed).isEmpty)
            #expect(try await fixture.postings(garbled).isEmpty)
            #expect(try await Self.postedAccounts(fixture) == Dictionary(uniqueKeysWithValues: healthy.map { ($0, 1) }))
            let run = try await fixture.pool.query("SELECT status FROM job_run")
            #expect(try run[0].decode("status", as: String.self) == "PARTIAL")
        }
    }

    @Test func aLiveRunBlocksAnotherAndADeadOneIsTakenOver() async throws {
        try await Fixture.with { fixture in
            _ = try await Self.seedSavers(fixture, count: 1)
            try await fixture.setBusinessDate("2024-02-01")
            // An execution the engine runs right now, holding a lease, with its run row.
            let execution = try await fixture.pool.query(
                """
                WITH job AS (
                    INSERT INTO job (name, job_type, tenant_id, status) VALUES ('posting', 'savings_interest_posting', 'default', 'active')
                    RETURNING id
                ), execution AS (
                    INSERT INTO job_execution (job_id, tenant_id, job_type, priority, status, trigger, attempt, max_attempts, timeout_seconds)
                    SELECT id, 'default', 'savings_interest_posting', 1, 'running', 'manual', 1, 3, 600 FROM job
                    RETURNING id, job_id
                ), lease AS (
                    INSERT INTO job_lock (execution_id, job_id, node_id, fencing_token, expires_at)
                    SELECT id, job_id, 'other-node', 1, now() + interval '1 hour' FROM execution
                )
                INSERT INTO job_run (tenant_id, job_type, business_date, status, execution_id)
                SELECT 'default', 'savings_interest_posting', '2024-02-01', 'RUNNING', id FROM execution
                RETURNING execution_id
                """
            )
            let liveExecution: UUID = try execution[0].decode("execution_id")
            let blocked = try await #require(throws: JobWorkerError.self) { try await fixture.post() }
            #expect(blocked.code == "job_already_running")
            #expect(blocked.isRetryable)
            #expect(try await Self.postedAccounts(fixture).isEmpty)

            // The execution ends without finishing its run (its node died): the next run takes over.
            try await fixture.pool.query("UPDATE job_execution SET status = 'failed' WHERE id = \(liveExecution)")
            let result = try await fixture.post()
            #expect(result["postingsInserted"] == 1)
            let runs = try await fixture.pool.query("SELECT status FROM job_run ORDER BY id")
            #expect(try runs.map { try $0.decode("status", as: String.self) } == ["FAILED", "SUCCEEDED"])
        }
    }

    @Test func aChunkParameterLimitsTheRunToItsRange() async throws {
        try await Fixture.with { fixture in
            let accounts = try await Self.seedSavers(fixture, count: 4)
            try await fixture.setBusinessDate("2024-02-01")
            let chunk: JSONValue = ["fromId": .integer(accounts[1]), "toId": .integer(accounts[2]), "jobRunId": 42]
            let result = try await fixture.post(["chunk": chunk])
            #expect(result["accounts"] == 2)
            #expect(result["chunk"]?["fromId"] == .integer(accounts[1]))
            #expect(try await Self.postedAccounts(fixture) == [accounts[1]: 1, accounts[2]: 1])
            // The postings belong to the run that split the work.
            let runs = try await fixture.pool.query(
                "SELECT DISTINCT job_run_id FROM m_savings_account_transaction WHERE transaction_type_enum = 3"
            )
            #expect(try runs.map { try $0.decode("job_run_id", as: Int64.self) } == [42])
            // A chunk belongs to a run split by its parent, which keeps the run's bookkeeping.
            #expect(try await fixture.pool.query("SELECT 1 FROM job_run").isEmpty)
        }
    }

    static let badParameters: [([String: JSONValue], String)] = [
        (["chunkSize": 0], "chunkSize"),
        (["chunkSize": "ten"], "chunkSize"),
        (["businessDate": "2024-13-01"], "businessDate"),
        (["force": "yes"], "force"),
        (["chunk": ["fromId": 5, "toId": 2]], "chunk"),
    ]

    @Test(arguments: Self.badParameters)
    func badParametersAreRefusedByName(parameters: [String: JSONValue], name: String) async throws {
        try await Fixture.with { fixture in
            let error = try await #require(throws: JobWorkerError.self) { try await fixture.post(parameters) }
            #expect(error.code == "invalid_parameter")
            #expect(!error.isRetryable)
            #expect(error.message.contains("parameter \(name) "))
        }
    }

    @Test func zeroRateAccountsAreSkippedUnlessOverdraftInterestApplies() async throws {
        try await Fixture.with { fixture in
            let zero = try await fixture.product(.init(rate: "0"))
            let idle = try await fixture.account(productID: zero, activatedOn: "2024-01-01")
            try await fixture.transaction(idle, type: 1, date: "2024-01-01", amount: "1000.00")
            let overdraft = try await fixture.product(.init(rate: "0", allowOverdraft: true, overdraftRate: "20"))
            let overdrawn = try await fixture.account(productID: overdraft, activatedOn: "2024-01-01")
            try await fixture.transaction(overdrawn, type: 2, date: "2024-01-01", amount: "365.00")
            try await fixture.setBusinessDate("2024-02-01")
            let result = try await fixture.post()
            #expect(result["skippedAccounts"] == 1)
            #expect(result["accounts"] == 1)
            #expect(try await fixture.postings(idle).isEmpty)
            // −365 × D64(0.2/365 × 31 = 0.01698630136986301) = −6.199999999999999 → S9 −6.200000000.
            #expect(
                try await fixture.postings(overdrawn) == [
                    .init(type: 17, date: "2024-02-01", amount: Fixture.decimal("6.20"), reversed: false)
                ]
            )
        }
    }

    /// The tenant posts on the period end and rounds up (`rounding-mode` 0). Derived: January on
    /// Jan 31 is 1000 × D64(daily × 31 = 0.008493150684931506) = 8.493150684931506 → 8.493150685 at
    /// 9 places, rounded up to 8.50 and dated Jan 31 (half-even would give 8.49).
    @Test func tenantConfigurationShapesThePostings() async throws {
        try await Fixture.with { fixture in
            let accounts = try await Self.seedSavers(fixture, count: 1)
            try await fixture.pool.query(
                """
                UPDATE c_configuration SET enabled = true, value = CASE name WHEN 'rounding-mode' THEN 0 ELSE value END
                WHERE tenant_id = 'default' AND name IN ('rounding-mode', 'savings-interest-posting-current-period-end')
                """
            )
            try await fixture.setBusinessDate("2024-01-31")
            _ = try await fixture.post()
            #expect(
                try await fixture.postings(accounts[0]) == [
                    .init(type: 3, date: "2024-01-31", amount: Fixture.decimal("8.50"), reversed: false)
                ]
            )
        }
    }

    @Test func chunksAreContiguousRangesOfAtMostChunkSizeIDs() {
        #expect(IDRangeChunks.ranges(of: [], chunkSize: 2).isEmpty)
        #expect(IDRangeChunks.ranges(of: [4, 7, 9, 20, 21], chunkSize: 2) == [4...8, 9...20, 21...21])
        #expect(IDRangeChunks.ranges(of: [4, 7, 9], chunkSize: 1000) == [4...9])
    }
}
