import FineractDomain
import FineractJobs
import Foundation
import JobsServer
import Logging
import Postgres
import TestSupport
import Testing

/// Large financial jobs split their accounts and loans into chunks that run as child executions,
/// so every node of a cluster works on the night.
@Suite(
    "Work split",
    .enabled(if: TestDatabase.isConfigured, "POSTGRES_HOST is not set; make test starts a PostgreSQL for these tests"),
    .timeLimit(.minutes(3))
)
struct WorkSplitTests {
    static let businessDate = LocalDate(year: 2024, month: 2, day: 1)

    /// One slot per node, so both nodes must take chunks for the run to spread.
    static let oneSlot: @Sendable (inout ServiceConfiguration) -> Void = { $0.maxConcurrentJobs = 1 }

    static func seed(_ pool: PostgresPool, loans: Int, savings: Int) async throws {
        var options = DemoDataSeeder.Options(businessDate: Self.businessDate)
        options.tenantIDs = ["bank"]
        options.clientsPerTenant = 50
        options.loansPerTenant = loans
        options.savingsAccountsPerTenant = savings
        let logger = Logger(label: "seed", level: .warning, handler: StreamLogHandler(format: .text))
        _ = try await DemoDataSeeder(pool: pool, logger: logger).seed(options)
        // The seeded nightly jobs would run on their own schedule; this test runs its own.
        try await pool.query("UPDATE job SET status = 'paused' WHERE created_by = 'seed-demo'")
    }

    /// Runs `jobType` for the seeded tenant through node `client` and waits for its end.
    static func run(_ client: HTTPTestClient, _ jobType: String, parameters: [String: Any]) async throws
        -> [String: Any]
    {
        let created = try await client.send(
            "POST",
            "/jobs",
            json: ["name": jobType, "jobType": jobType, "tenantId": "bank", "parameters": parameters]
        )
        let job = try #require(created.json["id"] as? String, "\(created.text)")
        _ = try await client.send("POST", "/jobs/\(job)/execute")
        return try await TestService.waitForTerminalExecution(client: client, jobID: job, timeout: .seconds(120))
    }

    /// Runs `jobType` through the first of two one-slot nodes and returns its execution once it has
    /// ended, after checking what every split run must show: it succeeded, in `chunks` children that
    /// all succeeded and ran on both nodes.
    static func runOnTwoNodes(
        _ postgres: PostgresConfiguration,
        _ jobType: String,
        parameters: [String: Any],
        chunks: Int,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> [String: Any] {
        let reply = try await TestService.withRunningService(postgres: postgres, configure: Self.oneSlot) { first in
            try await TestService.withRunningService(postgres: postgres, configure: Self.oneSlot) { _ in
                let parent = try await Self.run(first, jobType, parameters: parameters)
                return try JSONSerialization.data(withJSONObject: parent)
            }
        }
        let parent = try #require(
            try JSONSerialization.jsonObject(with: reply) as? [String: Any],
            sourceLocation: sourceLocation
        )
        #expect(parent["status"] as? String == "succeeded", "\(parent["error"] ?? "")", sourceLocation: sourceLocation)
        let children = try #require(parent["children"] as? [[String: Any]], sourceLocation: sourceLocation)
        #expect(children.count == chunks, sourceLocation: sourceLocation)
        #expect(
            children.allSatisfy { $0["trigger"] as? String == "split" && $0["status"] as? String == "succeeded" },
            sourceLocation: sourceLocation
        )
        let nodes = Set(children.compactMap { $0["nodeId"] as? String })
        #expect(nodes.count == 2, "chunks ran on \(nodes)", sourceLocation: sourceLocation)
        return parent
    }

    @Test func loanCOBChunksRunOnEveryNodeAndCloseEveryLoanOnce() async throws {
        try await TestDatabase.withMigratedDatabase { pool, postgres in
            try await Self.seed(pool, loans: 150, savings: 0)
            let eligible: Int64 = try await pool.query(
                "SELECT count(*) AS n FROM m_loan WHERE last_closed_business_date = '2024-01-30' OR last_closed_business_date IS NULL"
            )[0].decode("n")
            let parent = try await Self.runOnTwoNodes(
                postgres,
                "loan_cob",
                parameters: ["chunkSize": 25],
                chunks: Int((eligible + 24) / 25)
            )

            let result = try #require(parent["result"] as? [String: Any])
            #expect(result["closed"] as? Int == Int(eligible))
            #expect((result["failed"] as? [String: Any])?["count"] as? Int == 0)
            let progress = try #require(parent["progress"] as? [String: Any])
            #expect(progress["done"] as? Int == Int(eligible) && progress["total"] as? Int == Int(eligible))

            let state = try await pool.query(
                """
                SELECT (SELECT count(*) FROM m_loan WHERE last_closed_business_date = '2024-01-31') AS closed,
                       (SELECT count(*) FROM m_loan_account_locks) AS locks,
                       (SELECT count(*) FROM (SELECT loan_id FROM m_loan_transaction
                                              WHERE transaction_type_enum = 10 AND transaction_date = '2024-01-31'
                                              GROUP BY loan_id HAVING count(*) > 1) twice) AS accrued_twice,
                       (SELECT count(DISTINCT job_run_id) FROM m_loan_transaction WHERE transaction_type_enum = 10)
                           AS runs,
                       (SELECT status FROM job_run WHERE job_type = 'loan_cob') AS run_status
                """
            )[0]
            #expect(try state.decode("closed", as: Int64.self) == eligible)
            #expect(try state.decode("locks", as: Int64.self) == 0)
            #expect(try state.decode("accrued_twice", as: Int64.self) == 0)
            #expect(try state.decode("runs", as: Int64.self) == 1, "every chunk's rows belong to the one run")
            #expect(try state.decode("run_status", as: String.self) == "SUCCEEDED")
        }
    }

    @Test func savingsPostingChunksRunOnEveryNodeAndPostEachAccountOnce() async throws {
        try await TestDatabase.withMigratedDatabase { pool, postgres in
            try await Self.seed(pool, loans: 0, savings: 120)
            let parent = try await Self.runOnTwoNodes(
                postgres,
                "savings_interest_posting",
                parameters: ["chunkSize": 20, "businessDate": "2024-02-01"],
                chunks: 6
            )
            let result = try #require(parent["result"] as? [String: Any])
            #expect(result["accounts"] as? Int == 120)

            let state = try await pool.query(
                """
                SELECT
                  (SELECT count(*) FROM m_savings_account a JOIN m_savings_product p ON p.id = a.product_id
                   WHERE p.interest_posting_period_enum = 4) AS monthly_accounts,
                  (SELECT count(*) FROM m_savings_account_transaction
                   WHERE transaction_type_enum = 3 AND transaction_date = '2024-02-01' AND NOT is_reversed) AS postings,
                  (SELECT count(*) FROM (SELECT savings_account_id FROM m_savings_account_transaction
                                         WHERE transaction_type_enum = 3 GROUP BY savings_account_id, transaction_date
                                         HAVING count(*) > 1) twice) AS posted_twice,
                  (SELECT count(DISTINCT job_run_id) FROM m_savings_account_transaction WHERE transaction_type_enum = 3)
                      AS runs,
                  (SELECT status FROM job_run WHERE job_type = 'savings_interest_posting') AS run_status
                """
            )[0]
            #expect(
                try state.decode("postings", as: Int64.self) == (try state.decode("monthly_accounts", as: Int64.self))
            )
            #expect(try state.decode("posted_twice", as: Int64.self) == 0)
            #expect(try state.decode("runs", as: Int64.self) == 1)
            #expect(try state.decode("run_status", as: String.self) == "SUCCEEDED")
        }
    }
}
