import JobsCore

/// Who is calling through Hasura, from the action's `session_variables`.
///
/// The tenant comes only from `x-hasura-tenant-id` in the session, never from the action's input.
/// Roles: `admin` acts on every tenant and on jobs for all tenants; `tenant_admin` manages its
/// tenant's jobs; `tenant_viewer` may only read (through GraphQL), so every action refuses it.
struct HasuraSession: Sendable, Equatable {
    enum Role: String, Sendable {
        case admin
        case tenantAdmin = "tenant_admin"
        case tenantViewer = "tenant_viewer"
    }

    var role: Role
    var tenantID: String?
    var userID: String?

    /// Reads the session; keys arrive lower-case and values as strings.
    init(variables: JSONValue?) throws(HasuraActionError) {
        var lowered: [String: String] = [:]
        for (key, value) in variables?.objectValue ?? [:] {
            if let text = value.stringValue {
                lowered[key.lowercased()] = text
            }
        }
        guard let roleName = lowered["x-hasura-role"] else {
            throw HasuraActionError(status: 403, code: "forbidden", message: "the session has no x-hasura-role")
        }
        guard let role = Role(rawValue: roleName) else {
            throw HasuraActionError(
                status: 403,
                code: "forbidden",
                message: "role '\(roleName)' may not call this action"
            )
        }
        let tenantID = lowered["x-hasura-tenant-id"].flatMap { $0.isEmpty ? nil : $0 }
        if role != .admin, tenantID == nil {
            throw HasuraActionError(
                status: 403,
                code: "forbidden",
                message: "role '\(roleName)' needs x-hasura-tenant-id in the session"
            )
        }
        self.role = role
        self.tenantID = tenantID
        self.userID = lowered["x-hasura-user-id"]
    }

    /// Whether this session may see `job`: an admin sees every job, a tenant role only its tenant's.
    func canSee(_ job: Job) -> Bool {
        self.role == .admin || (job.tenantID != nil && job.tenantID == self.tenantID)
    }

    /// Refuses sessions that may only read.
    func requireWriter(action: String) throws(HasuraActionError) {
        if self.role == .tenantViewer {
            throw HasuraActionError(
                status: 403,
                code: "forbidden",
                message: "role 'tenant_viewer' may not call \(action)"
            )
        }
    }
}

/// A refusal of a Hasura action, answered as 4xx `{message, extensions: {code, ...}}` so Hasura
/// shows it to the GraphQL client.
struct HasuraActionError: Error, Sendable {
    var status: Int
    var code: String
    var message: String
    var extensions: [String: JSONValue] = [:]

    var body: JSONValue {
        var extensions = self.extensions
        extensions["code"] = .string(self.code)
        return .object(["message": .string(self.message), "extensions": .object(extensions)])
    }
}
