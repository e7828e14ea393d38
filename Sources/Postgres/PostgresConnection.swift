import CLibPQ
import Dispatch
public import Logging
import Synchronization

/// One connection to PostgreSQL, and the only Swift code that calls libpq.
///
/// libpq calls block, so every call on the connection runs on the connection's own serial
/// dispatch queue, never on Swift's cooperative threads; async callers suspend until it is done.
/// Task cancellation sends libpq's thread-safe cancel request, and the connection is then
/// retired, so a late cancel can never hit a statement of the next user.
///
/// A connection is used by one caller at a time; `PostgresPool` hands it out exclusively.
public final class PostgresConnection: @unchecked Sendable {
    // Safe because `handle` and `preparedStatements` are touched only on `queue` (a serial queue) or
    // in `deinit`, `cancelHandle` only through `PQcancel`, which libpq documents as thread-safe, and
    // the flags sit behind atomics.
    private let handle: OpaquePointer
    /// The statements prepared on this connection, by SQL text, with their server-side names.
    private var preparedStatements: [String: String] = [:]
    private var preparedCount = 0
    private let cancelHandle: OpaquePointer?
    private let queue: DispatchQueue
    private let retired = Atomic<Bool>(false)
    let logger: Logger

    private init(handle: OpaquePointer, queue: DispatchQueue, logger: Logger) {
        self.handle = handle
        self.cancelHandle = PQgetCancel(handle)
        self.queue = queue
        self.logger = logger
    }

    deinit {
        if let cancelHandle = self.cancelHandle {
            PQfreeCancel(cancelHandle)
        }
        PQfinish(self.handle)
    }

    /// Opens a connection.
    ///
    /// - Throws: `PostgresError` (`.connectionFailed`) with libpq's reason.
    public static func connect(configuration: PostgresConfiguration, logger: Logger) async throws -> PostgresConnection
    {
        let queue = DispatchQueue(label: "fineract-jobs.postgres.connection")
        let keywords = configuration.connectionKeywords
        return try await withCheckedThrowingContinuation { continuation in
            queue.async {
                let handle = withCStringArrays(keywords.map(\.0), keywords.map { $0.1 as String? }) { names, values in
                    PQconnectdbParams(names, values, 0)
                }
                guard let handle else {
                    continuation.resume(
                        throwing: PostgresError(
                            code: .connectionFailed,
                            message: "libpq could not allocate a connection"
                        )
                    )
                    return
                }
                guard PQstatus(handle) == CONNECTION_OK else {
                    let reason = String(cString: PQerrorMessage(handle)).trimmingTrailingWhitespace()
                    PQfinish(handle)
                    continuation.resume(
                        throwing: PostgresError(
                            code: .connectionFailed,
                            message: "could not connect to the database",
                            serverMessage: reason
                        )
                    )
                    return
                }
                continuation.resume(returning: PostgresConnection(handle: handle, queue: queue, logger: logger))
            }
        }
    }

    /// Whether the connection can no longer be used and must be thrown away.
    public var isRetired: Bool {
        self.retired.load(ordering: .acquiring)
    }

    /// Runs one statement with bound parameters and returns its complete result.
    ///
    /// - Throws: `PostgresError`: `.server` with SQLSTATE and the server's fields, `.connectionClosed`
    ///   when the connection broke, `.cancelled` when the task was cancelled.
    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> PostgresRows {
        // libpq takes parameters as C strings, so a NUL would silently cut the value short; text in
        // PostgreSQL cannot hold one anyway.
        if let position = query.bindings.firstIndex(where: { $0?.utf8.contains(0) == true }) {
            throw PostgresError(
                code: .unencodableParameter,
                message: "parameter $\(position + 1) holds a NUL character, which PostgreSQL text cannot store"
            )
        }
        return try await self.run { handle in
            guard query.isPrepared else {
                let result = withCStringArrays([], query.bindings) { _, values in
                    PQexecParams(handle, query.sql, Int32(query.bindings.count), nil, values, nil, nil, 0)
                }
                return try Self.consume(result, handle: handle)
            }
            do {
                return try self.executePrepared(query, handle: handle)
            } catch let error as PostgresError
                where error.sqlState == PostgresError.SQLState.featureNotSupported
                && PQtransactionStatus(handle) == PQTRANS_IDLE
            {
                // "cached plan must not change result type": a table under the statement changed shape.
                // Outside a transaction nothing else was affected, so the statement is prepared anew.
                self.forgetPrepared(query.sql, handle: handle)
                return try self.executePrepared(query, handle: handle)
            }
        }
    }

    /// Runs `query` as this connection's prepared statement for its text, preparing it first when
    /// it is new. Call only on `queue`.
    private func executePrepared(_ query: PostgresQuery, handle: OpaquePointer) throws -> PostgresRows {
        let name: String
        if let known = self.preparedStatements[query.sql] {
            name = known
        } else {
            self.preparedCount += 1
            name = "fj_\(self.preparedCount)"
            _ = try Self.consume(PQprepare(handle, name, query.sql, Int32(query.bindings.count), nil), handle: handle)
            self.preparedStatements[query.sql] = name
        }
        let result = withCStringArrays([], query.bindings) { _, values in
            PQexecPrepared(handle, name, Int32(query.bindings.count), values, nil, nil, 0)
        }
        return try Self.consume(result, handle: handle)
    }

    /// Drops the prepared statement for `sql`, so the next use prepares it again. Call only on `queue`.
    private func forgetPrepared(_ sql: String, handle: OpaquePointer) {
        guard let name = self.preparedStatements.removeValue(forKey: sql) else { return }
        PQclear(PQexec(handle, "DEALLOCATE \(name)"))
    }

    /// Runs a script of one or more statements without parameters, such as a migration file.
    ///
    /// All statements run in the one implicit transaction of the simple query protocol unless the
    /// script manages transactions itself.
    public func execute(script: String) async throws {
        try await self.run { handle in
            let result = PQexec(handle, script)
            _ = try Self.consume(result, handle: handle)
            // A multi-statement script yields one result per statement; PQexec keeps only the last,
            // and reports an error from any statement in it.
        }
    }

    /// Asks the server whether the socket is still alive, without a round trip.
    ///
    /// Reads whatever the server sent while the connection was idle; a server that went away
    /// leaves an end-of-file there. Call only while holding the connection exclusively.
    func checkIdleHealth() async -> Bool {
        guard !self.isRetired else { return false }
        let healthy: Bool = await withCheckedContinuation { continuation in
            self.queue.async {
                // A server that ended the session first sends an error and then closes the socket; the
                // first read may take only the message, the second sees the end of the stream.
                var alive = true
                for _ in 0..<2 where alive {
                    alive = PQconsumeInput(self.handle) == 1 && PQstatus(self.handle) == CONNECTION_OK
                }
                continuation.resume(returning: alive)
            }
        }
        if !healthy {
            self.retire()
        }
        return healthy
    }

    /// Waits up to `timeoutMilliseconds` for notifications on channels this connection listens to.
    ///
    /// Blocks the connection's own queue in `poll(2)` on the socket, never a cooperative thread.
    ///
    /// - Returns: the notifications that arrived, possibly none.
    /// - Throws: `PostgresError` (`.connectionClosed`) when the connection broke.
    func waitForNotifications(timeoutMilliseconds: Int32) async throws -> [PostgresNotification] {
        try await self.run { handle in
            var received = Self.drainNotifications(handle)
            guard received.isEmpty else { return received }
            var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, timeoutMilliseconds)
            guard ready > 0 else { return [] }
            guard PQconsumeInput(handle) == 1 else {
                throw PostgresError(
                    code: .connectionClosed,
                    message: "the database connection was lost",
                    serverMessage: String(cString: PQerrorMessage(handle)).trimmingTrailingWhitespace()
                )
            }
            received = Self.drainNotifications(handle)
            return received
        }
    }

    private static func drainNotifications(_ handle: OpaquePointer) -> [PostgresNotification] {
        var received: [PostgresNotification] = []
        while let notify = PQnotifies(handle) {
            received.append(
                PostgresNotification(
                    channel: String(cString: notify.pointee.relname),
                    payload: String(cString: notify.pointee.extra)
                )
            )
            PQfreemem(notify)
        }
        return received
    }

    /// Marks the connection unusable; the pool closes it when it comes back.
    func retire() {
        self.retired.store(true, ordering: .releasing)
    }

    // MARK: - Running work on the connection's queue

    private func run<Value: Sendable>(
        _ work: @escaping @Sendable (OpaquePointer) throws -> Value
    ) async throws -> Value {
        guard !self.isRetired else {
            throw PostgresError(code: .connectionClosed, message: "the database connection is closed")
        }
        let cancelled = CancellationFlag()
        let value: Value = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                self.queue.async {
                    // A cancel that came before the statement was sent has nothing on the server to
                    // interrupt, so it must stop the statement here.
                    guard !cancelled.isSet else {
                        continuation.resume(
                            throwing: PostgresError(code: .cancelled, message: "the statement was cancelled")
                        )
                        return
                    }
                    let outcome = Result { try work(self.handle) }
                    if PQstatus(self.handle) != CONNECTION_OK {
                        self.retire()
                    }
                    continuation.resume(with: outcome)
                }
            }
        } onCancel: {
            cancelled.set()
            self.sendCancelRequest()
        }
        if cancelled.isSet {
            // The cancel request may arrive after the statement finished; never let it reach the
            // next statement of whoever gets this connection next.
            self.retire()
        }
        return value
    }

    private func sendCancelRequest() {
        guard let cancelHandle = self.cancelHandle else { return }
        var buffer = [CChar](repeating: 0, count: 256)
        _ = PQcancel(cancelHandle, &buffer, Int32(buffer.count))
        self.retire()
    }

    /// Copies a result out of libpq and frees it, turning failures into `PostgresError`.
    private static func consume(_ result: OpaquePointer?, handle: OpaquePointer) throws -> PostgresRows {
        guard let result else {
            throw PostgresError(
                code: .connectionClosed,
                message: "the database connection was lost",
                serverMessage: String(cString: PQerrorMessage(handle)).trimmingTrailingWhitespace()
            )
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return self.copyRows(result)
        default:
            throw self.makeError(result, handle: handle)
        }
    }

    private static func copyRows(_ result: OpaquePointer) -> PostgresRows {
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        var columns: [PostgresRows.Column] = []
        columns.reserveCapacity(columnCount)
        for column in 0..<columnCount {
            columns.append(
                .init(
                    name: String(cString: PQfname(result, Int32(column))),
                    type: PostgresDataType(oid: PQftype(result, Int32(column)))
                )
            )
        }
        var cells: [[String?]] = []
        cells.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            var values: [String?] = []
            values.reserveCapacity(columnCount)
            for column in 0..<columnCount {
                if PQgetisnull(result, Int32(row), Int32(column)) == 1 {
                    values.append(nil)
                } else {
                    values.append(String(cString: PQgetvalue(result, Int32(row), Int32(column))))
                }
            }
            cells.append(values)
        }
        let tuples = String(cString: PQcmdTuples(result))
        return PostgresRows(columns: columns, cells: cells, affectedRows: Int(tuples) ?? rowCount)
    }

    private static func makeError(_ result: OpaquePointer, handle: OpaquePointer) -> PostgresError {
        func field(_ code: Int32) -> String? {
            guard let pointer = PQresultErrorField(result, code) else { return nil }
            return String(cString: pointer)
        }
        guard let sqlState = field(fj_pg_diag_sqlstate) else {
            return PostgresError(
                code: PQstatus(handle) == CONNECTION_OK ? .protocolViolation : .connectionClosed,
                message: "the database connection failed",
                serverMessage: String(cString: PQerrorMessage(handle)).trimmingTrailingWhitespace()
            )
        }
        return PostgresError(
            code: sqlState == PostgresError.SQLState.queryCanceled ? .cancelled : .server,
            message: "the database rejected the statement",
            sqlState: sqlState,
            severity: field(fj_pg_diag_severity),
            serverMessage: field(fj_pg_diag_message_primary),
            detail: field(fj_pg_diag_message_detail),
            hint: field(fj_pg_diag_message_hint),
            constraintName: field(fj_pg_diag_constraint_name)
        )
    }
}

extension String {
    func trimmingTrailingWhitespace() -> String {
        var text = self
        while let last = text.last, last.isWhitespace {
            text.removeLast()
        }
        return text
    }
}

/// A flag set once by a task's cancellation handler and read on the connection's queue.
private final class CancellationFlag: Sendable {
    private let value = Atomic<Bool>(false)

    var isSet: Bool {
        self.value.load(ordering: .acquiring)
    }

    func set() {
        self.value.store(true, ordering: .releasing)
    }
}
