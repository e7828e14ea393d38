import Foundation
import JobsCore
import Testing

/// One delivery as seen from outside the service: what was sent and when, what came back, and the
/// database just before and just after.
struct ReplayObservation: Sendable {
    var sent: JSONValue
    var reply: WireReply
    /// The clock just before sending and just after the answer, bounding the service's own `now`.
    var window: ClosedRange<Date>
    var before: DatabaseSnapshot
    var after: DatabaseSnapshot

    var difference: Comment { Comment(rawValue: self.after.difference(from: self.before)) }

    /// The one row `table` gained (or the new version of the one row that changed), or nil.
    func addedRow(in table: String) -> JSONValue? {
        let added = self.after.added(in: table, since: self.before)
        return added.count == 1 ? added[0] : nil
    }

    /// The old version of the one row of `table` that changed, or nil.
    func removedRow(in table: String) -> JSONValue? {
        let removed = self.after.removed(in: table, since: self.before)
        return removed.count == 1 ? removed[0] : nil
    }

    /// A session variable of the request, whatever the letter case of its name.
    func session(_ name: String) -> JSONValue {
        let variables = self.sent["session_variables"]?.objectValue ?? [:]
        return variables.first { $0.key.lowercased() == name }?.value ?? .null
    }
}

extension HasuraFixtureScenario {
    /// Checks the answer and the writes this fixture is documented to cause on its first delivery.
    func expectDocumentedOutcome(of delivery: ReplayObservation, outputTypes: ActionOutputTypes) throws {
        try #require(delivery.reply.status == 200, "\(delivery.reply.text)")
        if self.kind == .action, let name = delivery.sent["action"]?["name"]?.stringValue {
            let problems = outputTypes.problems(with: delivery.reply.json ?? .null, forAction: name)
            #expect(problems.isEmpty, "\(problems) in \(delivery.reply.text)")
        }
        switch self {
        case .createJob: try self.expectJobCreated(delivery)
        case .executeJob, .executeJobAsync: try self.expectExecutionQueued(delivery)
        case .cancelJob: try self.expectJobCancelled(delivery)
        case .jobInserted, .jobInsertedRetry, .jobInsertedBySQL: try self.expectJobActivated(delivery)
        case .cronTick, .oneOffEvent: try self.expectTriggerQueued(delivery)
        }
    }

    private func expectJobCreated(_ delivery: ReplayObservation) throws {
        #expect(delivery.after.changedTables(since: delivery.before) == ["job"], delivery.difference)
        let job = try #require(delivery.addedRow(in: "job"), delivery.difference)
        let input = delivery.sent["input"]?["input"]?.objectValue ?? [:]
        let columns = [
            "name": "name", "description": "description", "jobType": "job_type", "cronExpression": "cron_expression",
            "timezone": "timezone", "priority": "priority", "parameters": "parameters", "maxRetries": "max_retries",
            "timeoutSeconds": "timeout_seconds",
        ]
        for (field, column) in columns {
            #expect((job[column] ?? .null) == (input[field] ?? .null), "column \(column)")
        }
        // The tenant and the creator come from the session, never from the input.
        #expect(job["tenant_id"] == delivery.session("x-hasura-tenant-id"))
        #expect(job["created_by"] == delivery.session("x-hasura-user-id"))
        #expect(job["status"] == "active")
        let fires = try #require(
            FixtureFireTimes.firstRun(
                cron: input["cronExpression"]?.stringValue ?? "",
                timeZone: input["timezone"]?.stringValue ?? "",
                computedWithin: delivery.window
            )
        )
        let nextRunAt = job["next_run_at"]?.stringValue.flatMap(ISO8601Parsing.date(from:))
        #expect(nextRunAt.map(fires.contains) == true, "next_run_at \(String(describing: nextRunAt)), one of \(fires)")
        let answer = delivery.reply.json ?? .null
        #expect(answer["id"] == job["id"])
        #expect(answer["status"] == "active")
        let texts = Set(fires.map(FixtureFireTimes.nairobiText))
        #expect(answer["nextRunAt"]?.stringValue.map(texts.contains) == true, "nextRunAt, one of \(texts)")
    }

    private func expectExecutionQueued(_ delivery: ReplayObservation) throws {
        #expect(
            delivery.after.changedTables(since: delivery.before) == ["job_execution", "job_queue"],
            delivery.difference
        )
        let execution = try #require(delivery.addedRow(in: "job_execution"), delivery.difference)
        Self.expectQueueRows(added: [execution], delivery)
        let input = delivery.sent["input"]?.objectValue ?? [:]
        let jobID = JSONValue.string(Self.fixtureJobID.uuidString.lowercased())
        var parameters: [String: JSONValue] = ["catchUp": true]
        parameters.merge(input["parameters"]?.objectValue ?? [:]) { _, override in override }
        #expect(execution["job_id"] == jobID)
        #expect(execution["tenant_id"] == "default")
        #expect(execution["job_type"] == "system_health_check")
        #expect(execution["trigger"] == "manual")
        #expect(execution["status"] == "queued")
        #expect(execution["fire_time"] == .null)
        #expect(execution["parameters"] == .object(parameters))
        // max_retries 3 of the seeded job gives 3 + 1 attempts.
        #expect(execution["max_attempts"] == 4)
        #expect(execution["idempotency_key"] == (input["idempotencyKey"] ?? .null))
        let answer = delivery.reply.json ?? .null
        #expect(answer["executionId"] == execution["id"])
        #expect(answer["jobId"] == jobID)
        #expect(answer["status"] == "queued")
        #expect(answer["created"] == true)
    }

    private func expectJobCancelled(_ delivery: ReplayObservation) throws {
        #expect(
            delivery.after.changedTables(since: delivery.before) == ["job", "job_execution", "job_queue"],
            delivery.difference
        )
        let reason = delivery.sent["input"]?["reason"]?.stringValue ?? "cancelled through Hasura"
        let old = try #require(delivery.removedRow(in: "job"), delivery.difference)
        let job = try #require(delivery.addedRow(in: "job"), delivery.difference)
        #expect(job["status"] == "cancelled")
        #expect(job["status_reason"] == .string(reason))
        let changing = ["status", "status_reason", "updated_at"]
        #expect(Self.dropping(changing, from: job) == Self.dropping(changing, from: old))
        let execution = try #require(delivery.addedRow(in: "job_execution"), delivery.difference)
        #expect(execution["status"] == "cancelled")
        #expect(execution["error"] == .string(reason))
        #expect(execution["error_code"] == "cancelled")
        // The cancelled execution left the queue.
        let dequeued = delivery.after.removed(in: "job_queue", since: delivery.before).map { $0["execution_id"] }
        #expect(dequeued == [execution["id"]], delivery.difference)
        let answer = delivery.reply.json ?? .null
        #expect(answer["id"] == .string(Self.fixtureJobID.uuidString.lowercased()))
        #expect(answer["status"] == "cancelled")
    }

    private func expectJobActivated(_ delivery: ReplayObservation) throws {
        #expect(
            delivery.after.changedTables(since: delivery.before) == ["job", "hasura_event_receipt"],
            delivery.difference
        )
        let old = try #require(delivery.removedRow(in: "job"), delivery.difference)
        let job = try #require(delivery.addedRow(in: "job"), delivery.difference)
        #expect(old["status"] == "pending")
        #expect(job["status"] == "active")
        #expect(job["status_reason"] == .null)
        let changing = ["status", "next_run_at", "updated_at"]
        #expect(Self.dropping(changing, from: job) == Self.dropping(changing, from: old))
        let fires = try #require(
            FixtureFireTimes.firstRun(
                cron: job["cron_expression"]?.stringValue ?? "",
                timeZone: job["timezone"]?.stringValue ?? "",
                computedWithin: delivery.window
            )
        )
        let nextRunAt = job["next_run_at"]?.stringValue.flatMap(ISO8601Parsing.date(from:))
        #expect(nextRunAt.map(fires.contains) == true, "next_run_at \(String(describing: nextRunAt)), one of \(fires)")
        try Self.expectReceipt(delivery, kind: "job_inserted", outcome: "job activated")
    }

    private func expectTriggerQueued(_ delivery: ReplayObservation) throws {
        #expect(
            delivery.after.changedTables(since: delivery.before)
                == ["job_execution", "job_queue", "hasura_event_receipt"],
            delivery.difference
        )
        let executions = delivery.after.added(in: "job_execution", since: delivery.before)
        Self.expectQueueRows(added: executions, delivery)
        let queued = Set(executions.compactMap { $0["job_id"]?.stringValue.flatMap(UUID.init(uuidString:)) })
        #expect(executions.count == self.jobsToQueue.count && queued == self.jobsToQueue, delivery.difference)
        let eventID = delivery.sent["id"]?.stringValue ?? ""
        let jobs = delivery.before["job"]
        for execution in executions {
            let job = jobs.first { $0["id"] == execution["job_id"] }
            #expect(execution["tenant_id"] == job?["tenant_id"])
            #expect(execution["trigger"] == "cron_trigger")
            #expect(execution["status"] == "queued")
            #expect(execution["fire_time"] == .null)
            #expect(execution["idempotency_key"] == .string("hasura:\(eventID)"))
            #expect(execution["parameters"] == ["catchUp": true])
            #expect(execution["max_attempts"] == 4)
        }
        try Self.expectReceipt(
            delivery,
            kind: self == .cronTick ? "cron_trigger" : "scheduled_event",
            outcome: "\(self.jobsToQueue.count) executions queued"
        )
    }

    /// Each queued execution, and nothing else, gained a queue row ordered as the execution is.
    private static func expectQueueRows(added executions: [JSONValue], _ delivery: ReplayObservation) {
        let rows = delivery.after.added(in: "job_queue", since: delivery.before)
        #expect(Set(rows.map { $0["execution_id"] }) == Set(executions.map { $0["id"] }), delivery.difference)
        for row in rows {
            let execution = executions.first { $0["id"] == row["execution_id"] }
            for (queueColumn, executionColumn) in [
                ("job_id", "job_id"), ("tenant_id", "tenant_id"), ("job_type", "job_type"),
                ("priority", "priority"), ("run_after", "run_after"), ("queued_at", "queued_at"),
            ] {
                #expect(row[queueColumn] == execution?[executionColumn], "job_queue.\(queueColumn)")
            }
        }
    }

    /// The event's receipt and the handler's answer, which carries the same outcome.
    private static func expectReceipt(_ delivery: ReplayObservation, kind: String, outcome: String) throws {
        let receipt = try #require(delivery.addedRow(in: "hasura_event_receipt"), delivery.difference)
        #expect(receipt["event_id"] == delivery.sent["id"])
        #expect(receipt["kind"] == .string(kind))
        #expect(receipt["outcome"] == .string(outcome))
        #expect(delivery.reply.json == ["status": "handled", "outcome": .string(outcome)], "\(delivery.reply.text)")
    }

    static func dropping(_ keys: [String], from row: JSONValue) -> JSONValue {
        .object((row.objectValue ?? [:]).filter { !keys.contains($0.key) })
    }
}
