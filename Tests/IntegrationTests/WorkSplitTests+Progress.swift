import FineractDomain
import FineractJobs
import Foundation
import JobsServer
import Postgres
import TestSupport
import Testing

extension WorkSplitTests {
    /// Creates a job of `jobType` for the seeded tenant through node `client`, asks for a run and
    /// returns the job's id without waiting.
    static func start(_ client: HTTPTestClient, _ jobType: String, parameters: [String: Any]) async throws -> String {
        let created = try await client.send(
            "POST",
            "/jobs",
            json: ["name": jobType, "jobType": jobType, "tenantId": "bank", "parameters": parameters]
        )
        let job = try #require(created.json["id"] as? String, "\(created.text)")
        _ = try await client.send("POST", "/jobs/\(job)/execute")
        return job
    }

    /// The progress of job `job`'s top execution, as the database holds it, each time it changes
    /// while the execution runs, until it ends (or two minutes pass, for a loaded machine).
    static func progressWhileRunning(_ pool: PostgresPool, job: String) async throws
        -> (seen: [(done: Int64, total: Int64?)], status: String)
    {
        var seen: [(done: Int64, total: Int64?)] = []
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            let rows = try await pool.query(
                """
                SELECT status, progress_done, progress_total FROM job_execution
                WHERE job_id = \(job)::uuid AND parent_execution_id IS NULL
                """
            )
            if let row = rows.first {
                let status: String = try row.decode("status")
                if !["queued", "running"].contains(status) {
                    return (seen, status)
                }
                if let done: Int64 = try row.decode("progress_done") {
                    let total: Int64? = try row.decode("progress_total")
                    if seen.last.map({ $0.done != done || $0.total != total }) ?? true {
                        seen.append((done, total))
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("job \(job) did not end within two minutes")
        return (seen, "running")
    }

    /// Runs `jobType` on two nodes of one slot each and watches its progress until it ends. One
    /// slot per node means at most two chunks at a time, so the run lasts long enough for the
    /// parent, which looks at its children at most once a second, to show it part way.
    static func watchOnTwoNodes(
        _ jobType: String,
        _ parameters: [String: Any],
        postgres: PostgresConfiguration,
        pool: PostgresPool
    ) async throws -> (seen: [[Int64]], status: String) {
        try await TestService.withRunningService(postgres: postgres, configure: Self.oneSlot) { first in
            try await TestService.withRunningService(postgres: postgres, configure: Self.oneSlot) { _ in
                let job = try await Self.start(first, jobType, parameters: parameters)
                let watched = try await Self.progressWhileRunning(pool, job: job)
                return (watched.seen.map { [$0.done, $0.total ?? -1] }, watched.status)
            }
        }
    }

    /// A run split into many small chunks shows on its parent execution, while it runs, how many
    /// of all its loans or accounts are done: the total is the whole run's from the start, and
    /// the count done only grows. A hundred chunks of two make the run long enough to be watched.
    @Test(arguments: ["loan_cob", "savings_interest_posting"])
    func parentShowsTheWholeRunsProgressWhileChunksRun(jobType: String) async throws {
        try await TestDatabase.withMigratedDatabase { pool, postgres in
            let loans = jobType == "loan_cob"
            try await Self.seed(pool, loans: loans ? 200 : 0, savings: loans ? 0 : 200)
            let total: Int64 = try await pool.query(
                loans
                    ? """
                    SELECT count(*) AS n FROM m_loan
                    WHERE last_closed_business_date = '2024-01-30' OR last_closed_business_date IS NULL
                    """
                    : "SELECT count(*) AS n FROM m_savings_account WHERE status_enum = 300"
            )[0].decode("n")
            let parameters: [String: Any] = loans ? ["chunkSize": 2] : ["chunkSize": 2, "businessDate": "2024-02-01"]
            let (seen, status) = try await Self.watchOnTwoNodes(jobType, parameters, postgres: postgres, pool: pool)
            #expect(status == "succeeded")
            let described = seen.map { "\($0[0])/\($0[1])" }.joined(separator: " ")
            #expect(seen.contains { 0 < $0[0] && $0[0] < $0[1] }, "progress seen: \(described)")
            #expect(seen.allSatisfy { $0[1] == total }, "every total is the whole run's \(total): \(described)")
            #expect(zip(seen, seen.dropFirst()).allSatisfy { $0[0] <= $1[0] }, "done only grows: \(described)")
            let final = try await pool.query(
                """
                SELECT progress_done, progress_total FROM job_execution
                WHERE job_type = \(jobType) AND parent_execution_id IS NULL
                """
            )[0]
            #expect(try final.decode("progress_done", as: Int64.self) == total)
            #expect(try final.decode("progress_total", as: Int64.self) == total)
        }
    }

    @Test func loanAccrualChunksRunOnEveryNodeAndAccrueEveryLoanOnce() async throws {
        try await TestDatabase.withMigratedDatabase { pool, postgres in
            try await Self.seed(pool, loans: 150, savings: 0)
            let eligible: Int64 = try await pool.query(
                """
                SELECT count(*) AS n FROM m_loan l JOIN m_product_loan p ON p.id = l.product_id
                WHERE l.loan_status_id = 300 AND p.accounting_type = 3 AND NOT l.is_npa AND NOT l.is_charged_off
                """
            )[0].decode("n")
            try #require(eligible > 40, "the demo bank has loans with periodic accrual")
            let parent = try await Self.runOnTwoNodes(
                postgres,
                "loan_interest_posting",
                parameters: ["chunkSize": 10],
                chunks: Int((eligible + 9) / 10)
            )
            let result = try #require(parent["result"] as? [String: Any])
            #expect(result["processed"] as? Int == Int(eligible))
            #expect((result["failed"] as? [String: Any])?["count"] as? Int == 0)

            let state = try await pool.query(
                """
                SELECT (SELECT count(*) FROM (SELECT loan_id FROM m_loan_transaction
                                              WHERE transaction_type_enum = 10 AND NOT is_reversed
                                              GROUP BY loan_id, transaction_date HAVING count(*) > 1) twice)
                           AS accrued_twice,
                       (SELECT count(DISTINCT t.job_run_id) FROM m_loan_transaction t
                        JOIN job_run r ON r.id = t.job_run_id
                        WHERE t.transaction_type_enum = 10 AND r.job_type = 'loan_interest_posting') AS runs,
                       (SELECT status FROM job_run WHERE job_type = 'loan_interest_posting') AS run_status
                """
            )[0]
            #expect(try state.decode("accrued_twice", as: Int64.self) == 0)
            #expect(try state.decode("runs", as: Int64.self) == 1, "every chunk's rows belong to the one run")
            #expect(try state.decode("run_status", as: String.self) == "SUCCEEDED")
        }
    }
}
