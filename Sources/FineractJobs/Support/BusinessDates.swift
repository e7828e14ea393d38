public import FineractDomain
import JobsCore
public import Postgres

/// A tenant's two Fineract dates: the business date ("today" for every transaction) and the COB
/// date (the day being closed, normally the day before).
public struct BusinessDates: Sendable, Hashable {
    public var businessDate: LocalDate
    public var cobDate: LocalDate

    public init(businessDate: LocalDate, cobDate: LocalDate) {
        self.businessDate = businessDate
        self.cobDate = cobDate
    }

    /// Reads the tenant's dates from `m_business_date`.
    ///
    /// - Throws: `JobWorkerError` (not retryable) when the tenant has no business date.
    public static func load(tenantID: String, on connection: PostgresConnection) async throws -> BusinessDates {
        let rows = try await connection.query(
            """
            SELECT max(date) FILTER (WHERE type = 'BUSINESS_DATE') AS business_date,
                   max(date) FILTER (WHERE type = 'COB_DATE') AS cob_date
            FROM m_business_date WHERE tenant_id = \(tenantID)
            """
        )
        guard let businessDate: LocalDate = try rows[0].decode("business_date"),
            let cobDate: LocalDate = try rows[0].decode("cob_date")
        else {
            throw JobWorkerError(
                code: "business_date_missing",
                message: "tenant \(tenantID) has no BUSINESS_DATE and COB_DATE in m_business_date",
                isRetryable: false
            )
        }
        return BusinessDates(businessDate: businessDate, cobDate: cobDate)
    }

    public static func load(tenantID: String, pool: PostgresPool) async throws -> BusinessDates {
        try await pool.withConnection { try await self.load(tenantID: tenantID, on: $0) }
    }

    /// Closes business day `day`: the business date moves from `day` to the next day and the COB
    /// date becomes `day`, as Fineract's "Increase Business Date by 1 day" does with automatic COB
    /// date adjustment.
    ///
    /// A compare-and-set: nothing changes unless the business date is still `day`, so a repeated
    /// close of the same day never advances the date twice.
    ///
    /// - Returns: whether this call moved the dates.
    public static func advance(
        tenantID: String,
        closing day: LocalDate,
        on connection: PostgresConnection
    ) async throws -> Bool {
        let moved = try await connection.query(
            """
            UPDATE m_business_date SET date = \(day.adding(days: 1)), version = version + 1, updated_at = now()
            WHERE tenant_id = \(tenantID) AND type = 'BUSINESS_DATE' AND date = \(day)
            RETURNING tenant_id
            """
        )
        guard !moved.isEmpty else { return false }
        try await connection.query(
            """
            UPDATE m_business_date SET date = \(day), version = version + 1, updated_at = now()
            WHERE tenant_id = \(tenantID) AND type = 'COB_DATE'
            """
        )
        return true
    }
}
