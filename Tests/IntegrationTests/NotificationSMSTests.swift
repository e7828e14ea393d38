import FineractJobs
import Foundation
import JobsCore
import Postgres
import TestSupport
import Testing

@Suite(
    "SMS notifications against a loopback message gateway",
    .enabled(if: TestDatabase.isConfigured, "POSTGRES_HOST is not set; make test starts a PostgreSQL for these tests"),
    .timeLimit(.minutes(2))
)
struct NotificationSMSTests {
    struct Row {
        var status: Int
        var attempts: Int
        var error: String?
        var externalID: String?
        var claimed: Bool
        var dueLater: Bool
        var delivered: Bool
    }

    static func configuration(port: Int) -> NotificationConfiguration {
        var configuration = NotificationConfiguration()
        configuration.smsGatewayURL = "http://127.0.0.1:\(port)/sms"
        configuration.smsGatewayToken = "gateway-token"
        configuration.smsGatewayTimeout = .seconds(10)
        configuration.retry = NotificationRetryPolicy(maxAttempts: 3, base: .seconds(60), cap: .seconds(600))
        return configuration
    }

    @discardableResult
    static func insertSMS(
        _ pool: PostgresPool,
        to number: String = "+254700000001",
        message: String = "Your repayment is due tomorrow.",
        status: Int = 100,
        dueInSeconds: Int = 0,
        claimedBy: String? = nil,
        claimedSecondsAgo: Int = 0
    ) async throws -> Int64 {
        try await WorkerTestSupport.integer(
            pool,
            """
            INSERT INTO sms_messages_outbound
                (tenant_id, status_enum, mobile_no, message, next_attempt_at, claimed_by, claimed_at)
            VALUES ('default', \(status), \(number), \(message), now() + make_interval(secs => \(dueInSeconds)),
                    \(claimedBy),
                    CASE WHEN \(claimedBy)::text IS NULL THEN NULL ELSE now() - make_interval(secs => \(claimedSecondsAgo)) END)
            RETURNING id
            """
        )
    }

    static func row(_ pool: PostgresPool, _ id: Int64) async throws -> Row {
        let row = try await pool.query(
            """
            SELECT status_enum, attempt_count, last_error, external_id, claimed_by IS NOT NULL AS claimed,
                   next_attempt_at > now() AS due_later, delivered_on_date IS NOT NULL AS delivered
            FROM sms_messages_outbound WHERE id = \(id)
            """
        )[0]
        return Row(
            status: try row.decode("status_enum"),
            attempts: try row.decode("attempt_count"),
            error: try row.decode("last_error"),
            externalID: try row.decode("external_id"),
            claimed: try row.decode("claimed"),
            dueLater: try row.decode("due_later"),
            delivered: try row.decode("delivered")
        )
    }

    static func run(
        _ pool: PostgresPool,
        port: Int,
        parameters: [String: JSONValue] = [:]
    ) async throws -> JSONValue {
        try await SMSNotificationWorker(pool: pool, configuration: Self.configuration(port: port))
            .process(parameters: parameters, context: WorkerTestSupport.context())
    }

    @Test func handsABatchOverOnceWithItsIdempotencyKey() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            let gateway = SMSGatewayStub()
            try await withLoopbackHTTPServer(responder: gateway) { port in
                let first = try await Self.insertSMS(pool, to: "+254700000001", message: "Karibu")
                let second = try await Self.insertSMS(pool, to: "+254700000002", message: "Malipo yako – 1 200 KES")
                let third = try await Self.insertSMS(pool, to: "+254700000003")
                let result = try await Self.run(pool, port: port, parameters: ["providerId": 7])
                #expect(result["sent"] == 3)

                let requests = gateway.requests
                try #require(requests.count == 1)
                let request = requests[0]
                #expect(request.idempotencyKey == "default:\(first),\(second),\(third)")
                #expect(request.authorization == "Bearer gateway-token")
                #expect(request.tenantHeader == "default")
                #expect(
                    request.items[1]
                        == [
                            "internalId": .integer(second), "tenantId": "default", "mobileNumber": "+254700000002",
                            "message": "Malipo yako – 1 200 KES", "providerId": 7,
                        ]
                )
                #expect(gateway.sentCount == [first: 1, second: 1, third: 1])
                for id in [first, second, third] {
                    let row = try await Self.row(pool, id)
                    #expect(row.status == 200 && row.attempts == 1 && row.error == nil && !row.claimed)
                }
                let again = try await Self.run(pool, port: port)
                #expect(again["sent"] == 0)
                #expect(gateway.requests.count == 1)
            }
        }
    }

    @Test func aTransientGatewayFailureThenRecoveryDeliversEachMessageOnce() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            let gateway = SMSGatewayStub()
            gateway.fail(next: 1, status: 503)
            try await withLoopbackHTTPServer(responder: gateway) { port in
                let ids = [try await Self.insertSMS(pool), try await Self.insertSMS(pool, to: "+254700000009")]
                let first = try await Self.run(pool, port: port)
                #expect(first["retryLater"] == 2)
                for id in ids {
                    let row = try await Self.row(pool, id)
                    #expect(row.status == 100 && row.attempts == 1 && row.dueLater && !row.claimed)
                    #expect(row.error == "the SMS gateway could not take the batch now (HTTP 503)")
                }
                #expect(gateway.sentCount.isEmpty)

                try await pool.query("UPDATE sms_messages_outbound SET next_attempt_at = now()")
                let second = try await Self.run(pool, port: port)
                #expect(second["sent"] == 2)
                #expect(gateway.sentCount == [ids[0]: 1, ids[1]: 1])
                for id in ids {
                    let row = try await Self.row(pool, id)
                    #expect(row.status == 200 && row.attempts == 2 && row.error == nil)
                }
            }
        }
    }

    @Test func anUnreachableGatewayLeavesMessagesPendingWithTheError() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            let id = try await Self.insertSMS(pool)
            let result = try await Self.run(pool, port: try closedLoopbackPort())
            #expect(result["retryLater"] == 1)
            let row = try await Self.row(pool, id)
            #expect(row.status == 100 && row.attempts == 1 && row.dueLater && !row.claimed)
            #expect(row.error?.hasPrefix("SMS gateway unavailable") == true)
            #expect(row.error?.contains("127.0.0.1") == false)
        }
    }

    @Test func aRefusedBatchIsMarkedFailed() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            let gateway = SMSGatewayStub()
            gateway.fail(next: 1, status: 422)
            try await withLoopbackHTTPServer(responder: gateway) { port in
                let id = try await Self.insertSMS(pool)
                let result = try await Self.run(pool, port: port)
                #expect(result["failed"] == 1)
                let row = try await Self.row(pool, id)
                #expect(row.status == 400 && row.attempts == 1 && !row.claimed)
                #expect(row.error == "the SMS gateway refused the batch (HTTP 422)")
            }
        }
    }

    @Test func perMessageReportsSetEachMessagesStatus() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            let gateway = SMSGatewayStub()
            gateway.reply { ids in
                .array([
                    ["internalId": .integer(ids[0]), "deliveryStatus": 300, "externalId": "ext-1"],
                    ["internalId": .integer(ids[1]), "deliveryStatus": "FAILED", "errorMessage": "number barred"],
                    ["internalId": .integer(ids[2]), "deliveryStatus": 150, "externalId": "ext-3"],
                ])
            }
            try await withLoopbackHTTPServer(responder: gateway) { port in
                var ids: [Int64] = []
                for index in 1...4 {
                    ids.append(try await Self.insertSMS(pool, to: "+25470000001\(index)"))
                }
                let result = try await Self.run(pool, port: port)
                #expect(result["sent"] == 2)
                #expect(result["failed"] == 1)
                #expect(result["waitingForReport"] == 1)
                let delivered = try await Self.row(pool, ids[0])
                #expect(delivered.status == 300 && delivered.externalID == "ext-1" && delivered.delivered)
                let failed = try await Self.row(pool, ids[1])
                #expect(failed.status == 400 && failed.error == "number barred")
                let waiting = try await Self.row(pool, ids[2])
                #expect(waiting.status == 150 && waiting.externalID == "ext-3" && !waiting.claimed)
                // Not listed in the answer: the batch was accepted, so it counts as sent.
                #expect(try await Self.row(pool, ids[3]).status == 200)
            }
        }
    }

    /// After a run whose batch came back with every kind of answer (delivered, failed, sent, still
    /// waiting for its report) and with one message not yet due, a second run hands nothing over
    /// and leaves every Fineract table, the outbound queue row for row included, as it was.
    @Test func aSecondRunSendsNothingMoreAndChangesNoRow() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            let gateway = SMSGatewayStub()
            gateway.reply { ids in
                .array([
                    ["internalId": .integer(ids[0]), "deliveryStatus": 300, "externalId": "ext-1"],
                    ["internalId": .integer(ids[1]), "deliveryStatus": "FAILED", "errorMessage": "number barred"],
                    ["internalId": .integer(ids[2]), "deliveryStatus": 150, "externalId": "ext-3"],
                ])
            }
            try await withLoopbackHTTPServer(responder: gateway) { port in
                for index in 1...4 {
                    try await Self.insertSMS(pool, to: "+25470000003\(index)")
                }
                let notYetDue = try await Self.insertSMS(pool, to: "+254700000039", dueInSeconds: 3600)
                let first = try await Self.run(pool, port: port)
                #expect(first["sent"] == 2)
                #expect(first["failed"] == 1)
                #expect(first["waitingForReport"] == 1)
                #expect(gateway.requests.count == 1)
                let afterFirst = try await FineractSnapshot.take(pool)

                let second = try await Self.run(pool, port: port)
                #expect(second["sent"] == 0)
                #expect(gateway.requests.count == 1, "nothing more reached the gateway")
                #expect(gateway.sentCount.values.allSatisfy { $0 == 1 })
                let afterSecond = try await FineractSnapshot.take(pool)
                #expect(afterSecond == afterFirst, "\(afterSecond.difference(from: afterFirst))")
                #expect(try await Self.row(pool, notYetDue).status == 100)
            }
        }
    }

    @Test func anAbandonedHandOverIsResentAsTheSameBatchAndSentOnce() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            let gateway = SMSGatewayStub()
            try await withLoopbackHTTPServer(responder: gateway) { port in
                // A run marked these two 150 and POSTed them, and the gateway sent them; the run then
                // died before recording the answer. Its claim is an hour old.
                let dead = [
                    try await Self.insertSMS(pool, status: 150, claimedBy: "dead-node/run", claimedSecondsAgo: 3600),
                    try await Self.insertSMS(pool, status: 150, claimedBy: "dead-node/run", claimedSecondsAgo: 3600),
                ]
                // One statement stamps a batch's claim, so its rows share claimed_at to the microsecond.
                try await pool.query(
                    """
                    UPDATE sms_messages_outbound SET claimed_at = now() - interval '1 hour'
                    WHERE id IN (\(dead[0]), \(dead[1]))
                    """
                )
                let key = "default:\(dead[0]),\(dead[1])"
                gateway.remember(key: key, sending: dead)
                // A hand-over in flight right now, by a live run: not to be touched.
                let live = try await Self.insertSMS(pool, status: 150, claimedBy: "live-node/run", claimedSecondsAgo: 5)

                let result = try await Self.run(pool, port: port)
                #expect(result["recoveredBatches"] == 1)
                #expect(result["sent"] == 2)
                #expect(gateway.requests.map(\.idempotencyKey) == [key])
                #expect(gateway.sentCount == [dead[0]: 1, dead[1]: 1])
                for id in dead {
                    let row = try await Self.row(pool, id)
                    #expect(row.status == 200 && row.attempts == 1 && !row.claimed)
                }
                let untouched = try await Self.row(pool, live)
                #expect(untouched.status == 150 && untouched.claimed && untouched.attempts == 0)
            }
        }
    }

    @Test func onlyPendingDueMessagesAreEverHandedOver() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            let gateway = SMSGatewayStub()
            try await withLoopbackHTTPServer(responder: gateway) { port in
                try await Self.insertSMS(pool, status: 150)
                try await Self.insertSMS(pool, status: 150, claimedBy: "live-node/run", claimedSecondsAgo: 5)
                for status in [200, 300, 400] {
                    try await Self.insertSMS(pool, status: status)
                }
                try await Self.insertSMS(pool, dueInSeconds: 3600)
                try await Self.insertSMS(pool, claimedBy: "live-node/run", claimedSecondsAgo: 5)
                let result = try await Self.run(pool, port: port)
                #expect(result["sent"] == 0)
                #expect(gateway.requests.isEmpty)
                let changed = try await WorkerTestSupport.integer(
                    pool,
                    "SELECT count(*) FROM sms_messages_outbound WHERE attempt_count > 0"
                )
                #expect(changed == 0)
            }
        }
    }

    @Test func batchesAreCutAtTheBatchSize() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            let gateway = SMSGatewayStub()
            try await withLoopbackHTTPServer(responder: gateway) { port in
                var ids: [Int64] = []
                for index in 1...5 {
                    ids.append(try await Self.insertSMS(pool, to: "+25470000002\(index)"))
                }
                let result = try await Self.run(pool, port: port, parameters: ["batchSize": 2])
                #expect(result["sent"] == 5)
                #expect(
                    gateway.requests.map(\.idempotencyKey) == [
                        "default:\(ids[0]),\(ids[1])", "default:\(ids[2]),\(ids[3])", "default:\(ids[4])",
                    ]
                )
            }
        }
    }
}
