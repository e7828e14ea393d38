import FineractDomain
import FineractJobs
import Foundation
import JobsCore
import Postgres
import TestSupport
import Testing

/// Closes many loans in one COB and prints the rate; asserts only what was written, never a time.
///
/// `LOAN_COB_BENCH_LOANS` (default 2000) sets the number of loans and `LOAN_COB_BENCH_CHUNK_SIZE`
/// (default 1000) the chunk size: `LOAN_COB_BENCH_LOANS=10000 LOAN_COB_BENCH_CHUNK_SIZE=10000`
/// measures one chunk of 10,000 loans.
@Suite(
    "Loan COB throughput",
    .serialized,
    .enabled(if: TestDatabase.isConfigured, "POSTGRES_HOST is not set; make test starts a PostgreSQL for these tests"),
    .timeLimit(.minutes(10))
)
struct LoanCOBThroughputTests {
    static var loanCount: Int {
        Int(ProcessInfo.processInfo.environment["LOAN_COB_BENCH_LOANS"] ?? "") ?? 2000
    }

    static var chunkSize: Int {
        Int(ProcessInfo.processInfo.environment["LOAN_COB_BENCH_CHUNK_SIZE"] ?? "") ?? 1000
    }

    /// A COB date over L1 loans never closed before, and what every loan must end with.
    struct Scenario: Sendable, CustomTestStringConvertible {
        var name: String
        var cobDate: String
        var penalties: Int
        var delinquencyTags: Int
        var accrualsPerLoan: Int
        var journalLinesPerLoan: Int
        var arrearsRows: Int
        var accruedPerLoan: String

        var testDescription: String { self.name }
    }

    /// A quiet day, 2023-01-15: only installment 1's accrual, 66.67 / 31 × 14 = 30.109… → 30.11.
    /// A heavy day, 2023-02-03: every loan gets the 10.00 penalty, RANGE_1, an arrears row, and
    /// accruals on 02-01 (66.67 + 10.00) and 02-03 (3.59): 80.26 and six journal lines.
    static let scenarios = [
        Scenario(
            name: "quiet day",
            cobDate: "2023-01-15",
            penalties: 0,
            delinquencyTags: 0,
            accrualsPerLoan: 1,
            journalLinesPerLoan: 2,
            arrearsRows: 0,
            accruedPerLoan: "30.11"
        ),
        Scenario(
            name: "heavy day",
            cobDate: "2023-02-03",
            penalties: 1,
            delinquencyTags: 1,
            accrualsPerLoan: 2,
            journalLinesPerLoan: 6,
            arrearsRows: 1,
            accruedPerLoan: "80.26"
        ),
    ]

    @Test(arguments: Self.scenarios)
    func closesEveryLoanOfALargeBook(scenario: Scenario) async throws {
        let count = Self.loanCount
        try await LoanTestBank.with { bank in
            let product = try await bank.makeProduct(name: "Bulk", penalty: 10)
            let client = try await bank.makeClient("C-1", mobile: "+254700000001", email: "one@example.com")
            try await bank.makeLoans(count: count, prefix: "B-", product: product, client: client)
            try await bank.setBusinessDate(LoanTestBank.date(scenario.cobDate).adding(days: 1).description)
            try await bank.pool.query("ANALYZE")

            let clock = ContinuousClock()
            let started = clock.now
            let result = try await bank.runCOB(["chunkSize": .integer(Int64(Self.chunkSize))])
            let elapsed = clock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print(
                "loan_cob \(scenario.name): closed \(count) loans in \(String(format: "%.2f", seconds)) s "
                    + "(\(Int(Double(count) / seconds)) loans/s, chunk size \(Self.chunkSize))"
            )
            #expect(result.integer("closed") == Int64(count))
            #expect(result.integer("failed.count") == 0)
            #expect(
                result.integer("steps.APPLY_CHARGE_TO_OVERDUE_LOANS.penalties") == Int64(scenario.penalties * count)
            )
            #expect(
                result.integer("steps.LOAN_DELINQUENCY_CLASSIFICATION.added") == Int64(scenario.delinquencyTags * count)
            )
            #expect(
                result.integer("steps.ADD_PERIODIC_ACCRUAL_ENTRIES.transactions")
                    == Int64(scenario.accrualsPerLoan * count)
            )
            #expect(
                try await bank.count("SELECT count(*) AS count FROM acc_gl_journal_entry")
                    == scenario.journalLinesPerLoan * count
            )
            #expect(
                try await bank.count("SELECT count(*) AS count FROM m_loan_arrears_aging") == scenario.arrearsRows
                    * count
            )
            let total: Decimal = try await bank.pool.query("SELECT sum(amount) AS total FROM m_loan_transaction")[0]
                .decode("total")
            #expect(total == Decimal(count) * Decimal(string: scenario.accruedPerLoan)!)
        }
    }
}
