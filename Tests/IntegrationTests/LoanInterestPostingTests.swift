import FineractDomain
import FineractJobs
import Foundation
import JobsCore
import Postgres
import TestSupport
import Testing

/// `loan_interest_posting` (Fineract's stand-alone periodic accrual) and the loan jobs' parameter
/// checks. Figures derived by hand from FINERACT.md §4.3.
@Suite(
    "Loan interest posting",
    .serialized,
    .enabled(if: TestDatabase.isConfigured, "POSTGRES_HOST is not set; make test starts a PostgreSQL for these tests"),
    .timeLimit(.minutes(3))
)
struct LoanInterestPostingTests {
    /// Business date 2023-02-16: installment 1 of L1 is due (66.67 on 02-01), installment 2 is
    /// 15 days in: 50.21 / 28 × 15 = 26.898… → 26.90 on 02-16. Only the active, performing loan of
    /// the accrual product is accrued; a cash-accounted, an NPA and an approved loan are not. A
    /// rerun is a no-op, a forced one posts nothing, and the COB of 02-15 that follows adds no
    /// accrual either (the loan is already accrued to 02-16).
    @Test func accruesToTheBusinessDateOnceAndRerunsPostNothing() async throws {
        try await LoanTestBank.with { bank in
            let accrual = try await bank.makeProduct(name: "Accrual")
            let cash = try await bank.makeProduct(name: "Cash", accountingType: 2)
            let client = try await bank.makeClient("C-1")
            let loan = try await bank.makeLoan("ACC", product: accrual, client: client)
            let cashLoan = try await bank.makeLoan("CASH", product: cash, client: client)
            let npa = try await bank.makeLoan("NPA", product: accrual, client: client)
            try await bank.pool.query("UPDATE m_loan SET is_npa = true WHERE id = \(npa)")
            let approved = try await bank.makeLoans(
                count: 1,
                prefix: "APP-",
                product: accrual,
                client: client,
                status: 200
            )
            try await bank.setBusinessDate("2023-02-16")

            let result = try await bank.runInterestPosting()
            #expect(result["tillDate"] == .string("2023-02-16"))
            #expect(result.integer("selected") == 1)
            #expect(result.integer("accrual.transactions") == 2)
            #expect(result.value("accrual.amount") == .string("93.57"))
            #expect(
                try await bank.accruals(loan) == [
                    "2023-02-01 66.67 66.67/0.00/0.00", "2023-02-16 26.90 26.90/0.00/0.00",
                ]
            )
            #expect(
                try await bank.journal(loan) == [
                    "2023-02-01 1200 D 66.67", "2023-02-01 4100 C 66.67", "2023-02-16 1200 D 26.90",
                    "2023-02-16 4100 C 26.90",
                ]
            )
            for other in [cashLoan, npa] + approved {
                #expect(try await bank.accruals(other).isEmpty)
            }
            #expect(
                try await bank.text(
                    "SELECT accrued_till || ' ' || coalesce(last_closed_business_date::text, '-') AS value FROM m_loan WHERE id = \(loan)"
                ) == "2023-02-16 -"
            )

            let before = try await bank.loanTablesContents()
            let repeated = try await bank.runInterestPosting()
            #expect(repeated["skipped"] == .bool(true))
            let forced = try await bank.runInterestPosting(["force": true])
            #expect(forced.integer("selected") == 1)
            #expect(forced.integer("accrual.transactions") == 0)
            #expect(try await bank.loanTablesContents() == before)

            let cob = try await bank.runCOB()
            #expect(cob["cobDate"] == .string("2023-02-15"))
            #expect(cob.integer("steps.ADD_PERIODIC_ACCRUAL_ENTRIES.transactions") == 0)
            #expect(
                try await bank.accruals(loan) == [
                    "2023-02-01 66.67 66.67/0.00/0.00", "2023-02-16 26.90 26.90/0.00/0.00",
                ]
            )
        }
    }

    /// A `chunk` parameter limits the run to that id range and leaves `job_run` alone.
    @Test func aChunkParameterProcessesOnlyItsRange() async throws {
        try await LoanTestBank.with { bank in
            let product = try await bank.makeProduct(name: "Accrual")
            let client = try await bank.makeClient("C-1")
            let loans = try await bank.makeLoans(count: 5, prefix: "L-", product: product, client: client)
            try await bank.setBusinessDate("2023-01-11")
            let chunk: JSONValue = ["fromId": .integer(loans[1]), "toId": .integer(loans[3])]
            let result = try await bank.runInterestPosting(["chunk": chunk])
            #expect(result.integer("processed") == 3)
            // 66.67 / 31 × 10 days = 21.506… → 21.51 for each loan of the range.
            #expect(try await bank.accruals(loans[0]).isEmpty)
            #expect(try await bank.accruals(loans[2]) == ["2023-01-11 21.51 21.51/0.00/0.00"])
            #expect(try await bank.accruals(loans[4]).isEmpty)
            #expect(try await bank.count("SELECT count(*) AS count FROM job_run") == 0)

            let cob = try await bank.runCOB(["chunk": chunk])
            #expect(cob.integer("closed") == 3)
            #expect(
                try await bank.count("SELECT count(*) AS count FROM m_loan WHERE last_closed_business_date IS NOT NULL")
                    == 3
            )
        }
    }

    /// Every bad parameter is refused before any work, by name and without retries.
    @Test func badParametersAreRefusedByName() async throws {
        let cases: [([String: JSONValue], String)] = [
            (["cobDate": "2023-13-01"], "cobDate"),
            (["cobDate": 20_230_101], "cobDate"),
            (["cobDate": "2999-01-01"], "cobDate"),
            (["chunkSize": 0], "chunkSize"),
            (["chunkSize": "many"], "chunkSize"),
            (["chunk": ["fromId": 9, "toId": 1]], "chunk"),
            (["catchUp": "yes"], "catchUp"),
            (["force": 1], "force"),
            (["catchUp": true, "chunk": ["fromId": 1, "toId": 9]], "chunk"),
        ]
        try await LoanTestBank.with { bank in
            for (parameters, name) in cases {
                let error = await #expect(throws: JobWorkerError.self) { try await bank.runCOB(parameters) }
                #expect(error?.isRetryable == false)
                #expect(error?.code == "invalid_parameter")
                let message = error?.message ?? ""
                #expect(message.hasPrefix("parameter \(name) "), "\(message)")
            }
            let runs = try await bank.count("SELECT count(*) AS count FROM job_run")
            #expect(runs == 0)
        }
    }

    @Test func badTillDateIsRefusedByName() async throws {
        try await LoanTestBank.with { bank in
            let error = await #expect(throws: JobWorkerError.self) {
                try await bank.runInterestPosting(["tillDate": "tomorrow"])
            }
            #expect(error?.isRetryable == false)
            #expect(error?.message.hasPrefix("parameter tillDate ") == true)
        }
    }
}
