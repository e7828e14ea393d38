import FineractDomain
import Foundation
import JobsCore
import Postgres

/// What the loan jobs read once per run for a tenant: its business dates, the global
/// configuration, the COB steps and its loan products' rules.
struct LoanTenantSettings: Sendable {
    var businessDate: LocalDate
    var cobDate: LocalDate
    var configuration: LoanCOBConfiguration
    /// The configured COB steps this service knows, in `step_order`.
    var steps: [LoanCOBStep]
    /// Configured step names this service does not implement; skipped like Fineract does.
    // TODO: Fineract's optional steps, which its default configuration does not seed, are among these:
    // CHECK_DUE_INSTALLMENTS, ACCRUAL_ACTIVITY_POSTING, LOAN_INTEREST_RECALCULATION and
    // EXTERNAL_ASSET_OWNER_TRANSFER. A tenant that configures one gets a warning and the result lists
    // it under unknownSteps; the other steps still run.
    var unknownSteps: [String]
    var products: [Int64: LoanProductRules]

    /// Reads the settings of `tenantID`.
    ///
    /// - Throws: `JobWorkerError` (not retryable) for a tenant without Fineract's day-zero data.
    static func load(tenantID: String, pool: PostgresPool) async throws -> LoanTenantSettings {
        try await pool.withConnection { connection in
            let dates = try await BusinessDates.load(tenantID: tenantID, on: connection)
            let steps = try await connection.query(
                """
                SELECT step_name FROM m_batch_business_steps
                WHERE tenant_id = \(tenantID) AND job_name = \(LoanCOBStep.jobName)
                ORDER BY step_order
                """
            )
            var known: [LoanCOBStep] = []
            var unknown: [String] = []
            for row in steps {
                let name: String = try row.decode("step_name")
                if let step = LoanCOBStep(rawValue: name) {
                    known.append(step)
                } else {
                    unknown.append(name)
                }
            }
            return LoanTenantSettings(
                businessDate: dates.businessDate,
                cobDate: dates.cobDate,
                configuration: try await self.configuration(tenantID: tenantID, on: connection),
                steps: known,
                unknownSteps: unknown,
                products: try await LoanProductRules.load(tenantID: tenantID, on: connection)
            )
        }
    }

    /// Fineract's global configuration as the loan steps read it: numbers by value, switches by
    /// their enabled flag, defaults where a row is missing.
    private static func configuration(tenantID: String, on connection: PostgresConnection) async throws
        -> LoanCOBConfiguration
    {
        let rows = try await connection.query(
            "SELECT name, value, enabled, string_value FROM c_configuration WHERE tenant_id = \(tenantID)"
        )
        var values: [String: Int64] = [:]
        var enabled: [String: Bool] = [:]
        var strings: [String: String] = [:]
        for row in rows {
            let name: String = try row.decode("name")
            values[name] = try row.decode("value", as: Int64?.self)
            enabled[name] = try row.decode("enabled", as: Bool.self)
            strings[name] = try row.decode("string_value", as: String?.self)
        }
        var configuration = LoanCOBConfiguration()
        if enabled["rounding-mode"] == true, let code = values["rounding-mode"],
            let mode = MoneyRoundingMode(rawValue: Int(code))
        {
            configuration.roundingMode = mode
        }
        if let wait = values["penalty-wait-period"] { configuration.penaltyWaitPeriod = Int(wait) }
        if let grace = values["grace-on-penalty-posting"] { configuration.graceOnPenaltyPosting = Int(grace) }
        if let backdates = enabled["backdate-penalties-enabled"] { configuration.backdatesPenalties = backdates }
        if let days = values["days-before-repayment-is-due"] { configuration.daysBeforeRepaymentIsDue = Int(days) }
        if let days = values["days-after-repayment-is-overdue"] {
            configuration.daysAfterRepaymentIsOverdue = Int(days)
        }
        configuration.accruesChargesOnSubmittedDate =
            enabled["charge-accrual-date"] == true && strings["charge-accrual-date"] == "submitted-date"
        return configuration
    }
}
