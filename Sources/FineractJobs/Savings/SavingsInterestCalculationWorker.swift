import FineractDomain
import Foundation
public import JobsCore
import Logging
public import Postgres

/// `savings_interest_calculation`: Fineract's `calculateInterest` account command, for all active
/// accounts of one tenant.
///
/// Calculates every posting period from the interest start date up to `asOf` (default the tenant's
/// BUSINESS_DATE), the open one included, and records the interest earned so far
/// (`total_interest_earned_derived`, the sum of each period's rounded interest) and
/// `last_interest_calculation_date = asOf`. Posts nothing. A pure recomputation: a repeat run writes
/// the same figures, so it changes nothing.
public struct SavingsInterestCalculationWorker: JobWorker {
    public let jobType = JobType.savingsInterestCalculation

    private let pool: PostgresPool
    private let parallelism: Int

    public init(pool: PostgresPool, parallelism: Int = 2) {
        self.pool = pool
        self.parallelism = parallelism
    }

    public func process(parameters: [String: JSONValue], context: JobContext) async throws -> JSONValue {
        let run = SavingsInterestRun(
            pool: self.pool,
            jobType: self.jobType,
            dateKey: "asOf",
            parallelism: self.parallelism,
            reportsPostings: false
        )
        let tenantID = context.tenantID ?? ""
        return try await run.run(parameters: parameters, context: context) { range, date, settings, _, _ in
            try await self.processAccounts(tenantID: tenantID, idRange: range, asOf: date, settings: settings)
        }
    }

    /// Calculates the interest earned by the tenant's active accounts with ids in `idRange`, in one
    /// transaction. The only write is the accounts' two figures, which no constraint refuses, so
    /// there is no account-by-account retry here.
    func processAccounts(
        tenantID: String,
        idRange: ClosedRange<Int64>,
        asOf: LocalDate,
        settings: SavingsInterestSettings
    ) async throws -> SavingsRunTally {
        try await self.pool.withTransaction { connection in
            let (accounts, unreadable) = try await SavingsInterestStore.lockAccounts(
                connection: connection,
                tenantID: tenantID,
                range: idRange
            )
            var tally = SavingsRunTally()
            tally.accountsSeen = accounts.count + unreadable.count
            tally.failures = unreadable
            let earning = accounts.filter(\.terms.earnsInterest)
            tally.skipped = accounts.count - earning.count
            let histories = try await SavingsInterestStore.transactions(
                connection: connection,
                tenantID: tenantID,
                accountIDs: earning.map(\.id),
                withDerived: false
            )
            var changes: [(account: SavingsAccountRecord, summary: SavingsAccountRecord.Summary)] = []
            for account in earning {
                let calculator = SavingsInterestCalculator(
                    terms: account.terms,
                    settings: settings,
                    purpose: .calculation
                )
                do {
                    let calculation = try calculator.calculate(
                        transactions: (histories[account.id] ?? []).map(\.transaction),
                        interestStartDate: account.interestStartDate,
                        through: asOf
                    )
                    var summary = account.summary
                    summary.totalInterestEarned = calculation.totalInterestEarned
                    summary.lastInterestCalculationDate = asOf
                    tally.accounts += 1
                    if summary != account.summary {
                        changes.append((account, summary))
                    }
                } catch {
                    tally.failures.append(SavingsAccountFailure(accountID: account.id, reason: "\(error)"))
                }
            }
            try await SavingsAccountSummaryWriter.update(changes, tenantID: tenantID, connection: connection)
            tally.accountsUpdated = changes.count
            return tally
        }
    }
}
