import Foundation
import Postgres

/// The full contents of every Fineract table of a test database (every table of the schema but
/// the engine's own and the jobs' run ledger), read in one statement, so in one consistent view.
///
/// Each row is the text of `to_jsonb(row)`, every column included, so two snapshots are equal only
/// when no row was inserted, deleted or changed in any column: comparing the snapshots taken
/// around a job's second run shows that it left the data exactly as the first run did.
struct FineractSnapshot: Equatable, Sendable {
    /// The engine's tables, which record executions rather than the bank's data.
    static let engineTables: Set<String> = [
        "job", "job_config", "job_execution", "job_execution_attempt", "job_lock", "job_node", "job_probe_attempt",
        "hasura_event_receipt",
    ]
    /// `job_run`, the date-scoped jobs' own ledger: a forced repeat adds its row there by design.
    static let runLedger = "job_run"

    /// Rows per table, each table's rows in the order of their text.
    var rows: [String: [String]]

    /// Takes the snapshot; `including` adds tables left out by default (the run ledger, the engine's).
    static func take(_ pool: PostgresPool, including extra: Set<String> = []) async throws -> FineractSnapshot {
        let names: [String] = try await pool.query(
            """
            SELECT table_name::text AS name FROM information_schema.tables
            WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1
            """
        ).map { try $0.decode("name") }
        let tables = names.filter { extra.contains($0) || !(Self.engineTables.contains($0) || $0 == Self.runLedger) }
        // The names come from the catalog, not from input, and are quoted as identifiers.
        let columns = tables.map { table in
            "(SELECT coalesce(jsonb_agg(to_jsonb(t)::text ORDER BY to_jsonb(t)::text), '[]') FROM \"\(table)\" t)::text"
                + " AS \"\(table)\""
        }
        let row = try await pool.query(PostgresQuery(unsafeSQL: "SELECT " + columns.joined(separator: ", ")))[0]
        var rows: [String: [String]] = [:]
        for table in tables {
            let text: String = try row.decode(table)
            rows[table] = try JSONDecoder().decode([String].self, from: Data(text.utf8))
        }
        return FineractSnapshot(rows: rows)
    }

    subscript(table: String) -> [String] {
        self.rows[table] ?? []
    }

    /// The tables whose contents differ from `earlier`.
    func changedTables(since earlier: FineractSnapshot) -> [String] {
        Set(self.rows.keys).union(earlier.rows.keys).sorted().filter { self[$0] != earlier[$0] }
    }

    /// A readable account of what changed since `earlier` (at most `limit` rows), for failure messages.
    func difference(from earlier: FineractSnapshot, limit: Int = 20) -> String {
        let lines = self.changedTables(since: earlier).flatMap { table in
            let before = Set(earlier[table])
            let after = Set(self[table])
            return earlier[table].filter { !after.contains($0) }.map { "\(table) - \($0)" }
                + self[table].filter { !before.contains($0) }.map { "\(table) + \($0)" }
        }
        guard !lines.isEmpty else { return "no change" }
        return lines.prefix(limit).joined(separator: "\n")
            + (lines.count > limit ? "\n… \(lines.count - limit) more" : "")
    }

    /// How many rows `table` holds.
    func count(_ table: String) -> Int {
        self[table].count
    }
}
