public import Foundation
public import JobsCore
public import Postgres

/// A tenant: one bank (or one Fineract tenant database) served by the engine.
public struct Tenant: Sendable, Hashable {
    public var id: String
    public var name: String
    /// The IANA zone of the tenant's jobs that name none of their own.
    public var timezone: String
    public var isActive: Bool
    public var createdAt: Date
    public var updatedAt: Date
}

/// The checked fields of a tenant about to be created.
public struct NewTenant: Sendable, Hashable {
    public var id: String
    public var name: String
    public var timezone: String
}

/// Tenant SQL: list, create (check the fields, then insert), deactivate.
public struct TenantStore: Sendable {
    let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Every tenant, active ones first.
    public func tenants() async throws -> [Tenant] {
        let rows = try await self.pool.query(
            "SELECT id, name, timezone, active, created_at, updated_at FROM tenant ORDER BY active DESC, id"
        )
        return try rows.map(Self.decode)
    }

    /// Reads and checks the fields of a tenant to create, adding a violation for each bad or unknown field.
    ///
    /// - Parameters:
    ///   - otherFields: fields the caller reads itself, which are therefore not unknown here.
    /// - Returns: the tenant, or nil when any field is bad or unknown.
    public static func newTenant(
        from input: [String: JSONValue],
        otherFields: Set<String> = [],
        violations: inout [FieldViolation]
    ) -> NewTenant? {
        var found: [FieldViolation] = []
        let known: Set<String> = ["id", "name", "timezone"]
        for key in input.keys.sorted() where !known.contains(key) && !otherFields.contains(key) {
            found.append(FieldViolation(field: key, message: "is not a known field"))
        }
        let id = input["id"]?.stringValue
        if id == nil || !TenantID.isWellFormed(id!) {
            found.append(FieldViolation(field: "id", message: "must be 1-64 letters, digits, '_' or '-'"))
        }
        let name = input["name"]?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines)
        if name == nil || name!.isEmpty || name!.count > 200 {
            found.append(FieldViolation(field: "name", message: "must be 1-200 characters"))
        }
        let timezone = input["timezone"]?.stringValue ?? "UTC"
        if TimeZone(identifier: timezone) == nil {
            found.append(FieldViolation(field: "timezone", message: "'\(timezone)' is not an IANA time zone name"))
        }
        violations += found
        guard found.isEmpty, let id, let name else {
            return nil
        }
        return NewTenant(id: id, name: name, timezone: timezone)
    }

    /// Inserts a checked tenant on `connection`, inside the caller's transaction when it has one.
    ///
    /// - Throws: `ValidationError` on `id` when a tenant with that id exists.
    public static func insert(_ tenant: NewTenant, on connection: PostgresConnection) async throws -> Tenant {
        do {
            let rows = try await connection.query(
                """
                INSERT INTO tenant (id, name, timezone) VALUES (\(tenant.id), \(tenant.name), \(tenant.timezone))
                RETURNING id, name, timezone, active, created_at, updated_at
                """
            )
            return try Self.decode(rows[0])
        } catch let error as PostgresError where error.isUniqueViolation {
            throw ValidationError([FieldViolation(field: "id", message: "tenant '\(tenant.id)' already exists")])
        }
    }

    /// Deactivates a tenant: its jobs stop being scheduled and new ones cannot be created for it.
    ///
    /// - Returns: the tenant, or nil when there is none with that id.
    public func deactivateTenant(id: String) async throws -> Tenant? {
        try await self.pool.withTransaction { connection in
            let rows = try await connection.query(
                """
                UPDATE tenant SET active = false, updated_at = now() WHERE id = \(id)
                RETURNING id, name, timezone, active, created_at, updated_at
                """
            )
            guard let row = rows.first else { return nil }
            try await connection.query(
                """
                UPDATE job SET status = 'paused', status_reason = 'tenant deactivated', updated_at = now()
                WHERE tenant_id = \(id) AND status = 'active'
                """
            )
            return try Self.decode(row)
        }
    }

    static func decode(_ row: PostgresRow) throws -> Tenant {
        Tenant(
            id: try row.decode("id"),
            name: try row.decode("name"),
            timezone: try row.decode("timezone"),
            isActive: try row.decode("active"),
            createdAt: try row.decode("created_at"),
            updatedAt: try row.decode("updated_at")
        )
    }
}
