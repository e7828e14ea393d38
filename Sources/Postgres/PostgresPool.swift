public import Logging
import Synchronization

/// A bounded pool of connections that reconnects on its own after the server restarts.
///
/// Connections are opened lazily up to `maximumConnections`; callers beyond that wait in FIFO order.
/// A connection that broke is closed when it comes back, and an idle one is checked before reuse,
/// so after a server restart at most one statement per pooled connection sees the failure.
public final class PostgresPool: Sendable {
    private enum Grant {
        case connection(PostgresConnection)
        case connect
    }

    private typealias Waiter = CheckedContinuation<Grant, any Error>

    public let configuration: PostgresConfiguration
    private let logger: Logger
    private let state: Mutex<PostgresPoolStateMachine<PostgresConnection, Waiter>>
    private let nextWaiterID = Atomic<Int>(0)

    /// Creates a pool; no connection is opened until the first use.
    public init(configuration: PostgresConfiguration, maximumConnections: Int, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.state = Mutex(PostgresPoolStateMachine(maximumConnections: maximumConnections))
    }

    /// Runs `body` with a connection of its own, returning the connection afterwards.
    @discardableResult
    public func withConnection<Result: Sendable>(
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let connection = try await self.lease()
        do {
            let result = try await body(connection)
            self.giveBack(connection)
            return result
        } catch {
            self.giveBack(connection)
            throw error
        }
    }

    /// Runs `body` inside `BEGIN` ... `COMMIT`, rolling back when it throws.
    @discardableResult
    public func withTransaction<Result: Sendable>(
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await self.withConnection { connection in
            try await connection.query("BEGIN")
            do {
                let result = try await body(connection)
                try await connection.query("COMMIT")
                return result
            } catch {
                if !connection.isRetired {
                    // The original error matters more than a failed rollback; a broken connection is
                    // retired by the query itself and closed by the pool.
                    _ = try? await connection.query("ROLLBACK")
                }
                throw error
            }
        }
    }

    /// Runs one statement on any pooled connection.
    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> PostgresRows {
        try await self.withConnection { connection in
            try await connection.query(query)
        }
    }

    /// Closes idle connections and fails every waiting caller; connections in use close when returned.
    public func shutDown() {
        let (idle, waiters) = self.state.withLock { $0.shutDown() }
        for connection in idle {
            connection.retire()
        }
        for waiter in waiters {
            waiter.resume(throwing: PostgresError(code: .poolShutDown, message: "the database pool is shut down"))
        }
    }

    // MARK: - Leasing

    private func lease() async throws -> PostgresConnection {
        while true {
            let action = self.state.withLock { $0.lease() }
            switch action {
            case .use(let connection):
                if await connection.checkIdleHealth() {
                    return connection
                }
                self.logger.info("database connection found broken; reconnecting")
                self.perform(self.state.withLock { $0.discard() })
            case .connect:
                return try await self.openConnection()
            case .fail:
                throw PostgresError(code: .poolShutDown, message: "the database pool is shut down")
            case .wait:
                switch try await self.waitForGrant() {
                case .connection(let connection):
                    if await connection.checkIdleHealth() {
                        return connection
                    }
                    self.perform(self.state.withLock { $0.discard() })
                case .connect:
                    return try await self.openConnection()
                }
            }
        }
    }

    private func openConnection() async throws -> PostgresConnection {
        do {
            return try await PostgresConnection.connect(configuration: self.configuration, logger: self.logger)
        } catch {
            self.perform(self.state.withLock { $0.discard() })
            throw error
        }
    }

    private func waitForGrant() async throws -> Grant {
        let id = self.nextWaiterID.wrappingAdd(1, ordering: .relaxed).newValue
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: Waiter) in
                let parked = self.state.withLock { state in
                    // Checked under the lock so a cancellation that raced ahead is not missed.
                    if Task.isCancelled { return false }
                    state.enqueue(id: id, waiter: continuation)
                    return true
                }
                if !parked {
                    continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            if let waiter = self.state.withLock({ $0.removeWaiter(id: id) }) {
                waiter.resume(throwing: CancellationError())
            }
        }
    }

    private func giveBack(_ connection: PostgresConnection) {
        let action = self.state.withLock {
            state -> PostgresPoolStateMachine<PostgresConnection, Waiter>.ReleaseAction in
            if connection.isRetired || state.isShutDown {
                return state.discard()
            }
            return state.release(connection)
        }
        self.perform(action)
    }

    private func perform(_ action: PostgresPoolStateMachine<PostgresConnection, Waiter>.ReleaseAction) {
        switch action {
        case .none:
            break
        case .handOver(let connection, let waiter):
            waiter.resume(returning: .connection(connection))
        case .letWaiterConnect(let waiter):
            waiter.resume(returning: .connect)
        }
    }
}
