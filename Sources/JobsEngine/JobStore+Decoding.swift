import Foundation
import JobsCore
import Postgres

extension JobStore {
    static func decodeJob(_ row: PostgresRow) throws -> Job {
        Job(
            id: try row.decode("id"),
            name: try row.decode("name"),
            description: try row.decode("description"),
            jobType: JobType(rawValue: try row.decode("job_type")),
            cronExpression: try row.decode("cron_expression"),
            timezone: try row.decode("timezone"),
            executionInterval: try (row.decode("execution_interval", as: String?.self)).flatMap(ExecutionInterval.init),
            startAt: try row.decode("start_at"),
            priority: Priority(rawValue: try row.decode("priority")) ?? .medium,
            parameters: try self.decodeObject(row.decode("parameters", as: PostgresJSON.self)),
            maxRetries: try row.decode("max_retries"),
            timeoutSeconds: try row.decode("timeout_seconds"),
            tenantID: try row.decode("tenant_id"),
            status: JobStatus(rawValue: try row.decode("status")) ?? .invalid,
            statusReason: try row.decode("status_reason"),
            misfirePolicy: MisfirePolicy(rawValue: try row.decode("misfire_policy")) ?? .fireOnce,
            allowOverlap: try row.decode("allow_overlap"),
            nextRunAt: try row.decode("next_run_at"),
            lastRunAt: try row.decode("last_run_at"),
            createdBy: try row.decode("created_by"),
            createdAt: try row.decode("created_at"),
            updatedAt: try row.decode("updated_at")
        )
    }

    static func decodeExecution(_ row: PostgresRow) throws -> JobExecution {
        let priorityRank: Int = try row.decode("priority")
        var execution = JobExecution(
            id: try row.decode("id"),
            jobID: try row.decode("job_id"),
            parentExecutionID: try row.decode("parent_execution_id"),
            tenantID: try row.decode("tenant_id"),
            jobType: JobType(rawValue: try row.decode("job_type")),
            priority: Priority.allCases.first { $0.rank == priorityRank } ?? .medium,
            status: ExecutionStatus(rawValue: try row.decode("status")) ?? .failed,
            trigger: ExecutionTrigger(rawValue: try row.decode("trigger")) ?? .manual,
            fireTime: try row.decode("fire_time"),
            isCatchUp: try row.decode("is_catch_up"),
            parameters: try self.decodeObject(row.decode("parameters", as: PostgresJSON.self)),
            attempt: try row.decode("attempt"),
            maxAttempts: try row.decode("max_attempts"),
            runAfter: try row.decode("run_after"),
            timeoutSeconds: try row.decode("timeout_seconds"),
            nodeID: try row.decode("node_id"),
            idempotencyKey: try row.decode("idempotency_key"),
            cancelRequested: try row.decode("cancel_requested"),
            progressDone: try row.decode("progress_done"),
            progressTotal: try row.decode("progress_total"),
            result: try row.decode("result", as: PostgresJSON?.self).map { try JSONValue(parsing: Data($0.text.utf8)) },
            error: try row.decode("error"),
            errorCode: try row.decode("error_code"),
            queuedAt: try row.decode("queued_at"),
            startedAt: try row.decode("started_at"),
            finishedAt: try row.decode("finished_at")
        )
        // The claim function returns the columns a worker needs, which do not include the key.
        if row.contains("child_key") {
            execution.childKey = try row.decode("child_key")
        }
        return execution
    }

    static func decodeAttempt(_ row: PostgresRow) throws -> ExecutionAttempt {
        ExecutionAttempt(
            attempt: try row.decode("attempt"),
            nodeID: try row.decode("node_id"),
            status: ExecutionAttempt.Status(rawValue: try row.decode("status")) ?? .failed,
            startedAt: try row.decode("started_at"),
            finishedAt: try row.decode("finished_at"),
            error: try row.decode("error"),
            errorCode: try row.decode("error_code")
        )
    }

    static func decodeObject(_ json: PostgresJSON) throws -> [String: JSONValue] {
        try JSONValue(parsing: Data(json.text.utf8)).objectValue ?? [:]
    }
}
