import FineractDomain
import FineractJobs
import Foundation
import JobsCore
import Postgres
import TestSupport
import Testing

/// How `loan_cob` behaves when loans fail, when it runs twice, and when it is stopped halfway.
@Suite(
    "Loan COB recovery",
    .serialized,
    .enabled(if: TestDatabase.isConfigured, "POSTGRES_HOST is not set; make test starts a PostgreSQL for these tests"),
    .timeLimit(.minutes(5))
)
struct LoanCOBRecoveryTests {
    /// Five L1 loans closed for 2023-01-31 (installment 1 current: 66.67 / 31 × 30 = 64.52). One
    /// is on a product without GL mappings, so its accrual rule fails; one belongs to an office
    /// whose books are closed through 01-31, so the database refuses its journal entries. Both
    /// stay locked with their error and keep their watermark; the other three close.
    @Test func failedLoansStayLockedWithTheirErrorWhileTheOthersClose() async throws {
        try await LoanTestBank.with { bank in
            let product = try await bank.makeProduct(name: "Mapped")
            let unmappedProduct = try await bank.makeProduct(name: "Unmapped", mapsAccounts: false)
            let branch = try await bank.makeOffice("Closed branch")
            try await bank.pool.query(
                """
                INSERT INTO acc_gl_closure (tenant_id, office_id, closing_date)
                VALUES (\(LoanTestBank.tenant), \(branch), '2023-01-31')
                """
            )
            let client = try await bank.makeClient("C-1")
            let branchClient = try await bank.makeClient("C-2", office: branch)
            let good = try await bank.makeLoans(count: 3, prefix: "OK-", product: product, client: client)
            let unmapped = try await bank.makeLoan("UNMAPPED", product: unmappedProduct, client: client)
            let closedBooks = try await bank.makeLoan("BRANCH", product: product, client: branchClient)

            let result = try await bank.closeDay("2023-01-31")
            #expect(result.integer("selected") == 5)
            #expect(result.integer("closed") == 3)
            #expect(result.integer("failed.count") == 2)
            guard case .array(let failed) = result.value("failed.loans") else {
                Issue.record("no failed loans in \(result)")
                return
            }
            let errors = Dictionary(
                uniqueKeysWithValues: failed.map { ($0.integer("loanId")!, $0["error"]!.stringValue!) }
            )
            #expect(errors[unmapped]?.hasPrefix("step ADD_PERIODIC_ACCRUAL_ENTRIES failed: missing_gl_mapping") == true)
            #expect(
                errors[closedBooks]
                    == "the database refused the loan's changes (SQLSTATE 23514, constraint acc_gl_journal_entry_accounting_closed)"
            )

            let locks = try await bank.pool.query(
                """
                SELECT loan_id, lock_owner, lock_placed_on_cob_business_date::text AS cob, error, stacktrace
                FROM m_loan_account_locks ORDER BY loan_id
                """
            )
            #expect(try locks.map { try $0.decode("loan_id", as: Int64.self) } == [unmapped, closedBooks])
            for lock in locks {
                #expect(try lock.decode("lock_owner", as: String.self) == "LOAN_COB_CHUNK_PROCESSING")
                #expect(try lock.decode("cob", as: String.self) == "2023-01-31")
                let trace: String = try lock.decode("stacktrace")
                #expect(!trace.isEmpty && !trace.contains("INSERT") && !trace.contains("SELECT"))
            }
            #expect(
                try await bank.text(
                    """
                    SELECT string_agg(id || ':' || coalesce(last_closed_business_date::text, '-'), ' ' ORDER BY id)
                        AS value FROM m_loan
                    """
                ) == (good.map { "\($0):2023-01-31" } + ["\(unmapped):-", "\(closedBooks):-"]).joined(separator: " ")
            )
            for loan in good {
                #expect(try await bank.accruals(loan) == ["2023-01-31 64.52 64.52/0.00/0.00"])
            }
            #expect(try await bank.accruals(unmapped).isEmpty)
            #expect(try await bank.accruals(closedBooks).isEmpty)
            #expect(try await bank.text("SELECT status AS value FROM job_run WHERE job_type = 'loan_cob'") == "PARTIAL")

            // Run again: both failed loans are still locked and are skipped, nothing changes.
            let before = try await bank.loanTablesContents()
            let again = try await bank.runCOB(["force": true])
            #expect(again.integer("selected") == 2)
            #expect(again.integer("skippedLocked") == 2)
            #expect(again.integer("closed") == 0)
            #expect(try await bank.loanTablesContents() == before)

            // An operator fixes the mapping and clears the lock: the next run closes the loan.
            try await bank.pool.query(
                """
                INSERT INTO acc_product_mapping (tenant_id, product_type, product_id, financial_account_type, gl_account_id)
                SELECT tenant_id, 1, \(unmappedProduct), financial_account_type, gl_account_id FROM acc_product_mapping
                WHERE product_id = \(product)
                """
            )
            try await bank.pool.query("DELETE FROM m_loan_account_locks WHERE loan_id = \(unmapped)")
            let retried = try await bank.runCOB(["force": true])
            #expect(retried.integer("closed") == 1)
            #expect(try await bank.accruals(unmapped) == ["2023-01-31 64.52 64.52/0.00/0.00"])
            #expect(
                try await bank.journal(unmapped) == ["2023-01-31 1200 D 64.52", "2023-01-31 4100 C 64.52"]
            )
        }
    }

    /// After five closed days with penalties, delinquency, arrears, reminders and accruals, running
    /// the last date again is a no-op (the date succeeded), and forcing it finds no loan to close:
    /// every table the COB writes keeps its full contents.
    @Test func runningTheSameCOBDateTwiceChangesNothing() async throws {
        try await LoanTestBank.with { bank in
            let product = try await bank.makeProduct(name: "L1 product", penalty: 10)
            let client = try await bank.makeClient("C-1", mobile: "+254700000001", email: "one@example.com")
            try await bank.makeLoans(count: 3, prefix: "L-", product: product, client: client)
            for day in ["2023-01-30", "2023-01-31", "2023-02-01", "2023-02-02", "2023-02-03"] {
                try await bank.closeDay(day)
            }
            let before = try await bank.loanTablesContents()
            #expect(before["m_loan_transaction"]?.contains("\"transaction_type_enum\": 10") == true)

            let repeated = try await bank.runCOB()
            #expect(repeated["skipped"] == .bool(true))
            #expect(try await bank.loanTablesContents() == before)

            let forced = try await bank.runCOB(["force": true])
            #expect(forced.integer("selected") == 0)
            #expect(forced.integer("closed") == 0)
            #expect(try await bank.loanTablesContents() == before)

            let earlier = try await bank.runCOB(["cobDate": "2023-02-01", "force": true])
            #expect(earlier.integer("selected") == 0)
            #expect(try await bank.loanTablesContents() == before)
            // Each date keeps its one successful run; the forced repeats are recorded without a date.
            #expect(
                try await bank.text(
                    """
                    SELECT string_agg(coalesce(business_date::text, '-') || ' ' || status, ', ' ORDER BY id) AS value
                    FROM job_run
                    """
                )
                    == "2023-01-30 SUCCEEDED, 2023-01-31 SUCCEEDED, 2023-02-01 SUCCEEDED, 2023-02-02 SUCCEEDED, "
                    + "2023-02-03 SUCCEEDED, - SUCCEEDED, - SUCCEEDED"
            )
        }
    }

    /// 1000 L1 loans closed for 2023-01-31 in chunks of 100. The first run is cancelled after its
    /// third chunk; a chunk that crashed after placing its locks is simulated on the next 50
    /// loans. The second run takes the abandoned run and its locks over and closes the other 700:
    /// every loan ends with exactly one accrual of 64.52 and two journal entries.
    @Test func anInterruptedRunIsFinishedWithoutPostingTwice() async throws {
        try await LoanTestBank.with { bank in
            let product = try await bank.makeProduct(name: "L1 product")
            let client = try await bank.makeClient("C-1")
            let loans = try await bank.makeLoans(count: 1000, prefix: "L-", product: product, client: client)
            try await bank.setBusinessDate("2023-02-01")

            let context = try await bank.context(.loanCOB) { done, _ in
                // Reported between chunks, on the worker's own task: stop once 300 loans are done.
                if done >= 300 {
                    withUnsafeCurrentTask { $0?.cancel() }
                }
            }
            let worker = LoanCOBWorker(pool: bank.pool)
            let interrupted = Task {
                try await worker.process(parameters: ["chunkSize": 100], context: context)
            }
            await #expect(throws: CancellationError.self) { try await interrupted.value }
            try await bank.endExecution(context, status: "cancelled")
            #expect(
                try await bank.count("SELECT count(*) AS count FROM m_loan WHERE last_closed_business_date IS NOT NULL")
                    == 300
            )
            let runID: Int64 = try await bank.pool.query(
                "SELECT id FROM job_run WHERE job_type = 'loan_cob' AND status = 'RUNNING'"
            )[0].decode("id")
            try await bank.pool.query(
                """
                INSERT INTO m_loan_account_locks (tenant_id, loan_id, lock_owner, lock_placed_on_cob_business_date,
                    job_run_id)
                SELECT tenant_id, id, 'LOAN_COB_CHUNK_PROCESSING', '2023-01-31', \(runID) FROM m_loan
                WHERE id = ANY(\(PostgresArray(loans[300..<350].map(String.init)))::bigint[])
                """
            )

            let finished = try await bank.runCOB(["chunkSize": 100])
            #expect(finished.integer("selected") == 700)
            #expect(finished.integer("closed") == 700)
            #expect(finished.integer("skippedLocked") == 0)
            #expect(finished.integer("jobRunId") != runID)
            #expect(
                try await bank.count(
                    "SELECT count(*) AS count FROM m_loan WHERE last_closed_business_date = '2023-01-31'"
                ) == 1000
            )
            let accruals = try await bank.pool.query(
                """
                SELECT count(*) AS count, count(DISTINCT loan_id) AS loans, min(amount)::numeric(19,2)::text AS low,
                    max(amount)::numeric(19,2)::text AS high
                FROM m_loan_transaction WHERE transaction_type_enum = 10
                """
            )[0]
            #expect(try accruals.decode("count", as: Int.self) == 1000)
            #expect(try accruals.decode("loans", as: Int.self) == 1000)
            #expect(try accruals.decode("low", as: String.self) == "64.52")
            #expect(try accruals.decode("high", as: String.self) == "64.52")
            #expect(try await bank.count("SELECT count(*) AS count FROM acc_gl_journal_entry") == 2000)
            #expect(try await bank.count("SELECT count(*) AS count FROM m_loan_account_locks") == 0)
            // The cancelled run was taken over: closed as FAILED, the new one succeeded for the date.
            #expect(
                try await bank.text(
                    "SELECT string_agg(business_date || ' ' || status, ', ' ORDER BY id) AS value FROM job_run"
                ) == "2023-01-31 FAILED, 2023-01-31 SUCCEEDED"
            )
        }
    }

    /// The same, cancelled from outside while its second chunk is being written: the statement in
    /// flight is cancelled and its transaction rolled back. Whatever the moment the cancel lands,
    /// the next run leaves every loan with exactly one accrual and two journal entries.
    @Test func aRunCancelledMidChunkRollsTheChunkBack() async throws {
        try await LoanTestBank.with { bank in
            let product = try await bank.makeProduct(name: "L1 product")
            let client = try await bank.makeClient("C-1")
            try await bank.makeLoans(count: 2000, prefix: "L-", product: product, client: client)
            try await bank.setBusinessDate("2023-02-01")

            let (progress, reported) = AsyncStream<Int64>.makeStream()
            let context = try await bank.context(.loanCOB) { done, _ in reported.yield(done) }
            let worker = LoanCOBWorker(pool: bank.pool)
            let run = Task {
                try await worker.process(parameters: ["chunkSize": 500], context: context)
            }
            for await done in progress where done >= 500 {
                break
            }
            run.cancel()
            _ = await run.result
            reported.finish()
            try await bank.endExecution(context, status: "cancelled")

            let finished = try await bank.runCOB(["chunkSize": 500])
            #expect(finished.integer("failed.count") == 0)
            #expect(
                try await bank.count(
                    "SELECT count(*) AS count FROM m_loan WHERE last_closed_business_date = '2023-01-31'"
                ) == 2000
            )
            let accruals = try await bank.pool.query(
                """
                SELECT count(*) AS count, count(DISTINCT loan_id) AS loans, sum(amount) AS total
                FROM m_loan_transaction WHERE transaction_type_enum = 10
                """
            )[0]
            #expect(try accruals.decode("count", as: Int.self) == 2000)
            #expect(try accruals.decode("loans", as: Int.self) == 2000)
            #expect(try accruals.decode("total", as: Decimal.self) == 2000 * Decimal(string: "64.52")!)
            #expect(try await bank.count("SELECT count(*) AS count FROM acc_gl_journal_entry") == 4000)
            #expect(try await bank.count("SELECT count(*) AS count FROM m_loan_account_locks") == 0)
        }
    }
}
