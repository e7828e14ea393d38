import Foundation
import JobsCore
import Postgres

/// The full contents of the tables a Hasura call can write, read in one statement (so in one
/// consistent view), each row as the JSON of `to_jsonb(row)`.
///
/// Two snapshots are equal only when every column of every row is equal, timestamps included, so
/// comparing the snapshots taken around a request proves that it wrote nothing at all.
struct DatabaseSnapshot: Equatable, Sendable {
    /// The tables, in the order they are reported.
    static let tables = [
        "job", "job_execution", "job_execution_attempt", "job_lock", "job_queue", "hasura_event_receipt",
    ]

    /// Rows per table, ordered by primary key.
    var rows: [String: [JSONValue]]

    static func take(_ pool: PostgresPool) async throws -> DatabaseSnapshot {
        let row = try await pool.query(
            """
            SELECT
                (SELECT coalesce(jsonb_agg(to_jsonb(t) ORDER BY t.id), '[]') FROM job t)::text AS job,
                (SELECT coalesce(jsonb_agg(to_jsonb(t) ORDER BY t.id), '[]') FROM job_execution t)::text
                    AS job_execution,
                (SELECT coalesce(jsonb_agg(to_jsonb(t) ORDER BY t.execution_id, t.attempt), '[]')
                 FROM job_execution_attempt t)::text AS job_execution_attempt,
                (SELECT coalesce(jsonb_agg(to_jsonb(t) ORDER BY t.execution_id), '[]') FROM job_lock t)::text
                    AS job_lock,
                (SELECT coalesce(jsonb_agg(to_jsonb(t) ORDER BY t.execution_id), '[]') FROM job_queue t)::text
                    AS job_queue,
                (SELECT coalesce(jsonb_agg(to_jsonb(t) ORDER BY t.event_id), '[]') FROM hasura_event_receipt t)::text
                    AS hasura_event_receipt
            """
        )[0]
        var rows: [String: [JSONValue]] = [:]
        for table in Self.tables {
            let text: String = try row.decode(table)
            rows[table] = try JSONValue(parsing: Data(text.utf8)).arrayValue ?? []
        }
        return DatabaseSnapshot(rows: rows)
    }

    subscript(table: String) -> [JSONValue] {
        self.rows[table] ?? []
    }

    /// The rows of `table` that are not in `earlier`: inserted rows and the new versions of changed ones.
    func added(in table: String, since earlier: DatabaseSnapshot) -> [JSONValue] {
        self[table].filter { !earlier[table].contains($0) }
    }

    /// The rows of `table` that are gone since `earlier`: deleted rows and the old versions of changed ones.
    func removed(in table: String, since earlier: DatabaseSnapshot) -> [JSONValue] {
        earlier[table].filter { !self[table].contains($0) }
    }

    /// The tables whose contents differ from `earlier`.
    func changedTables(since earlier: DatabaseSnapshot) -> [String] {
        Self.tables.filter { self[$0] != earlier[$0] }
    }

    /// A readable account of what changed since `earlier`, for failure messages.
    func difference(from earlier: DatabaseSnapshot) -> String {
        let lines = self.changedTables(since: earlier).flatMap { table in
            self.removed(in: table, since: earlier).map { "\(table) - \($0.serialized())" }
                + self.added(in: table, since: earlier).map { "\(table) + \($0.serialized())" }
        }
        return lines.isEmpty ? "no change" : lines.joined(separator: "\n")
    }
}
