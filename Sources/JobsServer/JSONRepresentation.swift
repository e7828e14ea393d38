import FineractDomain
import FineractJobs
import Foundation
import JobsCore
import JobsEngine

/// The JSON shapes the API returns, in the camel-case names clients and Hasura use.
enum JSONRepresentation {
    static func timestamp(_ date: Date?) -> JSONValue {
        date.map { .string(ISO8601Parsing.string(from: $0)) } ?? .null
    }

    static func text(_ value: String?) -> JSONValue {
        value.map(JSONValue.string) ?? .null
    }

    static func job(_ job: Job) -> JSONValue {
        .object([
            "id": .string(job.id.uuidString.lowercased()),
            "name": .string(job.name),
            "description": self.text(job.description),
            "jobType": .string(job.jobType.rawValue),
            "cronExpression": self.text(job.cronExpression),
            "timezone": self.text(job.timezone),
            "executionInterval": self.text(job.executionInterval?.rawValue),
            "startAt": self.timestamp(job.startAt),
            "priority": .string(job.priority.rawValue),
            "parameters": .object(job.parameters),
            "maxRetries": .integer(Int64(job.maxRetries)),
            "timeoutSeconds": .integer(Int64(job.timeoutSeconds)),
            "tenantId": self.text(job.tenantID),
            "status": .string(job.status.rawValue),
            "statusReason": self.text(job.statusReason),
            "misfirePolicy": .string(job.misfirePolicy.rawValue),
            "allowOverlap": .bool(job.allowOverlap),
            "nextRunAt": self.timestamp(job.nextRunAt),
            "lastRunAt": self.timestamp(job.lastRunAt),
            "createdBy": self.text(job.createdBy),
            "createdAt": self.timestamp(job.createdAt),
            "updatedAt": self.timestamp(job.updatedAt),
        ])
    }

    static func execution(_ execution: JobExecution) -> JSONValue {
        var durationMs: JSONValue = .null
        if let started = execution.startedAt, let finished = execution.finishedAt {
            durationMs = .integer(Int64((finished.timeIntervalSince(started) * 1000).rounded()))
        }
        return .object([
            "id": .string(execution.id.uuidString.lowercased()),
            "jobId": .string(execution.jobID.uuidString.lowercased()),
            "parentExecutionId": self.text(execution.parentExecutionID?.uuidString.lowercased()),
            "childKey": self.text(execution.childKey),
            "tenantId": self.text(execution.tenantID),
            "jobType": .string(execution.jobType.rawValue),
            "priority": .string(execution.priority.rawValue),
            "status": .string(execution.status.rawValue),
            "trigger": .string(execution.trigger.rawValue),
            "fireTime": self.timestamp(execution.fireTime),
            "isCatchUp": .bool(execution.isCatchUp),
            "parameters": .object(execution.parameters),
            "attempt": .integer(Int64(execution.attempt)),
            "maxAttempts": .integer(Int64(execution.maxAttempts)),
            "runAfter": self.timestamp(execution.runAfter),
            "nodeId": self.text(execution.nodeID),
            "idempotencyKey": self.text(execution.idempotencyKey),
            "cancelRequested": .bool(execution.cancelRequested),
            "progress": execution.progressDone.map { done in
                .object(["done": .integer(done), "total": execution.progressTotal.map(JSONValue.integer) ?? .null])
            } ?? .null,
            "result": execution.result ?? .null,
            "error": self.text(execution.error),
            "errorCode": self.text(execution.errorCode),
            "queuedAt": self.timestamp(execution.queuedAt),
            "startedAt": self.timestamp(execution.startedAt),
            "finishedAt": self.timestamp(execution.finishedAt),
            "durationMs": durationMs,
            "attempts": .array(execution.attempts.map(self.attempt)),
            "children": .array(execution.children.map(self.execution)),
        ])
    }

    static func attempt(_ attempt: ExecutionAttempt) -> JSONValue {
        .object([
            "attempt": .integer(Int64(attempt.attempt)),
            "nodeId": .string(attempt.nodeID),
            "status": .string(attempt.status.rawValue),
            "startedAt": self.timestamp(attempt.startedAt),
            "finishedAt": self.timestamp(attempt.finishedAt),
            "error": self.text(attempt.error),
            "errorCode": self.text(attempt.errorCode),
        ])
    }

    /// A tenant with its Fineract dates (`yyyy-MM-dd`, null when the tenant has none).
    static func tenant(_ tenant: Tenant, dates: BusinessDates?) -> JSONValue {
        .object([
            "id": .string(tenant.id),
            "name": .string(tenant.name),
            "timezone": .string(tenant.timezone),
            "active": .bool(tenant.isActive),
            "businessDate": self.text(dates?.businessDate.description),
            "cobDate": self.text(dates?.cobDate.description),
            "createdAt": self.timestamp(tenant.createdAt),
            "updatedAt": self.timestamp(tenant.updatedAt),
        ])
    }

    static func node(_ node: NodeRegistry.Node) -> JSONValue {
        .object([
            "id": .string(node.id),
            "hostname": .string(node.hostname),
            "pid": .integer(Int64(node.pid)),
            "version": .string(node.version),
            "maxConcurrentJobs": .integer(Int64(node.maxConcurrentJobs)),
            "startedAt": self.timestamp(node.startedAt),
            "lastHeartbeatAt": self.timestamp(node.lastHeartbeatAt),
            "stoppedAt": self.timestamp(node.stoppedAt),
            "live": .bool(node.isLive),
        ])
    }
}
