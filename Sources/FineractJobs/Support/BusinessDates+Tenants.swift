public import FineractDomain
public import Postgres

/// The tenants API's side of `m_business_date`: reading the dates of many tenants at once, and setting
/// a new tenant's dates in the transaction that creates it.
///
/// A tenant gets both rows when it is created (the tenant insert trigger seeds today's date in the
/// tenant's zone); a tenant without them shows no dates rather than an error.
extension BusinessDates {
    /// The earliest business date that can be set: its COB date, the day before, must still be a date
    /// PostgreSQL stores (year 1 or later).
    public static let earliestBusinessDate = LocalDate(year: 1, month: 1, day: 2)

    /// The dates of each of `tenantIDs` that has both, in one statement.
    public static func find(tenantIDs: [String], pool: PostgresPool) async throws -> [String: BusinessDates] {
        let rows = try await pool.query(
            """
            SELECT tenant_id, max(date) FILTER (WHERE type = 'BUSINESS_DATE') AS business_date,
                   max(date) FILTER (WHERE type = 'COB_DATE') AS cob_date
            FROM m_business_date WHERE tenant_id = ANY (\(PostgresArray(tenantIDs))::text[])
            GROUP BY tenant_id
            """
        )
        var found: [String: BusinessDates] = [:]
        for row in rows {
            guard let businessDate: LocalDate = try row.decode("business_date"),
                let cobDate: LocalDate = try row.decode("cob_date")
            else { continue }
            found[try row.decode("tenant_id")] = BusinessDates(businessDate: businessDate, cobDate: cobDate)
        }
        return found
    }

    /// The dates of one tenant on `connection`, nil when it has not both.
    public static func find(tenantID: String, on connection: PostgresConnection) async throws -> BusinessDates? {
        let rows = try await connection.query(
            """
            SELECT max(date) FILTER (WHERE type = 'BUSINESS_DATE') AS business_date,
                   max(date) FILTER (WHERE type = 'COB_DATE') AS cob_date
            FROM m_business_date WHERE tenant_id = \(tenantID)
            """
        )
        guard let businessDate: LocalDate = try rows[0].decode("business_date"),
            let cobDate: LocalDate = try rows[0].decode("cob_date")
        else { return nil }
        return BusinessDates(businessDate: businessDate, cobDate: cobDate)
    }

    /// Sets a tenant's business date, and its COB date to the day before, on `connection`, so both
    /// change in the caller's transaction or neither does.
    public static func set(
        businessDate: LocalDate,
        tenantID: String,
        on connection: PostgresConnection
    ) async throws -> BusinessDates {
        precondition(
            businessDate >= Self.earliestBusinessDate,
            "business date \(businessDate) has no representable day before"
        )
        let dates = BusinessDates(businessDate: businessDate, cobDate: businessDate.adding(days: -1))
        try await connection.query(
            """
            INSERT INTO m_business_date (tenant_id, type, date) VALUES
                (\(tenantID), 'BUSINESS_DATE', \(dates.businessDate)), (\(tenantID), 'COB_DATE', \(dates.cobDate))
            ON CONFLICT (tenant_id, type) DO UPDATE
            SET date = excluded.date, version = m_business_date.version + 1, updated_at = now()
            """
        )
        return dates
    }
}
