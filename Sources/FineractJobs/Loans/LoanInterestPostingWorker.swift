import FineractDomain
import Foundation
public import JobsCore
import Logging
public import Postgres

/// `loan_interest_posting`: Fineract's stand-alone periodic accrual (ADD_PERIODIC_ACCRUAL_ENTRIES,
/// §4.3) up to a till date, for active, performing loans of products with periodic accrual
/// accounting.
///
/// Parameters: `tillDate` (`yyyy-MM-dd`, default the tenant's BUSINESS_DATE; not after it),
/// `force` (run a date that already succeeded), `chunkSize` (default 1000) and `chunk`
/// (`{"fromId", "toId"}`). Loans a COB holds locked are skipped and counted. Everything is a
/// delta against what the schedule has accrued, so a rerun posts nothing.
public struct LoanInterestPostingWorker: JobWorker {
    public let jobType = JobType.loanInterestPosting

    private let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    public func process(parameters: [String: JSONValue], context: JobContext) async throws -> JSONValue {
        let tenantID = try FineractParameters.requireTenant(context)
        let parameters = try LoanJobParameters(parameters, dateKey: "tillDate")
        if parameters.catchUp {
            throw FineractParameters.invalid("catchUp", "is a loan_cob parameter")
        }
        let settings = try await LoanTenantSettings.load(tenantID: tenantID, pool: self.pool)
        let tillDate = parameters.date ?? settings.businessDate
        if tillDate > settings.businessDate {
            throw FineractParameters.invalid("tillDate", "is after the tenant's business date \(settings.businessDate)")
        }
        if let range = parameters.chunk {
            await context.reportProgress(done: 0, total: parameters.chunkLoans)
            let report = try await self.processLoans(
                tenantID: tenantID,
                idRange: range,
                tillDate: tillDate,
                runID: parameters.chunkRunID,
                settings: settings,
                logger: context.logger
            )
            await context.reportProgress(done: Int64(report.settled), total: parameters.chunkLoans)
            var result = self.summary(report)
            result["tillDate"] = .string(tillDate.description)
            result["chunk"] = .object(["fromId": .integer(range.lowerBound), "toId": .integer(range.upperBound)])
            result["report"] = report.transferJSON
            return .object(result)
        }
        let run = LoanDateRun(
            pool: self.pool,
            tenantID: tenantID,
            jobType: self.jobType,
            date: tillDate,
            dateKey: "tillDate",
            chunkSize: parameters.chunkSize,
            context: context
        )
        let eligible: PostgresQuery = """
            SELECT l.id FROM m_loan l JOIN m_product_loan p ON p.tenant_id = l.tenant_id AND p.id = l.product_id
            WHERE l.tenant_id = \(tenantID) AND \(unescaped: LoanChunkProcessor.accrualCondition)
            """
        return try await run.run(
            force: parameters.force,
            eligibleIDs: eligible,
            makeProcessor: { runID in self.processor(tenantID, tillDate, runID, settings, context.logger) },
            chunkParameters: { range, loans, runID in
                [
                    "tillDate": .string(tillDate.description),
                    "chunk": .object([
                        "fromId": .integer(range.lowerBound), "toId": .integer(range.upperBound),
                        "jobRunId": .integer(runID), "loans": .integer(Int64(loans)),
                    ]),
                ]
            },
            summarise: self.summary
        )
    }

    /// Accrues the loans of `tenantID` with ids in `idRange` up to `tillDate`: the per-chunk unit
    /// of work.
    func processLoans(
        tenantID: String,
        idRange: ClosedRange<Int64>,
        tillDate: LocalDate,
        runID: Int64?,
        settings: LoanTenantSettings,
        logger: Logger
    ) async throws -> LoanRunReport {
        try await self.processor(tenantID, tillDate, runID, settings, logger).processLoans(idRange: idRange)
    }

    private func processor(
        _ tenantID: String,
        _ tillDate: LocalDate,
        _ runID: Int64?,
        _ settings: LoanTenantSettings,
        _ logger: Logger
    ) -> LoanChunkProcessor {
        LoanChunkProcessor(
            pool: self.pool,
            tenantID: tenantID,
            settings: settings,
            engine: LoanCloseOfBusiness(configuration: settings.configuration, steps: [.addPeriodicAccrualEntries]),
            purpose: .accrual(tillDate: tillDate),
            runID: runID,
            catchUp: false,
            logger: logger.with([.businessDate: "\(tillDate)"])
        )
    }

    private func summary(_ report: LoanRunReport) -> [String: JSONValue] {
        [
            "selected": .integer(Int64(report.selected)),
            "processed": .integer(Int64(report.processed)),
            "skippedLocked": .integer(Int64(report.skippedLocked)),
            "failed": report.failedJSON,
            "chunks": .integer(Int64(report.chunks)),
            "accrual": report.accrualJSON,
        ]
    }
}
