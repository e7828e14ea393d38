import FineractDomain
import Foundation
import JobsCore
import Logging
import Postgres

/// One business date of a loan job: the `job_run` row, the chunks, and the report.
///
/// The chunks are cut from the loans eligible when the run starts, at most `chunkSize` each.
/// Inside the engine, a run of several chunks hands each to a child execution (the worker with
/// the `chunk` parameter), so every node works on the night; called directly, it processes them
/// in turn, in-process. Each chunk is independent (its own locks and transactions), so a run
/// stopped between or inside chunks leaves whole loans behind and is finished by the next run.
struct LoanDateRun: Sendable {
    let pool: PostgresPool
    let tenantID: String
    let jobType: JobType
    let date: LocalDate
    /// The key the date appears under in the result (`cobDate`, `tillDate`).
    let dateKey: String
    let chunkSize: Int
    let context: JobContext

    /// Runs every chunk of `eligibleIDs` (a program-written query selecting `id`) unless the date
    /// already succeeded and `force` is off.
    func run(
        force: Bool,
        eligibleIDs: PostgresQuery,
        extra: [String: JSONValue] = [:],
        makeProcessor: (_ runID: Int64) -> LoanChunkProcessor,
        chunkParameters: (_ range: ClosedRange<Int64>, _ loans: Int, _ runID: Int64) -> [String: JSONValue],
        summarise: (LoanRunReport) -> [String: JSONValue]
    ) async throws -> JSONValue {
        let ledger = JobRunLedger(pool: self.pool)
        let runID: Int64
        switch try await self.begin(ledger, force: force) {
        case .alreadySucceeded(let previous, let stats):
            self.context.logger.info(
                "business date already succeeded; nothing to do",
                metadata: [.businessDate: "\(self.date)"]
            )
            return .object(
                extra.merging([
                    self.dateKey: .string(self.date.description),
                    "skipped": .bool(true),
                    "reason": .string("this date already succeeded; pass force: true to run it again"),
                    "jobRunId": .integer(previous),
                    "previous": stats ?? .null,
                ]) { _, new in new }
            )
        case .started(let started, _):
            runID = started
        }
        do {
            let chunks = try await Self.chunkRanges(of: eligibleIDs, chunkSize: self.chunkSize, pool: self.pool)
            var report = LoanRunReport()
            if self.context.canRunChildren && chunks.count > 1 {
                report = try await self.runChildren(chunks, runID: runID, chunkParameters: chunkParameters)
            } else {
                let processor = makeProcessor(runID)
                let total = chunks.reduce(0) { $0 + $1.loans }
                await self.context.reportProgress(done: 0, total: Int64(total))
                for chunk in chunks {
                    try Task.checkCancellation()
                    report.merge(try await processor.processLoans(idRange: chunk.range))
                    await self.context.reportProgress(done: Int64(report.settled), total: Int64(total))
                }
            }
            var result = extra.merging(summarise(report)) { _, new in new }
            result[self.dateKey] = .string(self.date.description)
            result["jobRunId"] = .integer(runID)
            let json = JSONValue.object(result)
            // Loans left unclosed (failed, or locked by someone else) make the date PARTIAL, so it
            // may be run again without forcing once they are free.
            let complete = report.failedCount == 0 && report.skippedLocked == 0
            try await ledger.finish(runID: runID, status: complete ? .succeeded : .partial, stats: json)
            self.context.logger.debug(
                "loan business date finished",
                metadata: [.businessDate: "\(self.date)", .loanCount: "\(report.processed)"]
            )
            return json
        } catch {
            if !Task.isCancelled {
                try? await ledger.finish(runID: runID, status: .failed, stats: nil, error: String(describing: error))
            }
            throw error
        }
    }

    /// Runs each chunk as a child execution and merges their reports. A chunk that did not succeed
    /// (its retries spent) counts all its loans as failed with the chunk's error, so the date ends
    /// PARTIAL and its loans are picked up again by the next run.
    private func runChildren(
        _ chunks: [(range: ClosedRange<Int64>, loans: Int)],
        runID: Int64,
        chunkParameters: (_ range: ClosedRange<Int64>, _ loans: Int, _ runID: Int64) -> [String: JSONValue]
    ) async throws -> LoanRunReport {
        let requests = chunks.map { chunk in
            ChildExecutionRequest(
                key: "\(self.dateKey)-\(self.date)-loans-\(chunk.range.lowerBound)-\(chunk.range.upperBound)",
                parameters: chunkParameters(chunk.range, chunk.loans, runID),
                progressTotal: Int64(chunk.loans)
            )
        }
        let outcomes = try await self.context.runChildren(requests)
        var report = LoanRunReport()
        for (chunk, outcome) in zip(chunks, outcomes) {
            if outcome.status == .succeeded, let transferred = outcome.result?["report"],
                let chunkReport = LoanRunReport(transferJSON: transferred)
            {
                report.merge(chunkReport)
            } else {
                report.recordChunkFailure(
                    loans: chunk.loans,
                    range: chunk.range,
                    error: "chunk ended \(outcome.status.rawValue): \(outcome.error ?? "no report")"
                )
            }
        }
        return report
    }

    /// Starts this date's run. An attempt of the same execution resumes its earlier run; when that
    /// run was for another date (a catch-up that lost its place), it is closed and a new one begun.
    private func begin(_ ledger: JobRunLedger, force: Bool) async throws -> JobRunLedger.Start {
        let start = try await ledger.begin(
            tenantID: self.tenantID,
            jobType: self.jobType,
            businessDate: self.date,
            executionID: self.context.executionID,
            force: force
        )
        guard case .started(let runID, let recorded) = start, let recorded, recorded != self.date else { return start }
        try await ledger.finish(
            runID: runID,
            status: .failed,
            stats: nil,
            error: "superseded: the execution moved on to \(self.date)"
        )
        return try await ledger.begin(
            tenantID: self.tenantID,
            jobType: self.jobType,
            businessDate: self.date,
            executionID: self.context.executionID,
            force: force
        )
    }

    /// Cuts the loans `eligibleIDs` selects into id ranges of at most `chunkSize` loans, as
    /// Fineract's partitioner does (ids in order, numbered, cut every `chunkSize`).
    static func chunkRanges(
        of eligibleIDs: PostgresQuery,
        chunkSize: Int,
        pool: PostgresPool
    ) async throws -> [(range: ClosedRange<Int64>, loans: Int)] {
        var query: PostgresQuery = "SELECT min(id) AS first_id, max(id) AS last_id, count(*) AS loans FROM ("
        query.append("SELECT id, (row_number() OVER (ORDER BY id) - 1) / \(chunkSize) AS chunk FROM (")
        query.append(eligibleIDs)
        query.append(") eligible) numbered GROUP BY chunk ORDER BY chunk")
        return try await pool.query(query).map { row in
            let first: Int64 = try row.decode("first_id")
            let last: Int64 = try row.decode("last_id")
            return (first...last, try row.decode("loans"))
        }
    }
}
