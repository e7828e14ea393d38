import Postgres

/// Tells apart a chunk the database refused because of one account's data, which is retried
/// account by account so the others still go through, from a failure of the database or of the
/// attempt itself, which fails the attempt for the engine to retry as a whole.
enum SavingsChunkIsolation {
    /// SQLSTATE classes that say nothing about the data: serialization failures and deadlocks (40),
    /// insufficient resources (53), operator intervention and cancels (57), connection trouble
    /// (08), lock not available (55).
    private static let transientClasses: Set<Substring> = ["40", "53", "57", "08", "55"]

    /// Whether `error` is the server refusing a statement for reasons of the data written.
    static func isAccountSpecific(_ error: any Error) -> Bool {
        guard let error = error as? PostgresError, error.code == .server, let state = error.sqlState else {
            return false
        }
        return !self.transientClasses.contains(state.prefix(2))
    }

    /// A reason safe to show in a result: the SQLSTATE and constraint, never the server's text,
    /// which may quote values.
    static func reason(for error: any Error) -> String {
        guard let error = error as? PostgresError else { return "\(error)" }
        var reason = "the database refused the account's writes (SQLSTATE \(error.sqlState ?? "none")"
        if let constraint = error.constraintName {
            reason += ", constraint \(constraint)"
        }
        return reason + ")"
    }
}
