import FineractDomain
import FineractJobs
import Foundation
import JobsCore
import Postgres
import TestSupport
import Testing

extension EndOfDayAndMonthTests {
    static func childKeys(_ execution: [String: Any]) -> [String] {
        (execution["children"] as? [[String: Any]] ?? []).map { $0["childKey"] as? String ?? "" }
    }

    static func runs(_ pool: PostgresPool, _ jobType: String, tenant: String) async throws -> [String] {
        try await pool.query(
            """
            SELECT status || ' ' || coalesce(business_date::text, '-') AS run FROM job_run
            WHERE tenant_id = \(tenant) AND job_type = \(jobType) ORDER BY id
            """
        ).map { try $0.decode("run") }
    }

    /// Three L1 loans never closed, one of them on a product without GL mappings, so its accrual
    /// fails during the night's COB and the loan stays locked with its error. The night still
    /// closes the day (the date moves, the other loans close) but ends PARTIAL, and so does a
    /// repeat while the lock stays. Once the product is mapped and the lock cleared (as an operator
    /// or `database_maintenance` would), the repeat closes the loan and the night succeeds, without
    /// moving the date again.
    @Test func aNightWithALoanLeftLockedEndsPartialUntilTheLoanIsClosed() async throws {
        try await TestService.withService { client, pool in
            let bank = LoanTestBank(pool: pool)
            try await bank.setBusinessDate("2023-01-31")
            let product = try await bank.makeProduct(name: "Mapped")
            let unmapped = try await bank.makeProduct(name: "Unmapped", mapsAccounts: false)
            let client1 = try await bank.makeClient("C-1")
            let good = try await bank.makeLoans(count: 2, prefix: "OK-", product: product, client: client1)
            let failing = try await bank.makeLoan("UNMAPPED", product: unmapped, client: client1)
            let tenant = LoanTestBank.tenant

            let night = try await Self.run(client, "end_of_day", ["businessDate": "2023-01-31"], tenant: tenant)
            #expect(night["status"] as? String == "succeeded", "\(night["error"] ?? "")")
            let result = try #require(night["result"] as? [String: Any])
            #expect(result["advanced"] as? Bool == true)
            #expect(result["stayedLocked"] as? Int == 1)
            #expect(try await Self.runs(pool, "end_of_day", tenant: tenant) == ["PARTIAL 2023-01-31"])
            #expect(try await Self.runs(pool, "loan_cob", tenant: tenant) == ["PARTIAL 2023-01-31"])
            #expect(
                try await bank.text(
                    """
                    SELECT string_agg(id || ':' || coalesce(last_closed_business_date::text, '-'), ' ' ORDER BY id)
                        AS value FROM m_loan
                    """
                ) == (good.map { "\($0):2023-01-31" } + ["\(failing):-"]).joined(separator: " ")
            )
            let lock = try await bank.text(
                """
                SELECT loan_id || ' ' || lock_placed_on_cob_business_date || ' ' || (error IS NOT NULL) AS value
                FROM m_loan_account_locks
                """
            )
            #expect(lock == "\(failing) 2023-01-31 true")

            // Not SUCCEEDED, so the night may be run again without forcing; the lock still holds.
            let repeated = try await Self.run(client, "end_of_day", ["businessDate": "2023-01-31"], tenant: tenant)
            #expect((repeated["result"] as? [String: Any])?["advanced"] as? Bool == false)
            #expect((repeated["result"] as? [String: Any])?["stayedLocked"] as? Int == 1)
            #expect(
                try await Self.runs(pool, "end_of_day", tenant: tenant) == ["PARTIAL 2023-01-31", "PARTIAL 2023-01-31"]
            )

            for (type, code) in [(3, "4100"), (4, "4200"), (5, "4300"), (7, "1200"), (8, "1210"), (9, "1220")] {
                try await pool.query(
                    """
                    INSERT INTO acc_product_mapping (tenant_id, product_type, product_id, financial_account_type,
                        gl_account_id)
                    VALUES (\(tenant), 1, \(unmapped), \(type), \(try await bank.glAccount(code)))
                    """
                )
            }
            try await pool.query("DELETE FROM m_loan_account_locks WHERE tenant_id = \(tenant)")
            let fixed = try await Self.run(client, "end_of_day", ["businessDate": "2023-01-31"], tenant: tenant)
            #expect((fixed["result"] as? [String: Any])?["advanced"] as? Bool == false)
            #expect((fixed["result"] as? [String: Any])?["stayedLocked"] as? Int == 0)
            #expect(
                try await Self.runs(pool, "end_of_day", tenant: tenant)
                    == ["PARTIAL 2023-01-31", "PARTIAL 2023-01-31", "SUCCEEDED 2023-01-31"]
            )
            // Derived: installment 1 current on 01-31, 66.67 / 31 × 30 = 64.52, as for the others.
            #expect(try await bank.accruals(failing) == ["2023-01-31 64.52 64.52/0.00/0.00"])
            #expect(try await bank.count("SELECT count(*) AS count FROM m_loan_account_locks") == 0)
            #expect(
                try await bank.text(
                    """
                    SELECT string_agg(type || ' ' || date, ', ' ORDER BY type) AS value FROM m_business_date
                    WHERE tenant_id = 'default'
                    """
                ) == "BUSINESS_DATE 2023-02-01, COB_DATE 2023-01-31"
            )
        }
    }

    /// With periodic accrual taken out of the COB steps, the night runs the stand-alone accrual
    /// (`loan_interest_posting`) to the closed day after the COB, and every accrual of the night
    /// belongs to that run.
    @Test func withoutAccrualAmongTheCOBStepsTheNightRunsTheStandAloneAccrual() async throws {
        try await TestService.withService { client, pool in
            try await Self.seed(pool)
            try await pool.query(
                """
                DELETE FROM m_batch_business_steps
                WHERE tenant_id = 'bank' AND job_name = 'LOAN_CLOSE_OF_BUSINESS'
                  AND step_name = 'ADD_PERIODIC_ACCRUAL_ENTRIES'
                """
            )
            let night = try await Self.run(client, "end_of_day", ["businessDate": "2024-02-01"])
            #expect(night["status"] as? String == "succeeded", "\(night["error"] ?? "")")
            #expect(
                Self.childKeys(night) == [
                    "eod-2024-02-01-1-loan_cob-catch-up", "eod-2024-02-01-2-loan_cob",
                    "eod-2024-02-01-3-loan_interest_posting", "eod-2024-02-01-4-savings_interest_posting",
                    "eod-2024-02-01-5-savings_interest_calculation",
                ]
            )
            let steps = try #require((night["result"] as? [String: Any])?["steps"] as? [String: Any])
            let cobSteps = ((steps["loan_cob"] as? [String: Any])?["steps"] as? [String: Any]).map { Set($0.keys) }
            #expect(cobSteps?.contains("ADD_PERIODIC_ACCRUAL_ENTRIES") == false, "\(cobSteps ?? [])")
            let accrual = try #require(steps["loan_interest_posting"] as? [String: Any])
            #expect(accrual["tillDate"] as? String == "2024-02-01")
            #expect((accrual["failed"] as? [String: Any])?["count"] as? Int == 0)
            #expect(try await Self.runs(pool, "loan_interest_posting", tenant: "bank") == ["SUCCEEDED 2024-02-01"])

            let state = try await pool.query(
                """
                SELECT
                  (SELECT count(*) FROM m_loan l JOIN m_product_loan p ON p.id = l.product_id
                   WHERE l.loan_status_id = 300 AND p.accounting_type = 3 AND NOT l.is_npa AND NOT l.is_charged_off)
                      AS accruing,
                  (SELECT count(*) FROM m_loan WHERE loan_status_id = 300 AND accrued_till = '2024-02-01')
                      AS accrued_to_the_day,
                  (SELECT count(*) FROM m_loan_transaction WHERE transaction_type_enum = 10) AS accruals,
                  (SELECT count(*) FROM m_loan_transaction t JOIN job_run r ON r.id = t.job_run_id
                   WHERE t.transaction_type_enum = 10 AND r.job_type = 'loan_interest_posting') AS by_stand_alone_run
                """
            )[0]
            let accruing: Int64 = try state.decode("accruing")
            #expect(accruing > 0)
            #expect(try state.decode("accrued_to_the_day", as: Int64.self) == accruing)
            let accruals: Int64 = try state.decode("accruals")
            #expect(accruals > 0)
            #expect(try state.decode("by_stand_alone_run", as: Int64.self) == accruals)
        }
    }
}
