/// A failure talking to PostgreSQL: connecting, running a statement, or decoding a result.
///
/// `description` is deliberately generic and safe to show to anyone: it never carries SQL, bound
/// values or connection strings. The server's fields (SQLSTATE, severity, primary message, detail,
/// hint) are kept for logs and for callers that branch on a SQLSTATE, such as a unique violation.
public struct PostgresError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String {
            case connectionFailed
            case connectionClosed
            case server
            case protocolViolation
            case decoding
            case poolShutDown
            case cancelled
            case embeddedCluster
            case migration
            case unencodableParameter
        }

        private let base: Base

        /// The server could not be reached or refused the connection.
        public static let connectionFailed = Code(base: .connectionFailed)
        /// An established connection broke during use.
        public static let connectionClosed = Code(base: .connectionClosed)
        /// The server answered a statement with an error; see `sqlState`.
        public static let server = Code(base: .server)
        /// libpq reported something this client did not expect.
        public static let protocolViolation = Code(base: .protocolViolation)
        /// A column value could not be turned into the requested Swift type.
        public static let decoding = Code(base: .decoding)
        /// The pool was shut down while the caller waited for a connection.
        public static let poolShutDown = Code(base: .poolShutDown)
        /// The calling task was cancelled while the statement ran.
        public static let cancelled = Code(base: .cancelled)
        /// The private, embedded PostgreSQL cluster could not be prepared or started.
        public static let embeddedCluster = Code(base: .embeddedCluster)
        /// A schema migration failed.
        public static let migration = Code(base: .migration)
        /// A bound value cannot be sent as PostgreSQL text (it holds a NUL character).
        public static let unencodableParameter = Code(base: .unencodableParameter)

        public var description: String { self.base.rawValue }
    }

    public var code: Code
    /// A message safe to show callers; never SQL or values.
    public var message: String
    /// The five-character SQLSTATE when the server sent one.
    public var sqlState: String?
    /// The server's severity, not localised (`ERROR`, `FATAL`, ...).
    public var severity: String?
    /// The server's primary message. May quote values, so it goes to logs, not to API callers.
    public var serverMessage: String?
    public var detail: String?
    public var hint: String?
    public var constraintName: String?
    public var file: String
    public var line: UInt

    public init(
        code: Code,
        message: String,
        sqlState: String? = nil,
        severity: String? = nil,
        serverMessage: String? = nil,
        detail: String? = nil,
        hint: String? = nil,
        constraintName: String? = nil,
        file: String = #fileID,
        line: UInt = #line
    ) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.severity = severity
        self.serverMessage = serverMessage
        self.detail = detail
        self.hint = hint
        self.constraintName = constraintName
        self.file = file
        self.line = line
    }

    public var description: String {
        "PostgresError(\(self.code)): \(self.message)"
    }

    public var debugDescription: String {
        var parts = ["PostgresError(\(self.code)): \(self.message)"]
        if let sqlState = self.sqlState { parts.append("sqlstate=\(sqlState)") }
        if let severity = self.severity { parts.append("severity=\(severity)") }
        if let serverMessage = self.serverMessage { parts.append("server=\(serverMessage)") }
        if let detail = self.detail { parts.append("detail=\(detail)") }
        if let hint = self.hint { parts.append("hint=\(hint)") }
        if let constraintName = self.constraintName { parts.append("constraint=\(constraintName)") }
        parts.append("at \(self.file):\(self.line)")
        return parts.joined(separator: " ")
    }
}

extension PostgresError {
    /// SQLSTATE codes this project branches on.
    public enum SQLState {
        public static let uniqueViolation = "23505"
        public static let foreignKeyViolation = "23503"
        public static let checkViolation = "23514"
        public static let notNullViolation = "23502"
        public static let serializationFailure = "40001"
        public static let deadlockDetected = "40P01"
        public static let queryCanceled = "57014"
        public static let adminShutdown = "57P01"
        public static let lockNotAvailable = "55P03"
        /// Also what a prepared statement gets when a table under it changed its result columns.
        public static let featureNotSupported = "0A000"
    }

    /// Whether the server rejected the statement because of a unique constraint.
    public var isUniqueViolation: Bool { self.sqlState == SQLState.uniqueViolation }
}
