import Foundation
import Logging
import Postgres
import TestSupport
import Testing

@Suite(
    "PostgreSQL layer",
    .enabled(if: TestDatabase.isConfigured, "POSTGRES_HOST is not set; make test starts a PostgreSQL for these tests"),
    .timeLimit(.minutes(2))
)
struct PostgresLayerTests {
    @Test func decodesEveryColumnTypeItSupports() async throws {
        try await TestDatabase.withEmptyDatabase { pool, _ in
            let rows = try await pool.query(
                """
                SELECT 'héllo'::text AS text, 42::int4 AS int4, 9007199254740993::int8 AS int8,
                       1234567890123.123456::numeric(19,6) AS money, true AS flag,
                       '2024-05-01 10:00:00.123456+03'::timestamptz AS at, '2024-02-29'::date AS day,
                       '3f6c2b8e-0d4a-4c1b-9a77-5e2d8f1c4b90'::uuid AS id, '{"a": [1, 2]}'::jsonb AS doc,
                       NULL::text AS missing
                """
            )
            let row = try #require(rows.first)
            #expect(try row.decode("text", as: String.self) == "héllo")
            #expect(try row.decode("int4", as: Int.self) == 42)
            #expect(try row.decode("int8", as: Int64.self) == 9_007_199_254_740_993)
            #expect(try row.decode("money", as: Decimal.self) == Decimal(string: "1234567890123.123456"))
            #expect(try row.decode("flag", as: Bool.self))
            let at = try row.decode("at", as: Date.self)
            #expect(abs(at.timeIntervalSince1970 - 1_714_546_800.123456) < 0.000_001)
            #expect(try row.decode("day", as: PostgresDate.self) == PostgresDate(year: 2024, month: 2, day: 29))
            #expect(try row.decode("id", as: UUID.self) == UUID(uuidString: "3f6c2b8e-0d4a-4c1b-9a77-5e2d8f1c4b90"))
            #expect(try row.decode("doc", as: PostgresJSON.self).text == #"{"a": [1, 2]}"#)
            #expect(try row.decode("missing", as: String?.self) == nil)
            #expect(throws: PostgresError.self) { try row.decode("missing", as: String.self) }
        }
    }

    @Test func bindsValuesAsParametersNeverAsSQL() async throws {
        try await TestDatabase.withEmptyDatabase { pool, _ in
            try await pool.query("CREATE TABLE note (body text, at timestamptz, amount numeric)")
            let hostile = "'); DROP TABLE note; --"
            let instant = Date(timeIntervalSince1970: 1_700_000_000.25)
            let amount = Decimal(string: "0.1")! + Decimal(string: "0.2")!
            try await pool.query("INSERT INTO note VALUES (\(hostile), \(instant), \(amount))")
            let row = try #require(try await pool.query("SELECT body, at, amount FROM note").first)
            #expect(try row.decode("body", as: String.self) == hostile)
            #expect(try row.decode("at", as: Date.self) == instant)
            #expect(try row.decode("amount", as: Decimal.self) == Decimal(string: "0.3"))
        }
    }

    /// Appended fragments keep their values in order: their placeholders follow the query's own, in
    /// text that is not ASCII too, and fragments without values are appended as they are.
    @Test func appendedQueriesRenumberTheirPlaceholders() async throws {
        try await TestDatabase.withEmptyDatabase { pool, _ in
            var query: PostgresQuery = "SELECT \(1) AS one, 'é' AS accent, "
            query.append("\(2) AS two, \(3)::text || 'ü' AS three, ")
            query.append("'$ in a literal is kept when nothing is bound' AS plain, ")
            query.append("\(4) AS four")
            #expect(query.bindings == ["1", "2", "3", "4"])
            #expect(query.sql.contains("$4 AS four"))
            let row = try #require(try await pool.query(query).first)
            #expect(try row.decode("one", as: Int.self) == 1)
            #expect(try row.decode("accent", as: String.self) == "é")
            #expect(try row.decode("two", as: Int.self) == 2)
            #expect(try row.decode("three", as: String.self) == "3ü")
            #expect(try row.decode("four", as: Int.self) == 4)
        }
    }

    @Test func valueWithANulCharacterIsRefusedRatherThanCutShort() async throws {
        try await TestDatabase.withEmptyDatabase { pool, _ in
            try await pool.query("CREATE TABLE note (body text)")
            let error = await #expect(throws: PostgresError.self) {
                try await pool.query("INSERT INTO note VALUES (\("before\u{0}after"))")
            }
            #expect(error?.code == .unencodableParameter)
            #expect(error?.message.contains("$1") == true)
            let rows = try await pool.query("SELECT count(*) AS n FROM note")
            #expect(try rows[0].decode("n", as: Int64.self) == 0)
        }
    }

    @Test func serverErrorsCarrySQLStateWithoutLeakingSQL() async throws {
        try await TestDatabase.withEmptyDatabase { pool, _ in
            try await pool.query("CREATE TABLE unique_thing (name text PRIMARY KEY)")
            try await pool.query("INSERT INTO unique_thing VALUES (\("secret-value"))")
            let error = try await #require(throws: PostgresError.self) {
                try await pool.query("INSERT INTO unique_thing VALUES (\("secret-value"))")
            }
            #expect(error.isUniqueViolation)
            #expect(error.constraintName == "unique_thing_pkey")
            #expect(!error.description.contains("INSERT"))
            #expect(!error.description.contains("secret-value"))
            #expect(String(reflecting: error).contains("23505"))
        }
    }

    @Test func transactionRollsBackWhenTheBodyThrows() async throws {
        struct Abort: Error {}
        try await TestDatabase.withEmptyDatabase { pool, _ in
            try await pool.query("CREATE TABLE ledger (amount int)")
            await #expect(throws: Abort.self) {
                try await pool.withTransaction { connection in
                    try await connection.query("INSERT INTO ledger VALUES (1)")
                    throw Abort()
                }
            }
            try await pool.withTransaction { connection in
                try await connection.query("INSERT INTO ledger VALUES (2)")
            }
            let rows = try await pool.query("SELECT amount FROM ledger")
            #expect(try rows.map { try $0.decode("amount", as: Int.self) } == [2])
        }
    }

    @Test func poolNeverOpensMoreConnectionsThanItsBound() async throws {
        try await TestDatabase.withEmptyDatabase { _, configuration in
            let pool = PostgresPool(configuration: configuration, maximumConnections: 3, logger: Self.logger)
            defer { pool.shutDown() }
            let pids = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        let rows = try await pool.query("SELECT pg_backend_pid() AS pid, pg_sleep(0.02)")
                        return try rows[0].decode("pid", as: Int.self)
                    }
                }
                var seen = Set<Int>()
                for try await pid in group { seen.insert(pid) }
                return seen
            }
            #expect(pids.count <= 3)
            #expect(pids.count >= 1)
        }
    }

    @Test func reconnectsAfterItsConnectionsAreKilled() async throws {
        try await TestDatabase.withEmptyDatabase { pool, configuration in
            let first = try await pool.query("SELECT pg_backend_pid() AS pid")[0].decode("pid", as: Int.self)
            // What a server restart does to every session: the backend goes away under the client.
            try await TestDatabase.withEmptyDatabase { killer, _ in
                try await killer.query("SELECT pg_terminate_backend(\(first))")
            }
            try await Task.sleep(for: .milliseconds(100))
            let second = try await pool.query("SELECT pg_backend_pid() AS pid")[0].decode("pid", as: Int.self)
            #expect(second != first)
        }
    }

    @Test func cancellingTheTaskCancelsTheStatement() async throws {
        try await TestDatabase.withEmptyDatabase { pool, _ in
            let clock = ContinuousClock()
            let started = clock.now
            let task = Task {
                try await pool.query("SELECT pg_sleep(30)")
            }
            try await Task.sleep(for: .milliseconds(200))
            task.cancel()
            let result = await task.result
            #expect(throws: PostgresError.self) { try result.get() }
            #expect(clock.now - started < .seconds(10))
            // The pool still works afterwards.
            #expect(try await pool.query("SELECT 1 AS one")[0].decode("one", as: Int.self) == 1)
        }
    }

    @Test func listenerDeliversNotifications() async throws {
        try await TestDatabase.withEmptyDatabase { pool, configuration in
            let listener = PostgresListener(
                configuration: configuration,
                channels: ["test_channel"],
                logger: Self.logger
            )
            let listening = Task { await listener.run() }
            defer { listening.cancel() }
            var iterator = listener.events.makeAsyncIterator()
            #expect(await iterator.next() == .listening)
            try await pool.query("SELECT pg_notify('test_channel', \("payload-1"))")
            let event = await iterator.next()
            #expect(event == .notification(PostgresNotification(channel: "test_channel", payload: "payload-1")))
        }
    }

    static let logger = Logger(label: "test", level: .warning, handler: StreamLogHandler(format: .text))
}
