import Foundation
import JobsCore

/// What a cron trigger or a one-off scheduled event asks the service to queue, read from its `payload`.
///
/// The payload is the JSON the trigger was configured with (`hasura/metadata/cron_triggers.yaml`, or
/// the `create_scheduled_event` call). `jobId` names one job; `jobType` names every active job of a
/// type. `tenantId` limits either to one tenant; `allTenants: true` says in so many words that no
/// tenant is meant, as the project's nightly triggers do. Keys it does not know are ignored, so a
/// payload may carry notes of its own.
///
/// A payload that names a tenant and all tenants at once, says `allTenants: false` but names no
/// tenant, or holds a value of the wrong kind is refused: read loosely, each of them would queue the
/// job for every tenant, which is the one outcome a mistaken nightly run must never have.
struct TriggerPayload: Sendable, Equatable {
    /// Why a payload cannot be queued; safe to show, it quotes only the payload's own keys.
    struct Refusal: Error, Sendable, Equatable {
        var message: String
    }

    var jobID: UUID?
    var jobType: JobType?
    /// The one tenant whose jobs are queued; nil for every tenant.
    var tenantID: String?

    init(_ payload: JSONValue?) throws(Refusal) {
        guard let members = payload?.objectValue else {
            throw Refusal(message: "the payload is not an object naming jobId or jobType")
        }
        self.jobID = try Self.text(members["jobId"], key: "jobId").map { text throws(Refusal) in
            guard let id = UUID(uuidString: text) else {
                throw Refusal(message: "payload.jobId is not a uuid")
            }
            return id
        }
        self.jobType = try Self.text(members["jobType"], key: "jobType").map { text throws(Refusal) in
            let type = JobType(rawValue: text)
            guard type.isWellFormed else {
                throw Refusal(message: "payload.jobType is not a job type name")
            }
            return type
        }
        guard self.jobID != nil || self.jobType != nil else {
            throw Refusal(message: "the payload names neither jobId nor jobType")
        }
        self.tenantID = try Self.text(members["tenantId"], key: "tenantId")
        if let tenantID = self.tenantID, !TenantID.isWellFormed(tenantID) {
            throw Refusal(message: "payload.tenantId is not a tenant id")
        }
        switch members["allTenants"] ?? .null {
        case .null:
            break
        case .bool(true) where self.tenantID != nil:
            throw Refusal(message: "the payload names tenantId and sets allTenants; it may do only one")
        case .bool(false) where self.tenantID == nil:
            throw Refusal(message: "the payload sets allTenants to false but names no tenantId")
        case .bool:
            break
        default:
            throw Refusal(message: "payload.allTenants is not true or false")
        }
    }

    /// The string at `key`; nil when absent or null, refused when it is anything else.
    private static func text(_ value: JSONValue?, key: String) throws(Refusal) -> String? {
        switch value ?? .null {
        case .null: return nil
        case .string(let text): return text
        default: throw Refusal(message: "payload.\(key) is not a string")
        }
    }
}
