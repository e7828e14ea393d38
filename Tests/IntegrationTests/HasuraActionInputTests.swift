import Foundation
import JobsCore
import Postgres
import TestSupport
import Testing

/// Every argument and input field that `actions.graphql` declares reaches the handler: a value of the
/// declared type is accepted and stored, and a value of another kind is refused with a 4xx that names
/// the field, writing nothing. The samples must cover the declared fields exactly, so a field added to
/// the GraphQL without its handler side (or the other way round) fails here.
@Suite(
    "Hasura action inputs",
    .enabled(if: TestDatabase.isConfigured, "POSTGRES_HOST is not set; make test starts a PostgreSQL for these tests"),
    .timeLimit(.minutes(2))
)
struct HasuraActionInputTests {
    /// Two `CreateJobInput`s that together give every field a value; a job has a cron expression or
    /// an interval, never both.
    static let cronJob: [String: JSONValue] = [
        "name": "every input field", "description": "set through each declared field",
        "jobType": "system_health_check", "cronExpression": "0 0 1 * * ?", "timezone": "Africa/Nairobi",
        "startAt": "2030-01-01T00:00:00Z", "priority": "high", "parameters": ["latencyWarningMs": 5000],
        "maxRetries": 2, "timeoutSeconds": 120, "misfirePolicy": "skip", "allowOverlap": true,
    ]
    static let intervalJob: [String: JSONValue] = [
        "name": "interval job", "jobType": "system_health_check", "executionInterval": "daily",
        "startAt": "2030-01-01T06:30:00Z",
    ]
    static let jobID = "6d0c9a52-3b7e-4f0e-9d21-2c4b8a7e1f03"
    static let executeArguments: [String: JSONValue] = [
        "jobId": .string(Self.jobID), "parameters": ["latencyWarningMs": 2500], "idempotencyKey": "run-2030-01-01",
    ]
    static let cancelArguments: [String: JSONValue] = ["jobId": .string(Self.jobID), "reason": "replaced by a new job"]

    static func body(_ action: String, _ input: [String: JSONValue]) -> Data {
        let envelope: JSONValue = [
            "action": ["name": .string(action)],
            "input": .object(input),
            "request_query": .string("mutation { \(action) }"),
            "session_variables": ["x-hasura-role": "tenant_admin", "x-hasura-tenant-id": "default"],
        ]
        return Data(envelope.serialized().utf8)
    }

    static func call(_ client: HTTPTestClient, _ action: String, _ input: [String: JSONValue]) async throws
        -> HTTPTestClient.Reply
    {
        try await HasuraWebhookTests.post(client, "/actions/\(action)", Self.body(action, input))
    }

    /// Checks that `samples` give a value of the declared type to every declared field and to nothing
    /// else.
    static func expectSamples(_ samples: [[String: JSONValue]], cover declared: [String: ActionInputTypes.Field]) {
        let given = samples.reduce(into: Set<String>()) { $0.formUnion($1.keys) }
        #expect(given == Set(declared.keys), "samples cover \(given.sorted()), declared \(declared.keys.sorted())")
        for sample in samples {
            for (name, value) in sample {
                guard let field = declared[name] else { continue }
                #expect(
                    ActionInputTypes.value(value, fits: field.typeName) == true,
                    "\(name): \(value) is not a \(field.typeName)"
                )
            }
        }
    }

    /// Sends `input` with each field in turn given a value of another kind: 4xx naming the field, and
    /// the tables unchanged.
    static func expectWrongKindsRefused(
        _ client: HTTPTestClient,
        _ pool: PostgresPool,
        action: String,
        input: [String: JSONValue],
        declared: [String: ActionInputTypes.Field],
        wrap: ([String: JSONValue]) -> [String: JSONValue] = { $0 }
    ) async throws {
        for (name, field) in declared.sorted(by: { $0.key < $1.key }) where input[name] != nil {
            var wrong = input
            wrong[name] = ActionInputTypes.wrongKind(for: field.typeName)
            let before = try await DatabaseSnapshot.take(pool)
            let reply = try await Self.call(client, action, wrap(wrong))
            #expect((400..<500).contains(reply.status), "\(action).\(name) = \(wrong[name]!): \(reply.status)")
            #expect(reply.text.contains(name), "\(action).\(name): the refusal names the field: \(reply.text)")
            #expect(try await DatabaseSnapshot.take(pool) == before, "\(action).\(name) changed the tables")
        }
    }

    @Test func createJobTakesEveryDeclaredFieldOfItsType() async throws {
        let types = try ActionInputTypes.load()
        let argument = try #require(types.argumentsOfAction["createJob"]?["input"])
        #expect(argument.isRequired)
        let declared = try #require(types.fieldsOfInputType[argument.typeName])
        Self.expectSamples([Self.cronJob, Self.intervalJob], cover: declared)

        try await TestService.withService(configure: HasuraWebhookTests.configure) { client, pool in
            for sample in [Self.cronJob, Self.intervalJob] {
                let reply = try await Self.call(client, "createJob", ["input": .object(sample)])
                #expect(reply.status == 200, "\(reply.text)")
                let id = try #require(reply.json["id"] as? String)
                let row = try await pool.query(
                    """
                    SELECT name, description, job_type, cron_expression, timezone, execution_interval,
                           to_char(start_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS start_at,
                           priority, parameters, max_retries, timeout_seconds, misfire_policy, allow_overlap
                    FROM job WHERE id = \(try #require(UUID(uuidString: id)))
                    """
                )[0]
                let stored: [String: JSONValue] = [
                    "name": .string(try row.decode("name")),
                    "description": try row.decode("description", as: String?.self).map(JSONValue.string) ?? .null,
                    "jobType": .string(try row.decode("job_type")),
                    "cronExpression": try row.decode("cron_expression", as: String?.self).map(JSONValue.string)
                        ?? .null,
                    "timezone": .string(try row.decode("timezone")),
                    "executionInterval": try row.decode("execution_interval", as: String?.self).map(JSONValue.string)
                        ?? .null,
                    "startAt": try row.decode("start_at", as: String?.self).map(JSONValue.string) ?? .null,
                    "priority": .string(try row.decode("priority")),
                    "parameters": try JSONValue(parsing: try row.decode("parameters", as: PostgresJSON.self).text),
                    "maxRetries": .integer(Int64(try row.decode("max_retries", as: Int.self))),
                    "timeoutSeconds": .integer(Int64(try row.decode("timeout_seconds", as: Int.self))),
                    "misfirePolicy": .string(try row.decode("misfire_policy")),
                    "allowOverlap": .bool(try row.decode("allow_overlap")),
                ]
                for (name, value) in sample {
                    #expect(stored[name] == value, "\(name) stored as \(stored[name] ?? .null), sent \(value)")
                }
            }
            try await Self.expectWrongKindsRefused(
                client,
                pool,
                action: "createJob",
                input: Self.cronJob,
                declared: declared,
                wrap: { ["input": .object($0)] }
            )
        }
    }

    @Test func executeJobAndCancelJobTakeEveryDeclaredArgumentOfItsType() async throws {
        let types = try ActionInputTypes.load()
        let executeDeclared = try #require(types.argumentsOfAction["executeJob"])
        let cancelDeclared = try #require(types.argumentsOfAction["cancelJob"])
        Self.expectSamples([Self.executeArguments], cover: executeDeclared)
        Self.expectSamples([Self.cancelArguments], cover: cancelDeclared)

        try await TestService.withService(configure: HasuraWebhookTests.configure) { client, pool in
            try await pool.query(
                """
                INSERT INTO job (id, name, job_type, status, tenant_id, parameters)
                VALUES (\(UUID(uuidString: Self.jobID)!), 'target', 'system_health_check', 'paused', 'default',
                        '{"latencyWarningMs": 9000}')
                """
            )
            // Refusals first, while nothing runs that could change the tables between two snapshots.
            try await Self.expectWrongKindsRefused(
                client,
                pool,
                action: "executeJob",
                input: Self.executeArguments,
                declared: executeDeclared
            )
            try await Self.expectWrongKindsRefused(
                client,
                pool,
                action: "cancelJob",
                input: Self.cancelArguments,
                declared: cancelDeclared
            )
            let executed = try await Self.call(client, "executeJob", Self.executeArguments)
            #expect(executed.status == 200, "\(executed.text)")
            let execution = try await pool.query(
                "SELECT parameters, idempotency_key FROM job_execution WHERE trigger = 'manual'"
            )
            #expect(execution.count == 1)
            let parameters = try JSONValue(parsing: try execution[0].decode("parameters", as: PostgresJSON.self).text)
            #expect(parameters["latencyWarningMs"] == 2500, "the run's parameters override the job's")
            #expect(try execution[0].decode("idempotency_key", as: String?.self) == "run-2030-01-01")

            let cancelled = try await Self.call(client, "cancelJob", Self.cancelArguments)
            #expect(cancelled.status == 200, "\(cancelled.text)")
            let job = try await pool.query(
                "SELECT status, status_reason FROM job WHERE id = \(UUID(uuidString: Self.jobID)!)"
            )[0]
            #expect(try job.decode("status", as: String.self) == "cancelled")
            #expect(try job.decode("status_reason", as: String?.self) == "replaced by a new job")
        }
    }
}
