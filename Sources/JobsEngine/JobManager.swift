public import Foundation
public import JobsCore
public import Logging

/// What the API layers (REST and Hasura) ask of the engine: create, list, read, cancel and execute jobs.
///
/// Validation and state rules live here, so every entry point applies the same ones.
public struct JobManager: Sendable {
    /// How many executions `jobDetail` returns with a job.
    public static let recentExecutionLimit = 20

    public let store: JobStore
    private let registry: WorkerRegistry
    private let logger: Logger

    public init(store: JobStore, registry: WorkerRegistry, logger: Logger) {
        self.store = store
        self.registry = registry
        self.logger = logger
    }

    /// A decoder that knows the job types this node has workers for.
    public var definitionDecoder: JobDefinitionDecoder {
        JobDefinitionDecoder(knownJobTypes: self.registry.jobTypes) { text in
            do throws(CronExpressionError) {
                _ = try CronExpression(parsing: text)
                return nil
            } catch {
                return error.description
            }
        }
    }

    /// Validates `input` and creates an active job with its first run computed.
    ///
    /// - Throws: `ValidationError` listing every problem; nothing is written then.
    public func createJob(from input: [String: JSONValue], createdBy: String? = nil) async throws -> Job {
        let definition = try self.definitionDecoder.decode(input, createdBy: createdBy)
        return try await self.createJob(definition)
    }

    /// Creates an active job from a validated definition.
    ///
    /// A tenant's job given no time zone takes the tenant's, and stores it: the row then names the
    /// zone its schedule is read in, for Hasura's readers as for the scheduler, and a later change
    /// of the tenant's zone does not move a schedule that is already running.
    public func createJob(_ definition: JobDefinition) async throws -> Job {
        var definition = definition
        let now = Date()
        if definition.executionInterval != nil, definition.startAt == nil {
            // The anchor is stored, so every node (and every later pass) counts intervals from the same instant.
            definition.startAt = now
        }
        var tenantTimeZone: String?
        if let tenantID = definition.tenantID {
            guard let tenant = try await self.store.activeTenantTimeZone(tenantID) else {
                throw ValidationError([
                    FieldViolation(field: "tenantId", message: "no active tenant '\(tenantID)'")
                ])
            }
            tenantTimeZone = tenant
            definition.timezone = definition.timezone ?? tenant
        }
        let schedule = try JobSchedule.make(
            cronExpression: definition.cronExpression,
            executionInterval: definition.executionInterval,
            startAt: definition.startAt,
            timezone: definition.timezone,
            tenantTimeZone: tenantTimeZone,
            createdAt: now
        )
        let job = try await self.store.insertJob(
            definition,
            status: .active,
            nextRunAt: schedule.flatMap {
                JobSchedule.firstRun(of: $0, interval: definition.executionInterval, after: now)
            }
        )
        self.logger.info(
            "job created",
            metadata: [.jobID: "\(job.id.uuidString.lowercased())", .jobType: "\(job.jobType)"]
        )
        return job
    }

    /// Checks a job that was inserted outside the service against the same rules as `createJob`.
    public func validateStoredJob(_ job: Job, tenantTimeZone: String?) -> ValidationError? {
        var input: [String: JSONValue] = [
            "name": .string(job.name), "jobType": .string(job.jobType.rawValue),
            "priority": .string(job.priority.rawValue), "parameters": .object(job.parameters),
            "maxRetries": .integer(Int64(job.maxRetries)), "timeoutSeconds": .integer(Int64(job.timeoutSeconds)),
            "misfirePolicy": .string(job.misfirePolicy.rawValue), "allowOverlap": .bool(job.allowOverlap),
        ]
        input["description"] = job.description.map(JSONValue.string)
        input["cronExpression"] = job.cronExpression.map(JSONValue.string)
        input["timezone"] = job.timezone.map(JSONValue.string)
        input["executionInterval"] = job.executionInterval.map { .string($0.rawValue) }
        input["tenantId"] = job.tenantID.map(JSONValue.string)
        do {
            _ = try self.definitionDecoder.decode(input)
        } catch {
            return error
        }
        if job.tenantID != nil, tenantTimeZone == nil {
            return ValidationError([FieldViolation(field: "tenantId", message: "no active tenant '\(job.tenantID!)'")])
        }
        return nil
    }

    /// The first run of a stored job, from now.
    public func firstRun(of job: Job, tenantTimeZone: String?) throws -> Date? {
        let schedule = try JobSchedule.make(
            cronExpression: job.cronExpression,
            executionInterval: job.executionInterval,
            startAt: job.startAt,
            timezone: job.timezone,
            tenantTimeZone: tenantTimeZone,
            createdAt: job.createdAt
        )
        return schedule.flatMap { JobSchedule.firstRun(of: $0, interval: job.executionInterval, after: Date()) }
    }

    /// The job with `id` and its most recent executions.
    ///
    /// - Throws: `JobsEngineError` (`.jobNotFound`).
    public func jobDetail(id: UUID) async throws -> (job: Job, executions: [JobExecution]) {
        guard let job = try await self.store.job(id: id) else {
            throw JobsEngineError.jobNotFound(id)
        }
        let executions = try await self.store.recentExecutions(jobID: id, limit: Self.recentExecutionLimit)
        return (job, executions)
    }

    /// The job's next `count` fire times from its stored next run, each as ISO-8601 text with the
    /// UTC offset of the zone the schedule is read in (`2026-03-29T03:00:00+02:00`).
    public func upcomingFireTimes(of job: Job, count: Int = 5) async throws -> [String] {
        guard let nextRunAt = job.nextRunAt, job.status == .active || job.status == .paused else { return [] }
        var tenantTimeZone: String?
        if let tenantID = job.tenantID {
            tenantTimeZone = try await self.store.activeTenantTimeZone(tenantID)
        }
        guard
            let schedule = try? JobSchedule.make(
                cronExpression: job.cronExpression,
                executionInterval: job.executionInterval,
                startAt: job.startAt,
                timezone: job.timezone,
                tenantTimeZone: tenantTimeZone,
                createdAt: job.createdAt
            )
        else { return [] }
        let times = [nextRunAt] + schedule.fireTimes(after: nextRunAt, limit: count - 1)
        return times.map { FireTimeFormatter.formatISO8601($0, in: schedule.timeZone) }
    }

    /// One page of jobs.
    public func jobs(matching filter: JobStore.JobFilter) async throws -> (jobs: [Job], total: Int) {
        try await self.store.jobs(matching: filter)
    }

    /// Cancels a job and everything it has queued; running executions are told to stop.
    public func cancelJob(id: UUID, reason: String = "cancelled by request") async throws -> Job {
        let (job, stopping) = try await self.store.cancelJob(id: id, reason: reason)
        self.logger.info(
            "job cancelled",
            metadata: [.jobID: "\(id.uuidString.lowercased())", .executionCount: "\(stopping.count)"]
        )
        return job
    }

    /// Queues an execution of a job now.
    ///
    /// - Returns: the execution, and whether it was created (false when the idempotency key was seen before).
    /// - Throws: `JobsEngineError` (`.jobNotFound`, `.illegalState`).
    public func executeJob(
        id: UUID,
        trigger: ExecutionTrigger = .manual,
        parameterOverrides: [String: JSONValue] = [:],
        idempotencyKey: String? = nil
    ) async throws -> (execution: JobExecution, created: Bool) {
        let result = try await self.store.enqueueExecution(
            jobID: id,
            trigger: trigger,
            parameterOverrides: parameterOverrides,
            idempotencyKey: idempotencyKey
        )
        if result.created {
            self.logger.debug(
                "execution queued",
                metadata: [
                    .jobID: "\(id.uuidString.lowercased())",
                    .executionID: "\(result.execution.id.uuidString.lowercased())",
                ]
            )
        }
        return result
    }
}
