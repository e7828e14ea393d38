public import FineractDomain
import Foundation
public import JobsCore
import Logging
public import Postgres

/// `loan_cob`: Fineract's loan close of business for one tenant and one COB date (§2 of the
/// Fineract notes): the business steps of `m_batch_business_steps` over every loan whose
/// watermark is the day before (or unset), then the watermark moved to the COB date.
///
/// Parameters:
/// - `cobDate` (`yyyy-MM-dd`, default the tenant's COB_DATE; not after it);
/// - `catchUp` (default false): close every date from the oldest watermark + 1 to COB_DATE in
///   order, one run per date, each selecting only the loans closed the day before;
/// - `force` (default false): run a date whose run already succeeded;
/// - `chunkSize` (default 1000) and `chunk` (`{"fromId", "toId"}`: only that id range, with the
///   run's bookkeeping left to whoever split the work).
///
/// The result counts the loans selected, closed, skipped (locked elsewhere) and failed (with
/// their errors), and what each step did.
public struct LoanCOBWorker: JobWorker {
    public let jobType = JobType.loanCOB

    private let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    public func process(parameters: [String: JSONValue], context: JobContext) async throws -> JSONValue {
        let tenantID = try FineractParameters.requireTenant(context)
        let parameters = try LoanJobParameters(parameters, dateKey: "cobDate")
        let settings = try await LoanTenantSettings.load(tenantID: tenantID, pool: self.pool)
        for name in settings.unknownSteps {
            context.logger.warning("configured COB step is not implemented; skipped", metadata: [.cobStep: "\(name)"])
        }
        guard !settings.steps.isEmpty else {
            // Fineract stops the COB job when no step is configured; so do we, closing nothing.
            return ["skipped": true, "reason": "no loan COB business step is configured"]
        }
        if let date = parameters.date, date > settings.cobDate {
            throw FineractParameters.invalid("cobDate", "is after the tenant's COB date \(settings.cobDate)")
        }
        if parameters.catchUp {
            return try await self.catchUp(
                tenantID: tenantID,
                settings: settings,
                parameters: parameters,
                context: context
            )
        }
        let cobDate = parameters.date ?? settings.cobDate
        if let range = parameters.chunk {
            await context.reportProgress(done: 0, total: parameters.chunkLoans)
            let report = try await self.processLoans(
                tenantID: tenantID,
                idRange: range,
                cobDate: cobDate,
                catchUp: parameters.chunkCatchUp,
                runID: parameters.chunkRunID,
                settings: settings,
                logger: context.logger
            )
            await context.reportProgress(done: Int64(report.settled), total: parameters.chunkLoans)
            var result = self.summary(report, settings: settings)
            result["cobDate"] = .string(cobDate.description)
            result["chunk"] = .object(["fromId": .integer(range.lowerBound), "toId": .integer(range.upperBound)])
            result["report"] = report.transferJSON
            return .object(result)
        }
        return try await self.close(
            cobDate,
            catchUp: false,
            force: parameters.force,
            tenantID: tenantID,
            settings: settings,
            chunkSize: parameters.chunkSize,
            context: context
        )
    }

    /// Closes `cobDate` for the loans of `tenantID` with ids in `idRange`: the per-chunk unit of
    /// work.
    func processLoans(
        tenantID: String,
        idRange: ClosedRange<Int64>,
        cobDate: LocalDate,
        catchUp: Bool,
        runID: Int64?,
        settings: LoanTenantSettings,
        logger: Logger
    ) async throws -> LoanRunReport {
        try await self.processor(tenantID, cobDate, catchUp, runID, settings, logger).processLoans(idRange: idRange)
    }

    /// Every date from the day after the oldest watermark of an open loan to the COB date, in order.
    public static func catchUpDates(tenantID: String, pool: PostgresPool, through cobDate: LocalDate) async throws
        -> [LocalDate]
    {
        let rows = try await pool.query(
            """
            SELECT min(last_closed_business_date) AS oldest FROM m_loan
            WHERE tenant_id = \(tenantID)
              AND loan_status_id = ANY(\(PostgresArray(LoanChunkProcessor.cobStatuses.map(String.init)))::int[])
            """
        )
        guard let oldest = try rows.first?.decode("oldest", as: LocalDate?.self), oldest < cobDate else { return [] }
        return Array(oldest.adding(days: 1)...cobDate)
    }

    // MARK: - Dates

    private func catchUp(
        tenantID: String,
        settings: LoanTenantSettings,
        parameters: LoanJobParameters,
        context: JobContext
    ) async throws -> JSONValue {
        let through = parameters.date ?? settings.cobDate
        var results: [JSONValue] = []
        for date in try await Self.catchUpDates(tenantID: tenantID, pool: self.pool, through: through) {
            try Task.checkCancellation()
            // A catch-up closes lagging loans even on dates whose run already succeeded for the
            // rest; the watermarks keep everything else untouched.
            results.append(
                try await self.close(
                    date,
                    catchUp: true,
                    force: true,
                    tenantID: tenantID,
                    settings: settings,
                    chunkSize: parameters.chunkSize,
                    context: context
                )
            )
        }
        return .object(["catchUp": .bool(true), "through": .string(through.description), "dates": .array(results)])
    }

    private func close(
        _ cobDate: LocalDate,
        catchUp: Bool,
        force: Bool,
        tenantID: String,
        settings: LoanTenantSettings,
        chunkSize: Int,
        context: JobContext
    ) async throws -> JSONValue {
        let run = LoanDateRun(
            pool: self.pool,
            tenantID: tenantID,
            jobType: self.jobType,
            date: cobDate,
            dateKey: "cobDate",
            chunkSize: chunkSize,
            context: context
        )
        let eligible: PostgresQuery = """
            SELECT id FROM m_loan
            WHERE tenant_id = \(tenantID)
              AND loan_status_id = ANY(\(PostgresArray(LoanChunkProcessor.cobStatuses.map(String.init)))::int[])
              AND (last_closed_business_date = \(cobDate.adding(days: -1))
                   OR (NOT \(catchUp) AND last_closed_business_date IS NULL))
            """
        return try await run.run(
            force: force,
            eligibleIDs: eligible,
            extra: ["catchUp": .bool(catchUp)],
            makeProcessor: { runID in self.processor(tenantID, cobDate, catchUp, runID, settings, context.logger) },
            chunkParameters: { range, loans, runID in
                [
                    "cobDate": .string(cobDate.description),
                    "chunk": .object([
                        "fromId": .integer(range.lowerBound), "toId": .integer(range.upperBound),
                        "jobRunId": .integer(runID), "catchUp": .bool(catchUp), "loans": .integer(Int64(loans)),
                    ]),
                ]
            },
            summarise: { self.summary($0, settings: settings) }
        )
    }

    private func processor(
        _ tenantID: String,
        _ cobDate: LocalDate,
        _ catchUp: Bool,
        _ runID: Int64?,
        _ settings: LoanTenantSettings,
        _ logger: Logger
    ) -> LoanChunkProcessor {
        LoanChunkProcessor(
            pool: self.pool,
            tenantID: tenantID,
            settings: settings,
            engine: LoanCloseOfBusiness(configuration: settings.configuration, steps: settings.steps),
            purpose: .closeOfBusiness(cobDate: cobDate),
            runID: runID,
            catchUp: catchUp,
            logger: logger.with([.businessDate: "\(cobDate)"])
        )
    }

    private func summary(_ report: LoanRunReport, settings: LoanTenantSettings) -> [String: JSONValue] {
        [
            "selected": .integer(Int64(report.selected)),
            "closed": .integer(Int64(report.processed)),
            "skippedLocked": .integer(Int64(report.skippedLocked)),
            "failed": report.failedJSON,
            "chunks": .integer(Int64(report.chunks)),
            "steps": report.stepsJSON(settings.steps),
            "unknownSteps": .array(settings.unknownSteps.map { .string($0) }),
        ]
    }
}
