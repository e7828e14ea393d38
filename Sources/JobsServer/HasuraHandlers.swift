import Foundation
import HTTPServer
import JobsCore
import JobsEngine
import Logging

/// The webhooks Hasura calls: the `createJob`, `executeJob` and `cancelJob` actions, the
/// `job_inserted` event trigger, and cron triggers and one-off scheduled events.
///
/// Actions answer 2xx with exactly their output type's fields, and every business refusal with
/// 4xx `{message, extensions: {code}}`. Events answer 2xx only once their work is committed, so
/// Hasura retries anything else; a redelivered event id changes nothing.
struct HasuraHandlers: Sendable {
    let manager: JobManager
    let logger: Logger

    // MARK: - Actions

    func action(named pathName: String?, body: [UInt8]) async -> (Int, JSONValue) {
        do {
            let envelope = try Self.object(body)
            guard let name = envelope["action"]?["name"]?.stringValue else {
                throw HasuraActionError(status: 400, code: "bad-request", message: "the body has no action.name")
            }
            if let pathName, pathName != name {
                throw HasuraActionError(
                    status: 400,
                    code: "bad-request",
                    message: "action '\(name)' was sent to the handler of '\(pathName)'"
                )
            }
            let input = envelope["input"]?.objectValue ?? [:]
            let session = try HasuraSession(variables: envelope["session_variables"])
            // PostgreSQL stores no NUL character in text or jsonb, and a bound text value ends at the
            // first one, so an argument holding it would fail as a 5xx or be stored cut short: refuse it.
            if let field = Self.placeHoldingNUL(in: .object(input), at: "") {
                throw ValidationError([FieldViolation(field: field, message: "must not contain the NUL character")])
            }
            switch name {
            case "createJob": return (200, try await self.createJob(input, session: session))
            case "executeJob": return (200, try await self.executeJob(input, session: session))
            case "cancelJob": return (200, try await self.cancelJob(input, session: session))
            default:
                throw HasuraActionError(status: 404, code: "unknown-action", message: "no action named '\(name)'")
            }
        } catch let error as HasuraActionError {
            return (error.status, error.body)
        } catch let error as ValidationError {
            let fields: [JSONValue] = error.violations.map {
                .object(["field": .string($0.field), "message": .string($0.message)])
            }
            let refusal = HasuraActionError(
                status: 422,
                code: "validation-failed",
                message: "invalid fields: \(error.description)",
                extensions: ["fields": .array(fields)]
            )
            return (refusal.status, refusal.body)
        } catch let error as JobsEngineError {
            let refusal: HasuraActionError
            switch error.code {
            case .illegalState: refusal = HasuraActionError(status: 409, code: "illegal-state", message: error.message)
            default: refusal = HasuraActionError(status: 404, code: "job-not-found", message: error.message)
            }
            return (refusal.status, refusal.body)
        } catch {
            let requestID = UUID().uuidString.lowercased()
            self.logger.error(
                "hasura action failed",
                metadata: [.requestID: "\(requestID)", .error: "\(String(reflecting: error))"]
            )
            return (
                500, ["message": .string("internal error; request \(requestID)"), "extensions": ["code": "internal"]]
            )
        }
    }

    private func createJob(_ arguments: [String: JSONValue], session: HasuraSession) async throws -> JSONValue {
        try session.requireWriter(action: "createJob")
        guard let input = arguments["input"]?.objectValue else {
            throw HasuraActionError(status: 400, code: "bad-request", message: "createJob needs its input argument")
        }
        var allowed = JobDefinitionDecoder.acceptedFields
        allowed.remove("tenantId")
        var definition = try self.manager.definitionDecoder.decode(
            input,
            allowedFields: allowed,
            createdBy: session.userID
        )
        definition.tenantID = session.tenantID
        let job = try await self.manager.createJob(definition)
        let zone = TimeZone(identifier: job.timezone ?? "UTC") ?? TimeZone(identifier: "UTC")!
        return .object([
            "id": .string(job.id.uuidString.lowercased()),
            "status": .string(job.status.rawValue),
            "nextRunAt": job.nextRunAt.map { .string(FireTimeFormatter.formatISO8601($0, in: zone)) } ?? .null,
        ])
    }

    private func executeJob(_ arguments: [String: JSONValue], session: HasuraSession) async throws -> JSONValue {
        try session.requireWriter(action: "executeJob")
        let job = try await self.visibleJob(arguments, session: session)
        var parameters: [String: JSONValue] = [:]
        if let given = arguments["parameters"], given != .null {
            guard let members = given.objectValue else {
                throw ValidationError([FieldViolation(field: "parameters", message: "must be an object")])
            }
            parameters = members
        }
        var key: String?
        if let given = arguments["idempotencyKey"], given != .null {
            // Hasura passes any GraphQL String, but the column holds 1-200 characters as PostgreSQL
            // counts them (code points): a key outside that is refused here as a 4xx instead of
            // failing the insert as a 5xx, which Hasura would show the client as an internal error.
            guard let text = given.stringValue, (1...200).contains(text.unicodeScalars.count) else {
                throw ValidationError([
                    FieldViolation(field: "idempotencyKey", message: "must be a string of 1-200 characters")
                ])
            }
            key = text
        }
        let (execution, created) = try await self.manager.executeJob(
            id: job.id,
            parameterOverrides: parameters,
            idempotencyKey: key
        )
        return .object([
            "executionId": .string(execution.id.uuidString.lowercased()),
            "jobId": .string(job.id.uuidString.lowercased()),
            "status": .string(execution.status.rawValue),
            "created": .bool(created),
        ])
    }

    private func cancelJob(_ arguments: [String: JSONValue], session: HasuraSession) async throws -> JSONValue {
        try session.requireWriter(action: "cancelJob")
        let job = try await self.visibleJob(arguments, session: session)
        var reason = "cancelled through Hasura"
        if let given = arguments["reason"], given != .null {
            guard let text = given.stringValue, (1...1000).contains(text.unicodeScalars.count) else {
                throw ValidationError([
                    FieldViolation(field: "reason", message: "must be a string of 1-1000 characters")
                ])
            }
            reason = text
        }
        let cancelled = try await self.manager.cancelJob(id: job.id, reason: reason)
        return .object([
            "id": .string(cancelled.id.uuidString.lowercased()), "status": .string(cancelled.status.rawValue),
        ])
    }

    /// The job named by `jobId`, if this session may see it; otherwise not found, so a caller never
    /// learns whether another tenant's job exists.
    private func visibleJob(_ arguments: [String: JSONValue], session: HasuraSession) async throws -> Job {
        guard let given = arguments["jobId"], given != .null else {
            throw ValidationError([FieldViolation(field: "jobId", message: "is required")])
        }
        guard let text = given.stringValue else {
            throw ValidationError([FieldViolation(field: "jobId", message: "must be a UUID string")])
        }
        let scope = session.tenantID.map { "tenant '\($0)'" } ?? "this session"
        guard let id = UUID(uuidString: text), let job = try await self.manager.store.job(id: id), session.canSee(job)
        else {
            throw HasuraActionError(
                status: 404,
                code: "job-not-found",
                message: "job \(text) does not exist for \(scope)",
                extensions: ["jobId": .string(text)]
            )
        }
        return job
    }

    // MARK: - Events

    /// The `job_inserted` event trigger: validates and activates the inserted job.
    func jobInserted(body: [UInt8]) async -> (Int, JSONValue) {
        do {
            let envelope = try Self.object(body)
            guard let eventID = envelope["id"]?.stringValue.flatMap(UUID.init(uuidString:)) else {
                return (400, ["error": "the event has no id"])
            }
            let op = envelope["event"]?["op"]?.stringValue ?? ""
            guard op == "INSERT" || op == "MANUAL" else {
                return (200, ["status": "ignored", "reason": .string("operation \(op) is not handled")])
            }
            guard let jobID = envelope["event"]?["data"]?["new"]?["id"]?.stringValue.flatMap(UUID.init(uuidString:))
            else {
                return (400, ["error": "event.data.new.id is missing or not a uuid"])
            }
            let manager = self.manager
            let receipt = try await manager.store.activateInsertedJob(
                eventID: eventID,
                jobID: jobID,
                validate: { job, zone in manager.validateStoredJob(job, tenantTimeZone: zone) },
                firstRun: { job, zone in try manager.firstRun(of: job, tenantTimeZone: zone) }
            )
            return (200, Self.describe(receipt))
        } catch {
            self.logger.error("job_inserted event failed", metadata: [.error: "\(String(reflecting: error))"])
            return (500, ["error": "the event could not be handled; Hasura will retry"])
        }
    }

    /// A cron trigger (has `name`) or a one-off scheduled event (has `created_at`): queues the job
    /// or job type its payload names, for its tenant or for all.
    func scheduledEvent(body: [UInt8]) async -> (Int, JSONValue) {
        do {
            let envelope = try Self.object(body)
            guard let eventID = envelope["id"]?.stringValue.flatMap(UUID.init(uuidString:)) else {
                return (400, ["error": "the event has no id"])
            }
            let payload: TriggerPayload
            do throws(TriggerPayload.Refusal) {
                payload = try TriggerPayload(envelope["payload"])
            } catch {
                // Not 2xx, so Hasura records the delivery as failed where an operator sees it, and
                // nothing is queued: a misread payload could run the job for every tenant.
                return (400, ["error": .string(error.message)])
            }
            let receipt = try await self.manager.store.enqueueForTrigger(
                eventID: eventID,
                kind: envelope["name"] != nil ? "cron_trigger" : "scheduled_event",
                jobID: payload.jobID,
                jobType: payload.jobType,
                tenantID: payload.tenantID
            )
            return (200, Self.describe(receipt))
        } catch {
            self.logger.error("scheduled event failed", metadata: [.error: "\(String(reflecting: error))"])
            return (500, ["error": "the event could not be handled; Hasura will retry"])
        }
    }

    // MARK: - Helpers

    static func describe(_ receipt: EventReceipt) -> JSONValue {
        switch receipt {
        case .handled(let outcome): ["status": "handled", "outcome": .string(outcome)]
        case .duplicate(let outcome): ["status": "duplicate", "outcome": .string(outcome)]
        }
    }

    /// The dotted path of the first key or string in `value` that holds the NUL character, or nil.
    static func placeHoldingNUL(in value: JSONValue, at path: String) -> String? {
        switch value {
        case .string(let text):
            return text.unicodeScalars.contains("\u{0}") ? path : nil
        case .array(let elements):
            return elements.indices.lazy.compactMap { Self.placeHoldingNUL(in: elements[$0], at: "\(path)[\($0)]") }
                .first
        case .object(let members):
            for key in members.keys.sorted() {
                let place = path.isEmpty ? key : "\(path).\(key)"
                if key.unicodeScalars.contains("\u{0}") {
                    return place
                }
                if let found = Self.placeHoldingNUL(in: members[key] ?? .null, at: place) {
                    return found
                }
            }
            return nil
        default:
            return nil
        }
    }

    static func object(_ body: [UInt8]) throws -> [String: JSONValue] {
        guard let value = try? JSONValue(parsing: Data(body)), let object = value.objectValue else {
            throw HasuraActionError(status: 400, code: "bad-request", message: "the body is not a JSON object")
        }
        return object
    }
}
