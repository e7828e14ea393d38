import Postgres

/// Cuts a tenant's candidate rows into id ranges, so a worker's per-entity work can run one range
/// at a time, in this process or (later) in child executions on any node.
///
/// Like Fineract's COB partitioner: the candidates are numbered in id order and every `chunkSize`
/// consecutive ones form a range from the first id to the last. Ranges never overlap, and rows that
/// become candidates later fall into a range only if their id lies inside it.
enum IDChunking {
    /// The id ranges of the rows of `table` for `tenantID` that match `condition`, in id order.
    ///
    /// - Parameters:
    ///   - table: a table name the program wrote (never input).
    ///   - condition: a program-written predicate over the table's columns, with bound values.
    static func ranges(
        pool: PostgresPool,
        table: String,
        tenantID: String,
        condition: PostgresQuery,
        chunkSize: Int64
    ) async throws -> [ClosedRange<Int64>] {
        var query: PostgresQuery = """
            SELECT min(id) AS from_id, max(id) AS to_id
            FROM (SELECT id, (row_number() OVER (ORDER BY id) - 1) / \(chunkSize) AS chunk
                  FROM \(unescaped: table) WHERE tenant_id = \(tenantID) AND (
            """
        query.append(condition)
        query.append(")) AS numbered GROUP BY chunk ORDER BY chunk")
        let rows = try await pool.query(query)
        return try rows.map { row in
            let from: Int64 = try row.decode("from_id")
            let to: Int64 = try row.decode("to_id")
            return from...to
        }
    }
}
