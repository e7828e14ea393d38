import FineractDomain
import Foundation
public import JobsCore
import Logging
public import Postgres

/// `savings_interest_posting`: Fineract's POST_INTEREST_FOR_SAVINGS (SA_PINT) for one tenant.
///
/// For every active account that earns interest, recalculates all posting periods from the
/// interest start date up to the business date (parameter `businessDate`, default the tenant's
/// BUSINESS_DATE), posts each period whose posting date has come, corrects postings whose amount
/// changed (reverse and replace), recomputes the running balances and the account's figures, and
/// writes journal entries for products with accounting. Each account's writes commit together with
/// its figures, so a crash leaves an account either wholly posted or untouched, and a repeat run
/// finds every posting in place and writes nothing new.
///
/// Parameters: see `SavingsInterestJobParameters`. The result counts accounts, postings inserted,
/// corrected and unchanged, and lists the accounts that failed with the reason.
public struct SavingsInterestPostingWorker: JobWorker {
    public let jobType = JobType.savingsInterestPosting

    private let pool: PostgresPool
    private let parallelism: Int

    /// - Parameters:
    ///   - pool: the database.
    ///   - parallelism: how many chunks one run processes at once (each holds a connection).
    public init(pool: PostgresPool, parallelism: Int = 2) {
        self.pool = pool
        self.parallelism = parallelism
    }

    public func process(parameters: [String: JSONValue], context: JobContext) async throws -> JSONValue {
        let run = SavingsInterestRun(
            pool: self.pool,
            jobType: self.jobType,
            dateKey: "businessDate",
            parallelism: self.parallelism,
            reportsPostings: true
        )
        let tenantID = context.tenantID ?? ""
        return try await run.run(parameters: parameters, context: context) { range, date, settings, jobRunID, logger in
            try await self.processAccounts(
                tenantID: tenantID,
                idRange: range,
                businessDate: date,
                settings: settings,
                jobRunID: jobRunID,
                logger: logger
            )
        }
    }

    /// Posts interest for the tenant's active accounts with ids in `idRange`.
    ///
    /// The whole range is written in one transaction. Should the database refuse it because of one
    /// account's data (a closed accounting period, a constraint), the range is redone account by
    /// account, each in its own transaction, and the accounts refused again are reported as failed.
    func processAccounts(
        tenantID: String,
        idRange: ClosedRange<Int64>,
        businessDate: LocalDate,
        settings: SavingsInterestSettings,
        jobRunID: Int64?,
        logger: Logger
    ) async throws -> SavingsRunTally {
        let writer = SavingsPostingWriter(
            tenantID: tenantID,
            businessDate: businessDate,
            settings: settings,
            jobRunID: jobRunID
        )
        do {
            return try await self.pool.withTransaction { connection in
                try await self.post(idRange, tenantID: tenantID, writer: writer, connection: connection)
            }
        } catch let error where SavingsChunkIsolation.isAccountSpecific(error) {
            logger.debug(
                "chunk refused by the database; retrying its accounts one by one",
                metadata: [.chunkFromID: "\(idRange.lowerBound)", .chunkToID: "\(idRange.upperBound)"]
            )
            let store = SavingsInterestStore(pool: self.pool)
            var tally = SavingsRunTally()
            for accountID in try await store.activeAccountIDs(tenantID: tenantID, in: idRange) {
                try Task.checkCancellation()
                do {
                    tally.add(
                        try await self.pool.withTransaction { connection in
                            try await self.post(
                                accountID...accountID,
                                tenantID: tenantID,
                                writer: writer,
                                connection: connection
                            )
                        }
                    )
                } catch let error where SavingsChunkIsolation.isAccountSpecific(error) {
                    logger.debug(
                        "account refused by the database",
                        metadata: [.savingsAccountID: "\(accountID)", .error: "\(String(reflecting: error))"]
                    )
                    tally.accountsSeen += 1
                    tally.failures.append(
                        SavingsAccountFailure(accountID: accountID, reason: SavingsChunkIsolation.reason(for: error))
                    )
                }
            }
            return tally
        }
    }

    /// Reads, plans and writes one range inside the caller's transaction.
    private func post(
        _ range: ClosedRange<Int64>,
        tenantID: String,
        writer: SavingsPostingWriter,
        connection: PostgresConnection
    ) async throws -> SavingsRunTally {
        let (accounts, unreadable) = try await SavingsInterestStore.lockAccounts(
            connection: connection,
            tenantID: tenantID,
            range: range
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
            withDerived: true
        )
        let glAccounts = try await SavingsInterestStore.glAccounts(
            connection: connection,
            tenantID: tenantID,
            productIDs: Set(earning.filter(\.hasAccounting).map(\.productID))
        )
        var postings: [SavingsAccountPosting] = []
        postings.reserveCapacity(earning.count)
        for account in earning {
            do {
                postings.append(
                    try SavingsAccountPosting(
                        account: account,
                        history: histories[account.id] ?? [],
                        businessDate: writer.businessDate,
                        settings: writer.settings,
                        glAccounts: glAccounts[account.productID] ?? [:]
                    )
                )
            } catch {
                tally.failures.append(SavingsAccountFailure(accountID: account.id, reason: "\(error)"))
            }
        }
        var written = try await writer.write(postings, connection: connection)
        written.accountsSeen = 0
        tally.add(written)
        return tally
    }
}
