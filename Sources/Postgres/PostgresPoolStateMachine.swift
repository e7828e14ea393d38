/// The bookkeeping of `PostgresPool`: which connections are idle, how many exist, who waits.
///
/// A pure state machine: each event returns the action the pool must carry out after releasing
/// its lock, so no I/O or continuation resumption ever happens while the lock is held.
struct PostgresPoolStateMachine<Connection: AnyObject, Waiter> {
    /// What a caller asking for a connection must do next.
    enum LeaseAction {
        case use(Connection)
        case connect
        case wait
        case fail
    }

    /// What to do with a connection that came back, or a slot that was freed.
    enum ReleaseAction {
        case none
        case handOver(Connection, to: Waiter)
        case letWaiterConnect(Waiter)
    }

    private(set) var idle: [Connection] = []
    private(set) var openCount = 0
    private var waiters: [(id: Int, waiter: Waiter)] = []
    private(set) var isShutDown = false
    let maximumConnections: Int

    init(maximumConnections: Int) {
        precondition(maximumConnections > 0, "a pool needs room for at least one connection")
        self.maximumConnections = maximumConnections
    }

    var waiterCount: Int { self.waiters.count }

    /// A caller wants a connection.
    mutating func lease() -> LeaseAction {
        if self.isShutDown { return .fail }
        if let connection = self.idle.popLast() { return .use(connection) }
        if self.openCount < self.maximumConnections {
            self.openCount += 1
            return .connect
        }
        return .wait
    }

    /// A caller that got `.wait` parks itself.
    mutating func enqueue(id: Int, waiter: Waiter) {
        self.waiters.append((id, waiter))
    }

    /// A parked caller gave up (its task was cancelled); returns it if it was still parked.
    mutating func removeWaiter(id: Int) -> Waiter? {
        guard let index = self.waiters.firstIndex(where: { $0.id == id }) else { return nil }
        return self.waiters.remove(at: index).waiter
    }

    /// A healthy connection came back.
    mutating func release(_ connection: Connection) -> ReleaseAction {
        if !self.waiters.isEmpty {
            return .handOver(connection, to: self.waiters.removeFirst().waiter)
        }
        self.idle.append(connection)
        return .none
    }

    /// A connection was closed or could not be opened, freeing its slot.
    mutating func discard() -> ReleaseAction {
        self.openCount -= 1
        if !self.waiters.isEmpty, !self.isShutDown {
            self.openCount += 1
            return .letWaiterConnect(self.waiters.removeFirst().waiter)
        }
        return .none
    }

    /// The pool closes: returns the idle connections to close and the waiters to fail.
    mutating func shutDown() -> (idle: [Connection], waiters: [Waiter]) {
        self.isShutDown = true
        let idle = self.idle
        self.openCount -= idle.count
        self.idle = []
        let waiters = self.waiters.map(\.waiter)
        self.waiters = []
        return (idle, waiters)
    }
}
