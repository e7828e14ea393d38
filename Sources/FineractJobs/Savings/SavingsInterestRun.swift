import FineractDomain
import Foundation
import JobsCore
import Logging
import Postgres

/// The frame both savings interest jobs run in: the tenant and date they run for, the `job_run`
/// bookkeeping, the tenant's accounts cut into chunks, progress, and the result.
///
/// Without a `chunk` parameter a run cuts the accounts into chunks. Inside the engine each chunk
/// becomes a child execution (this worker with the `chunk` parameter), so every node takes part;
/// called directly, the chunks run in this process, a few at a time. With a `chunk` parameter a
/// run processes just that chunk, as one part of a split run whose `job_run` row it names, and
/// hands its tally back in its result.
struct SavingsInterestRun: Sendable {
    /// Processes the active accounts with ids in a range, for a date, and counts what it did.
    typealias ChunkProcessor =
        @Sendable (
            _ range: ClosedRange<Int64>,
            _ date: LocalDate,
            _ settings: SavingsInterestSettings,
            _ jobRunID: Int64?,
            _ logger: Logger
        ) async throws -> SavingsRunTally

    var pool: PostgresPool
    var jobType: JobType
    /// The name of the date parameter: `businessDate` or `asOf`.
    var dateKey: String
    /// How many chunks are processed at once.
    var parallelism: Int
    /// Whether the result counts postings.
    var reportsPostings: Bool

    func run(
        parameters: [String: JSONValue],
        context: JobContext,
        processChunk: @escaping ChunkProcessor
    ) async throws -> JSONValue {
        let tenantID = try FineractParameters.requireTenant(context)
        let parameters = try SavingsInterestJobParameters(parameters, dateKey: self.dateKey)
        let store = SavingsInterestStore(pool: self.pool)
        let requested: LocalDate
        if let date = parameters.date {
            requested = date
        } else {
            requested = try await BusinessDates.load(tenantID: tenantID, pool: self.pool).businessDate
        }
        let settings = try await store.settings(tenantID: tenantID)
        var logger = context.logger

        if let chunk = parameters.chunk {
            logger[metadataKey: .businessDate] = "\(requested)"
            let tally = try await processChunk(chunk, requested, settings, parameters.chunkRunID, logger)
            await context.reportProgress(done: Int64(tally.accountsSeen), total: Int64(tally.accountsSeen))
            self.logFailures(tally, logger: logger)
            var result = self.result(tally, date: requested, chunks: 1)
            result["chunk"] = ["fromId": .integer(chunk.lowerBound), "toId": .integer(chunk.upperBound)]
            result["tally"] = try JSONValue(parsing: JSONEncoder().encode(tally))
            return .object(result)
        }

        let ledger = JobRunLedger(pool: self.pool)
        let start = try await ledger.begin(
            tenantID: tenantID,
            jobType: self.jobType,
            businessDate: requested,
            executionID: context.executionID,
            force: parameters.force
        )
        let runID: Int64
        let date: LocalDate
        switch start {
        case .alreadySucceeded(let succeededRun, _):
            logger.debug(
                "run already succeeded for this date",
                metadata: [.businessDate: "\(requested)", .jobRunID: "\(succeededRun)"]
            )
            return [
                self.dateKey: .string(requested.description), "alreadySucceeded": true,
                "jobRunId": .integer(succeededRun),
            ]
        case .started(let id, let recorded):
            // A retried attempt of the same execution keeps the date its first attempt ran for.
            runID = id
            date = recorded ?? requested
        }
        logger[metadataKey: .businessDate] = "\(date)"
        logger[metadataKey: .jobRunID] = "\(runID)"
        let runLogger = logger
        do {
            let accountIDs = try await store.activeAccountIDs(tenantID: tenantID)
            let ranges = IDRangeChunks.ranges(of: accountIDs, chunkSize: parameters.chunkSize)
            let tally: SavingsRunTally
            if context.canRunChildren && ranges.count > 1 {
                // Every range but the last holds exactly chunkSize accounts (see IDRangeChunks).
                let size = parameters.chunkSize
                let sizes = ranges.indices.map { min(size, accountIDs.count - $0 * size) }
                tally = try await self.runChildren(
                    Array(zip(ranges, sizes)),
                    date: date,
                    runID: runID,
                    context: context
                )
            } else {
                tally = try await self.processAll(ranges, total: accountIDs.count, context: context) { range in
                    try await processChunk(range, date, settings, runID, runLogger)
                }
            }
            self.logFailures(tally, logger: logger)
            var result = self.result(tally, date: date, chunks: ranges.count)
            result["jobRunId"] = .integer(runID)
            try await ledger.finish(
                runID: runID,
                status: tally.failures.isEmpty ? .succeeded : .partial,
                stats: .object(result)
            )
            logger.debug(
                "savings interest run finished",
                metadata: [
                    .savingsAccountCount: "\(tally.accounts)", .failedSavingsAccountCount: "\(tally.failures.count)",
                ]
            )
            return .object(result)
        } catch {
            // A cancelled attempt records nothing: its row stays RUNNING for the retry to resume,
            // or for another execution to take over once this one is no longer running.
            if !Task.isCancelled {
                try? await ledger.finish(runID: runID, status: .failed, stats: nil, error: "\(error)")
            }
            throw error
        }
    }

    /// Processes the chunks with at most `parallelism` in flight, reporting progress as each ends.
    private func processAll(
        _ ranges: [ClosedRange<Int64>],
        total: Int,
        context: JobContext,
        chunk: @escaping @Sendable (ClosedRange<Int64>) async throws -> SavingsRunTally
    ) async throws -> SavingsRunTally {
        try await withThrowingTaskGroup(of: SavingsRunTally.self) { group in
            var pending = ranges.makeIterator()
            var tally = SavingsRunTally()
            for _ in 0..<max(1, self.parallelism) {
                guard let range = pending.next() else { break }
                group.addTask { try await chunk(range) }
            }
            while let done = try await group.next() {
                tally.add(done)
                await context.reportProgress(done: Int64(tally.accountsSeen), total: Int64(total))
                try context.checkCancellation()
                if let range = pending.next() {
                    group.addTask { try await chunk(range) }
                }
            }
            return tally
        }
    }

    /// Runs each chunk as a child execution and adds up their tallies. A chunk that did not succeed
    /// (its retries spent) is listed as a failure under its first account id, so the run ends
    /// PARTIAL and a later run posts its accounts.
    private func runChildren(
        _ chunks: [(range: ClosedRange<Int64>, accounts: Int)],
        date: LocalDate,
        runID: Int64,
        context: JobContext
    ) async throws -> SavingsRunTally {
        let requests = chunks.map { chunk in
            let range = chunk.range
            return ChildExecutionRequest(
                key: "\(self.dateKey)-\(date)-accounts-\(range.lowerBound)-\(range.upperBound)",
                parameters: [
                    self.dateKey: .string(date.description),
                    "chunk": [
                        "fromId": .integer(range.lowerBound), "toId": .integer(range.upperBound),
                        "jobRunId": .integer(runID),
                    ],
                ],
                progressTotal: Int64(chunk.accounts)
            )
        }
        var tally = SavingsRunTally()
        for (range, outcome) in zip(chunks.map(\.range), try await context.runChildren(requests)) {
            if outcome.status == .succeeded, let transferred = outcome.result?["tally"],
                let chunkTally = try? JSONDecoder().decode(
                    SavingsRunTally.self,
                    from: Data(transferred.serialized().utf8)
                )
            {
                tally.add(chunkTally)
            } else {
                tally.failures.append(
                    SavingsAccountFailure(
                        accountID: range.lowerBound,
                        reason: "accounts \(range.lowerBound)...\(range.upperBound): chunk ended "
                            + "\(outcome.status.rawValue): \(outcome.error ?? "no tally")"
                    )
                )
            }
        }
        return tally
    }

    private func result(_ tally: SavingsRunTally, date: LocalDate, chunks: Int) -> [String: JSONValue] {
        var result = tally.json(includePostings: self.reportsPostings)
        result[self.dateKey] = .string(date.description)
        result["chunks"] = .integer(Int64(chunks))
        return result
    }

    private func logFailures(_ tally: SavingsRunTally, logger: Logger) {
        for failure in tally.failures {
            logger.warning(
                "savings account skipped: it could not be processed",
                metadata: [.savingsAccountID: "\(failure.accountID)", .error: "\(failure.reason)"]
            )
        }
    }
}
