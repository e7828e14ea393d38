import FineractJobs
import Foundation
import HTTPClient
import JobsCore
import Postgres
import TestSupport
import Testing

@Suite(
    "E-mail notifications against a real SMTP server",
    .enabled(if: TestDatabase.isConfigured, "POSTGRES_HOST is not set; make test starts a PostgreSQL for these tests"),
    .enabled(if: SMTPTestServer.isAvailable, "Python's aiosmtpd is not installed (make test installs it with pip)"),
    .timeLimit(.minutes(2))
)
struct NotificationEmailTests {
    struct Row {
        var status: Int
        var attempts: Int
        var error: String?
        var claimed: Bool
        var dueLater: Bool
    }

    static func configuration(url: String) -> NotificationConfiguration {
        var configuration = NotificationConfiguration()
        configuration.smtp = SMTPClient.Configuration(url: url, transportSecurity: .none, timeout: .seconds(10))
        configuration.emailFrom = EmailAddress("bank@example.org")
        configuration.retry = NotificationRetryPolicy(maxAttempts: 3, base: .seconds(60), cap: .seconds(600))
        return configuration
    }

    @discardableResult
    static func insertEmail(
        _ pool: PostgresPool,
        to address: String,
        subject: String = "Repayment due",
        message: String = "Your repayment is due tomorrow.",
        status: Int = 100,
        dueInSeconds: Int = 0,
        claimedBy: String? = nil,
        claimedSecondsAgo: Int = 0
    ) async throws -> Int64 {
        try await WorkerTestSupport.integer(
            pool,
            """
            INSERT INTO scheduled_email_messages_outbound
                (tenant_id, status_enum, email_address, email_subject, message, next_attempt_at, claimed_by, claimed_at)
            VALUES ('default', \(status), \(address), \(subject), \(message),
                    now() + make_interval(secs => \(dueInSeconds)), \(claimedBy),
                    CASE WHEN \(claimedBy)::text IS NULL THEN NULL ELSE now() - make_interval(secs => \(claimedSecondsAgo)) END)
            RETURNING id
            """
        )
    }

    static func row(_ pool: PostgresPool, _ id: Int64) async throws -> Row {
        let row = try await pool.query(
            """
            SELECT status_enum, attempt_count, error_message, claimed_by IS NOT NULL AS claimed,
                   next_attempt_at > now() AS due_later
            FROM scheduled_email_messages_outbound WHERE id = \(id)
            """
        )[0]
        return Row(
            status: try row.decode("status_enum"),
            attempts: try row.decode("attempt_count"),
            error: try row.decode("error_message"),
            claimed: try row.decode("claimed"),
            dueLater: try row.decode("due_later")
        )
    }

    /// Stands in for the passing of time: every pending message is due now.
    static func makeEverythingDue(_ pool: PostgresPool) async throws {
        try await pool.query(
            "UPDATE scheduled_email_messages_outbound SET next_attempt_at = now() WHERE status_enum = 100"
        )
    }

    @Test func deliversPendingEmailsWithTheirHeadersAndBody() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            try await SMTPTestServer.withServer { server in
                let plain = try await Self.insertEmail(pool, to: "jane@example.net", message: "Line one\nLine two\n")
                let accented = try await Self.insertEmail(
                    pool,
                    to: "joao@example.com.br",
                    subject: "Échéance de remboursement – prêt n° 42",
                    message: "Montant dû : 125,50 €"
                )
                let worker = EmailNotificationWorker(pool: pool, configuration: Self.configuration(url: server.url))
                let result = try await worker.process(parameters: [:], context: WorkerTestSupport.context())
                #expect(result["sent"] == 2)
                #expect(result["failed"] == 0)

                let received = try server.received()
                try #require(received.count == 2)
                let first = received[0]
                #expect(first.mailFrom == "bank@example.org")
                #expect(first.rcptTos == ["jane@example.net"])
                #expect(first.headers["From"] == "bank@example.org")
                #expect(first.headers["To"] == "jane@example.net")
                #expect(first.headers["Subject"] == "Repayment due")
                #expect(first.headers["Message-ID"] == "<fineract-jobs.default.\(plain)@example.org>")
                #expect(first.headers["MIME-Version"] == "1.0")
                #expect(first.rawText.contains("\r\nContent-Type: text/plain; charset=UTF-8\r\n"))
                #expect(first.rawText.contains("\r\nContent-Transfer-Encoding: base64\r\n"))
                #expect(first.headers["Date"]?.hasSuffix("+0000") == true)
                // The body travels in canonical form, its line breaks as CRLF.
                #expect(first.body == "Line one\r\nLine two\r\n")

                let second = received[1]
                #expect(second.headers["Subject"] == "Échéance de remboursement – prêt n° 42")
                #expect(second.rawText.contains("Subject: =?UTF-8?B?"))
                #expect(second.headers["Message-ID"] == "<fineract-jobs.default.\(accented)@example.org>")
                #expect(second.body.trimmingCharacters(in: .newlines) == "Montant dû : 125,50 €")

                for id in [plain, accented] {
                    let row = try await Self.row(pool, id)
                    #expect(row.status == 200)
                    #expect(row.attempts == 1)
                    #expect(row.error == nil)
                    #expect(!row.claimed)
                }
            }
        }
    }

    @Test func aServerFailingTransientlyThenRecoveringGetsEachMessageExactlyOnce() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            // The first two DATA commands are answered 451; everything after is accepted.
            try await SMTPTestServer.withServer(transientFailures: 2) { server in
                var ids: [Int64] = []
                for index in 1...3 {
                    ids.append(
                        try await Self.insertEmail(pool, to: "client\(index)@example.net", subject: "Notice \(index)")
                    )
                }
                let worker = EmailNotificationWorker(pool: pool, configuration: Self.configuration(url: server.url))

                let first = try await worker.process(parameters: [:], context: WorkerTestSupport.context())
                #expect(first["sent"] == 1)
                #expect(first["retryLater"] == 2)
                for id in ids.prefix(2) {
                    let row = try await Self.row(pool, id)
                    #expect(row.status == 100)
                    #expect(row.attempts == 1)
                    #expect(row.error == "the SMTP server deferred the message (reply 451)")
                    #expect(row.dueLater)
                    #expect(!row.claimed)
                }
                #expect(try await Self.row(pool, ids[2]).status == 200)

                // Before the back-off has passed, a run finds nothing due.
                let early = try await worker.process(parameters: [:], context: WorkerTestSupport.context())
                #expect(early["sent"] == 0 && early["retryLater"] == 0)

                try await Self.makeEverythingDue(pool)
                let second = try await worker.process(parameters: [:], context: WorkerTestSupport.context())
                #expect(second["sent"] == 2)
                let third = try await worker.process(parameters: [:], context: WorkerTestSupport.context())
                #expect(third["sent"] == 0)

                let subjects = try server.received().compactMap { $0.headers["Subject"] }
                #expect(subjects.sorted() == ["Notice 1", "Notice 2", "Notice 3"])
                #expect(try await Self.row(pool, ids[0]).attempts == 2)
                #expect(try await Self.row(pool, ids[1]).attempts == 2)
                #expect(try await Self.row(pool, ids[2]).attempts == 1)
            }
        }
    }

    @Test func anUnreachableServerLeavesMessagesPendingWithTheError() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            let port = try closedLoopbackPort()
            let ids = [
                try await Self.insertEmail(pool, to: "a@example.net"),
                try await Self.insertEmail(pool, to: "b@example.net"),
            ]
            let worker = EmailNotificationWorker(
                pool: pool,
                configuration: Self.configuration(url: "smtp://127.0.0.1:\(port)")
            )
            let result = try await worker.process(parameters: [:], context: WorkerTestSupport.context())
            #expect(result["sent"] == 0)
            #expect(result["retryLater"] == 2)
            for id in ids {
                let row = try await Self.row(pool, id)
                #expect(row.status == 100)
                #expect(row.attempts == 1)
                #expect(row.error?.hasPrefix("SMTP server unavailable") == true)
                #expect(row.error?.contains("127.0.0.1") == false)
                #expect(row.dueLater)
                #expect(!row.claimed)
            }
        }
    }

    @Test func aPermanentRefusalMarksOnlyThatMessageFailed() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            try await SMTPTestServer.withServer(refusedSuffix: "@refused.example.org") { server in
                let refused = try await Self.insertEmail(pool, to: "nobody@refused.example.org")
                let fine = try await Self.insertEmail(pool, to: "somebody@example.net")
                let worker = EmailNotificationWorker(pool: pool, configuration: Self.configuration(url: server.url))
                let result = try await worker.process(parameters: [:], context: WorkerTestSupport.context())
                #expect(result["failed"] == 1)
                #expect(result["sent"] == 1)
                let row = try await Self.row(pool, refused)
                #expect(row.status == 400)
                #expect(row.attempts == 1)
                #expect(row.error == "the SMTP server refused the message (reply 550)")
                #expect(try await Self.row(pool, fine).status == 200)
                #expect(try server.received().map(\.rcptTos) == [["somebody@example.net"]])
            }
        }
    }

    @Test func theLastFailedAttemptMarksTheMessageFailed() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            try await SMTPTestServer.withServer(transientFailures: 5) { server in
                let id = try await Self.insertEmail(pool, to: "jane@example.net")
                let worker = EmailNotificationWorker(pool: pool, configuration: Self.configuration(url: server.url))
                _ = try await worker.process(parameters: ["maxAttempts": 2], context: WorkerTestSupport.context())
                #expect(try await Self.row(pool, id).status == 100)
                try await Self.makeEverythingDue(pool)
                let result = try await worker.process(
                    parameters: ["maxAttempts": 2],
                    context: WorkerTestSupport.context()
                )
                #expect(result["failed"] == 1)
                let row = try await Self.row(pool, id)
                #expect(row.status == 400)
                #expect(row.attempts == 2)
                #expect(row.error == "gave up after 2 attempts: the SMTP server deferred the message (reply 451)")
                #expect(try server.received().isEmpty)
            }
        }
    }

    @Test func onlyDuePendingUnclaimedMessagesAreSentAndUnusableAddressesWait() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            try await SMTPTestServer.withServer { server in
                for status in [200, 300, 400] {
                    try await Self.insertEmail(pool, to: "status\(status)@example.net", status: status)
                }
                let notYetDue = try await Self.insertEmail(pool, to: "later@example.net", dueInSeconds: 3600)
                let heldByLiveRun = try await Self.insertEmail(
                    pool,
                    to: "held@example.net",
                    claimedBy: "other-node/run",
                    claimedSecondsAgo: 10
                )
                let abandoned = try await Self.insertEmail(
                    pool,
                    to: "abandoned@example.net",
                    claimedBy: "dead-node/run",
                    claimedSecondsAgo: 3600
                )
                let unusable = try await Self.insertEmail(pool, to: "not an address")
                let worker = EmailNotificationWorker(pool: pool, configuration: Self.configuration(url: server.url))
                let result = try await worker.process(parameters: [:], context: WorkerTestSupport.context())
                #expect(result["sent"] == 1)
                #expect(result["skippedInvalid"] == 1)
                #expect(result["invalidIds"] == [.integer(unusable)])
                #expect(try server.received().map(\.rcptTos) == [["abandoned@example.net"]])
                #expect(try await Self.row(pool, abandoned).status == 200)
                #expect(try await Self.row(pool, notYetDue).status == 100)
                let held = try await Self.row(pool, heldByLiveRun)
                #expect(held.status == 100 && held.claimed && held.attempts == 0)
                let waiting = try await Self.row(pool, unusable)
                #expect(waiting.status == 100 && waiting.attempts == 0 && !waiting.claimed)
                #expect(waiting.error == "not sent: the e-mail address cannot be used")
                let untouched = try await pool.query(
                    "SELECT count(*) AS n FROM scheduled_email_messages_outbound WHERE status_enum IN (200, 300, 400) AND attempt_count = 0"
                )
                #expect(try untouched[0].decode("n", as: Int64.self) == 3)
            }
        }
    }

    /// Once a run has sent what it could, refused what the server refused for good and left what
    /// must wait, a second run sends nothing more and leaves every Fineract table, the outbound
    /// queue row for row included, as the first run left it.
    @Test func aSecondRunSendsNothingMoreAndChangesNoRow() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            try await SMTPTestServer.withServer(refusedSuffix: "@refused.example.org") { server in
                try await Self.insertEmail(pool, to: "jane@example.net")
                try await Self.insertEmail(pool, to: "joao@example.com.br")
                try await Self.insertEmail(pool, to: "nobody@refused.example.org")
                let notYetDue = try await Self.insertEmail(pool, to: "later@example.net", dueInSeconds: 3600)
                let unusable = try await Self.insertEmail(pool, to: "not an address")
                let worker = EmailNotificationWorker(pool: pool, configuration: Self.configuration(url: server.url))
                let first = try await worker.process(parameters: [:], context: WorkerTestSupport.context())
                #expect(first["sent"] == 2)
                #expect(first["failed"] == 1)
                #expect(first["skippedInvalid"] == 1)
                let delivered = try server.received().count
                #expect(delivered == 2)
                let afterFirst = try await FineractSnapshot.take(pool)

                let second = try await worker.process(parameters: [:], context: WorkerTestSupport.context())
                #expect(second["sent"] == 0)
                #expect(second["failed"] == 0)
                #expect(try server.received().count == delivered, "nothing more reached the server")
                let afterSecond = try await FineractSnapshot.take(pool)
                #expect(afterSecond == afterFirst, "\(afterSecond.difference(from: afterFirst))")
                #expect(try await Self.row(pool, notYetDue).status == 100)
                #expect(try await Self.row(pool, unusable).status == 100)
            }
        }
    }

    @Test func aChunkSendsOnlyTheMessagesInItsIdRange() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            try await SMTPTestServer.withServer { server in
                var ids: [Int64] = []
                for index in 1...4 {
                    ids.append(try await Self.insertEmail(pool, to: "c\(index)@example.net"))
                }
                let worker = EmailNotificationWorker(pool: pool, configuration: Self.configuration(url: server.url))
                let result = try await worker.process(
                    parameters: ["chunk": ["fromId": .integer(ids[1]), "toId": .integer(ids[2])]],
                    context: WorkerTestSupport.context()
                )
                #expect(result["sent"] == 2)
                #expect(try server.received().flatMap(\.rcptTos) == ["c2@example.net", "c3@example.net"])
                #expect(try await Self.row(pool, ids[0]).status == 100)
                #expect(try await Self.row(pool, ids[3]).status == 100)

                // Without a chunk, chunks of one id each cover the rest in turn.
                let rest = try await worker.process(parameters: ["chunkSize": 1], context: WorkerTestSupport.context())
                #expect(rest["sent"] == 2)
            }
        }
    }

    @Test func badParametersAndAMissingTenantAreNotRetried() async throws {
        try await TestDatabase.withMigratedDatabase { pool, _ in
            let worker = EmailNotificationWorker(
                pool: pool,
                configuration: Self.configuration(url: "smtp://127.0.0.1:1")
            )
            for parameters: [String: JSONValue] in [
                ["batchSize": 0], ["from": "not an address"], ["chunk": ["fromId": 5, "toId": 1]], ["maxAttempts": "x"],
            ] {
                let error = try await #require(throws: JobWorkerError.self) {
                    try await worker.process(parameters: parameters, context: WorkerTestSupport.context())
                }
                #expect(!error.isRetryable)
                #expect(error.code == "invalid_parameter")
                #expect(error.message.contains(parameters.keys.first!))
            }
            let noTenant = try await #require(throws: JobWorkerError.self) {
                try await worker.process(parameters: [:], context: WorkerTestSupport.context(tenantID: nil))
            }
            #expect(noTenant.code == "tenant_required" && !noTenant.isRetryable)
            let unconfigured = EmailNotificationWorker(pool: pool, configuration: NotificationConfiguration())
            let error = try await #require(throws: JobWorkerError.self) {
                try await unconfigured.process(parameters: [:], context: WorkerTestSupport.context())
            }
            #expect(error.code == "smtp_not_configured")
        }
    }
}
