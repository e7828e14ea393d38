import FineractDomain
import Foundation
import JobsCore
import Postgres

/// How old something may get before the tenant check reports it.
struct TenantThresholds: Sendable {
    /// A `job_run` RUNNING for longer is reported (its run most likely died).
    var jobRunStale: Duration
    /// A notification claim older than this belongs to a run that died.
    var claimLease: Duration
}

/// What the tenant check found: problems in words, and the figures behind them.
struct TenantHealthReport: Sendable {
    var problems: [String] = []
    var json: JSONValue = .null
}

extension SystemHealthCheckWorker {
    /// Checks one tenant's books the way an operator of Fineract would after the nightly batch:
    /// business and COB dates, loans the COB left behind, loan locks that stayed, savings postings
    /// that are missing, notifications whose sending was abandoned, and job runs that never ended.
    func checkTenant(_ tenantID: String, thresholds: TenantThresholds) async throws -> TenantHealthReport {
        var report = TenantHealthReport()
        let settings = try await self.pool.query(
            """
            SELECT
                (SELECT date FROM m_business_date WHERE tenant_id = \(tenantID) AND type = 'BUSINESS_DATE')
                    AS business_date,
                (SELECT date FROM m_business_date WHERE tenant_id = \(tenantID) AND type = 'COB_DATE') AS cob_date,
                (SELECT enabled FROM c_configuration
                 WHERE tenant_id = \(tenantID) AND name = 'enable_automatic_cob_date_adjustment') AS auto_adjust,
                (SELECT value FROM c_configuration
                 WHERE tenant_id = \(tenantID) AND name = 'financial-year-beginning-month' AND enabled)
                    AS financial_year_start,
                (SELECT enabled FROM c_configuration
                 WHERE tenant_id = \(tenantID) AND name = 'savings-interest-posting-current-period-end')
                    AS posts_on_period_end
            """
        )[0]
        var figures: [String: JSONValue] = ["id": .string(tenantID)]
        let businessDate = try settings.decode("business_date", as: PostgresDate?.self).map(LocalDate.init)
        let cobDate = try settings.decode("cob_date", as: PostgresDate?.self).map(LocalDate.init)
        // Fineract's default for the adjustment is on.
        let autoAdjust = try settings.decode("auto_adjust", as: Bool?.self) ?? true
        figures["businessDate"] = businessDate.map { .string($0.description) } ?? .null
        figures["cobDate"] = cobDate.map { .string($0.description) } ?? .null
        figures["automaticCOBDateAdjustment"] = .bool(autoAdjust)
        guard let businessDate, let cobDate else {
            report.problems.append("tenant \(tenantID) has no BUSINESS_DATE or COB_DATE")
            report.json = .object(figures)
            return report
        }
        if autoAdjust && cobDate != businessDate.adding(days: -1) {
            report.problems.append(
                "COB_DATE \(cobDate) is not the day before BUSINESS_DATE \(businessDate) although automatic adjustment is on"
            )
        }
        figures["loans"] = try await self.checkLoans(tenantID, cobDate: cobDate, problems: &report.problems)
        figures["loanLocks"] = try await self.checkLocks(tenantID, cobDate: cobDate, problems: &report.problems)
        let financialYearStart = try settings.decode("financial_year_start", as: Int?.self) ?? 1
        figures["savings"] = try await self.checkSavingsPostings(
            tenantID,
            businessDate: businessDate,
            financialYearStartMonth: (1...12).contains(financialYearStart) ? financialYearStart : 1,
            postsOnPeriodEnd: try settings.decode("posts_on_period_end", as: Bool?.self) ?? false,
            problems: &report.problems
        )
        figures["notifications"] = try await self.checkNotifications(
            tenantID,
            lease: thresholds.claimLease,
            problems: &report.problems
        )
        figures["jobRuns"] = try await self.checkJobRuns(
            tenantID,
            staleAfter: thresholds.jobRunStale,
            problems: &report.problems
        )
        report.json = .object(figures)
        return report
    }

    /// Non-closed loans whose watermark is behind the COB date, and the oldest watermark.
    private func checkLoans(_ tenantID: String, cobDate: LocalDate, problems: inout [String]) async throws -> JSONValue
    {
        let row = try await self.pool.query(
            """
            SELECT count(*) FILTER (WHERE last_closed_business_date < \(cobDate.postgresDate)) AS behind,
                   min(last_closed_business_date) AS oldest
            FROM m_loan WHERE tenant_id = \(tenantID) AND loan_status_id IN (100, 200, 300, 303, 304)
            """
        )[0]
        let behind: Int64 = try row.decode("behind")
        let oldest = try row.decode("oldest", as: PostgresDate?.self).map(LocalDate.init)
        if behind > 0 {
            problems.append("\(behind) loans are closed only up to a date before the COB date \(cobDate)")
        }
        return .object([
            "behindCOBDate": .integer(behind),
            "oldestClosedBusinessDate": oldest.map { .string($0.description) } ?? .null,
        ])
    }

    /// Loan locks that carry an error, or were placed by the COB of an earlier date (they stayed).
    private func checkLocks(_ tenantID: String, cobDate: LocalDate, problems: inout [String]) async throws -> JSONValue
    {
        let row = try await self.pool.query(
            """
            SELECT count(*) FILTER (WHERE error IS NOT NULL) AS with_error,
                   count(*) FILTER (WHERE lock_placed_on_cob_business_date < \(cobDate.postgresDate)) AS stayed,
                   coalesce(to_jsonb((array_agg(loan_id ORDER BY loan_id) FILTER (
                       WHERE error IS NOT NULL OR lock_placed_on_cob_business_date < \(cobDate.postgresDate)))[1:100]),
                       '[]') AS loan_ids
            FROM m_loan_account_locks WHERE tenant_id = \(tenantID)
            """
        )[0]
        let withError: Int64 = try row.decode("with_error")
        let stayed: Int64 = try row.decode("stayed")
        if withError > 0 {
            problems.append("\(withError) loan locks carry an error")
        }
        if stayed > 0 {
            problems.append("\(stayed) loan locks were placed by the COB of a date before \(cobDate)")
        }
        return .object([
            "withError": .integer(withError),
            "fromEarlierCOBDate": .integer(stayed),
            "loanIds": try Self.json(row.decode("loan_ids", as: PostgresJSON.self)),
        ])
    }

    static func json(_ document: PostgresJSON) throws -> JSONValue {
        try JSONValue(parsing: Data(document.text.utf8))
    }
}
