import FineractDomain
import FineractJobs
import JobsCore
import JobsEngine
import Postgres

/// The tenant routes: each tenant with its Fineract business date and close-of-business date.
extension RESTResponder {
    /// `GET /tenants`: every tenant, active ones first.
    func listTenants() async throws -> (Int, JSONValue) {
        let tenants = try await TenantStore(pool: self.pool).tenants()
        let dates = try await BusinessDates.find(tenantIDs: tenants.map(\.id), pool: self.pool)
        let listed = tenants.map { JSONRepresentation.tenant($0, dates: dates[$0.id]) }
        return (200, .object(["tenants": .array(listed)]))
    }

    /// `POST /tenants`: creates a tenant; an optional `businessDate` sets its business date and the
    /// close-of-business date before it, in the transaction that creates it.
    ///
    /// Every bad field is reported at once and nothing is written.
    func createTenant(body: [UInt8]) async throws -> (Int, JSONValue) {
        let input = try Self.jsonObject(body)
        var violations: [FieldViolation] = []
        let tenant = TenantStore.newTenant(from: input, otherFields: ["businessDate"], violations: &violations)
        let businessDate = Self.businessDate(from: input["businessDate"], violations: &violations)
        guard violations.isEmpty, let tenant else {
            throw ValidationError(violations)
        }
        let (created, dates) = try await self.pool.withTransaction { connection in
            let created = try await TenantStore.insert(tenant, on: connection)
            // Without a date, the dates are the ones the tenant insert trigger seeded (today in the
            // tenant's zone).
            let dates =
                if let businessDate {
                    try await BusinessDates.set(businessDate: businessDate, tenantID: created.id, on: connection)
                } else {
                    try await BusinessDates.find(tenantID: created.id, on: connection)
                }
            return (created, dates)
        }
        return (201, JSONRepresentation.tenant(created, dates: dates))
    }

    /// `POST /tenants/{id}/deactivate`.
    func deactivateTenant(id: String) async throws -> (Int, JSONValue) {
        guard let tenant = try await TenantStore(pool: self.pool).deactivateTenant(id: id) else {
            throw APIError.notFound("no tenant with id '\(id)'")
        }
        let dates = try await BusinessDates.find(tenantIDs: [tenant.id], pool: self.pool)
        return (200, JSONRepresentation.tenant(tenant, dates: dates[tenant.id]))
    }

    /// Reads the optional `businessDate` field: absent or null is nil; anything but a `yyyy-MM-dd` date
    /// whose day before PostgreSQL can store adds a violation.
    static func businessDate(from value: JSONValue?, violations: inout [FieldViolation]) -> LocalDate? {
        guard let value, value != .null else { return nil }
        guard let text = value.stringValue, let date = LocalDate(text),
            date >= BusinessDates.earliestBusinessDate
        else {
            violations.append(
                FieldViolation(field: "businessDate", message: "must be a date written yyyy-MM-dd, from 0001-01-02 on")
            )
            return nil
        }
        return date
    }
}
