/// Everything the server tracks about its requests in flight, as a pure state machine guarded by one lock.
///
/// `RequestDispatcher` keeps this behind a `Mutex`: each method changes the state and returns what to do,
/// and the dispatcher does it after releasing the lock. Keeping every request in one place makes the
/// shutdown steps atomic: no request can slip between "give up on everyone" and "count who is suspended".
struct RequestDispatcherStateMachine {
    /// How far shutdown has gone.
    enum Phase: Equatable {
        /// Accepting and answering requests.
        case serving
        /// No new connections; requests in flight finish and their responses close the connection.
        case draining
        /// The grace period is over: responders are cancelled and every open request gets a stand-in response.
        case abandoning
    }

    /// A condition a shutdown step waits for.
    enum Condition {
        /// No request is in flight.
        case noRequestsInFlight
        /// No connection is suspended, so libmicrohttpd may be stopped.
        case noSuspendedConnections
        /// No response is being computed or sent; requests still reading their body do not count.
        case noResponsesPending
    }

    /// What to do once a suspended connection has been recorded.
    enum SuspendedAction {
        /// Start the responder.
        case startResponder
        /// Shutdown already gave up on this request: resume the connection at once and start nothing.
        case resume(SuspendedConnection)
    }

    private struct Entry {
        var machine: RequestStateMachine<SuspendedConnection>
        var responderTask: Task<Void, Never>?
    }

    private struct Waiter {
        var condition: Condition
        var continuation: CheckedContinuation<Bool, Never>
    }

    private(set) var phase: Phase = .serving
    private var requests: [UInt64: Entry] = [:]
    /// Connections between "about to suspend" and "back in a network callback (or closed)".
    private(set) var suspendedCount = 0
    private var waiters: [UInt64: Waiter] = [:]
    private var nextRequestID: UInt64 = 0
    private var nextWaiterID: UInt64 = 0

    /// The number of requests whose head has arrived and that libmicrohttpd has not finished yet.
    var inFlightCount: Int { self.requests.count }

    // MARK: Network-thread events

    /// Registers a request whose head just arrived and returns its identifier.
    mutating func begin(_ machine: RequestStateMachine<SuspendedConnection>) -> UInt64 {
        self.nextRequestID += 1
        self.requests[self.nextRequestID] = Entry(machine: machine, responderTask: nil)
        return self.nextRequestID
    }

    /// Records that the request was answered before its body was read.
    mutating func respondedEarly(_ id: UInt64, status: Int) {
        self.requests[id]?.machine.respondedEarly(status: status)
    }

    /// Feeds body bytes to the request.
    mutating func receive(_ id: UInt64, _ bytes: UnsafeRawBufferPointer)
        -> RequestStateMachine<SuspendedConnection>
        .BodyAction
    {
        self.requests[id]?.machine.receive(bytes) ?? .closeConnection
    }

    /// Handles a network callback without body bytes, keeping count of suspended connections.
    mutating func poll(_ id: UInt64) -> RequestStateMachine<SuspendedConnection>.PollAction {
        guard var entry = self.requests[id] else { return .none }
        let wasHolding = entry.machine.holdsSuspendedConnection
        let action = entry.machine.poll()
        self.suspendedCount += Self.change(from: wasHolding, to: entry.machine.holdsSuspendedConnection)
        self.requests[id] = entry
        return action
    }

    /// Records the suspended connection of a request whose body is complete.
    mutating func suspended(_ id: UInt64, _ suspension: SuspendedConnection) -> SuspendedAction {
        guard case .resume(let connection) = self.requests[id]?.machine.suspended(suspension) else {
            return .startResponder
        }
        return .resume(connection)
    }

    /// Keeps the responder task so shutdown can cancel it.
    ///
    /// - Returns: `false` when the task should be cancelled right away because shutdown already gave up.
    mutating func attach(_ task: Task<Void, Never>, to id: UInt64) -> Bool {
        guard self.phase != .abandoning, self.requests[id] != nil else { return false }
        self.requests[id]?.responderTask = task
        return true
    }

    /// Takes the responder's response; only the first response for a request counts.
    mutating func responseArrived(_ id: UInt64, _ response: HTTPResponse)
        -> RequestStateMachine<SuspendedConnection>.ResumeAction
    {
        self.requests[id]?.machine.responseArrived(response) ?? .none
    }

    /// Forgets a request libmicrohttpd has finished; returns the status that was sent, if any.
    mutating func finish(_ id: UInt64) -> Int? {
        guard var entry = self.requests.removeValue(forKey: id) else { return nil }
        if entry.machine.holdsSuspendedConnection {
            self.suspendedCount -= 1
        }
        return entry.machine.finish()
    }

    // MARK: Shutdown

    /// Enters the draining phase.
    mutating func beginDraining() {
        if self.phase == .serving {
            self.phase = .draining
        }
    }

    /// Gives up on every request in flight: each gets `response`, now or when its body ends.
    ///
    /// - Returns: The connections to resume and the responder tasks to cancel.
    mutating func abandonAll(with response: HTTPResponse) -> (
        resume: [SuspendedConnection], cancel: [Task<Void, Never>]
    ) {
        self.phase = .abandoning
        var resume: [SuspendedConnection] = []
        var cancel: [Task<Void, Never>] = []
        for id in self.requests.keys {
            if case .resume(let connection) = self.requests[id]?.machine.abandon(with: response) {
                resume.append(connection)
            }
            if let task = self.requests[id]?.responderTask {
                cancel.append(task)
            }
        }
        return (resume, cancel)
    }

    // MARK: Waiting

    /// Parks `continuation` until `condition` holds.
    ///
    /// - Returns: The waiter's identifier, or `nil` when the condition already holds; the caller then resumes
    ///   `continuation` with `true` itself.
    mutating func addWaiter(
        for condition: Condition,
        _ continuation: CheckedContinuation<Bool, Never>
    ) -> UInt64? {
        guard !self.holds(condition) else { return nil }
        self.nextWaiterID += 1
        self.waiters[self.nextWaiterID] = Waiter(condition: condition, continuation: continuation)
        return self.nextWaiterID
    }

    /// Removes a waiter whose deadline passed; returns its continuation unless it was already woken.
    mutating func removeWaiter(_ id: UInt64) -> CheckedContinuation<Bool, Never>? {
        self.waiters.removeValue(forKey: id)?.continuation
    }

    /// Removes and returns the waiters whose condition now holds; the caller resumes them with `true`.
    mutating func takeSatisfiedWaiters() -> [CheckedContinuation<Bool, Never>] {
        guard !self.waiters.isEmpty else { return [] }
        let satisfied = self.waiters.filter { self.holds($0.value.condition) }
        for id in satisfied.keys {
            self.waiters[id] = nil
        }
        return satisfied.values.map(\.continuation)
    }

    private func holds(_ condition: Condition) -> Bool {
        switch condition {
        case .noRequestsInFlight: self.requests.isEmpty
        case .noSuspendedConnections: self.suspendedCount == 0
        case .noResponsesPending: !self.requests.values.contains { $0.machine.hasResponsePending }
        }
    }

    private static func change(from wasHolding: Bool, to isHolding: Bool) -> Int {
        switch (wasHolding, isHolding) {
        case (false, true): 1
        case (true, false): -1
        default: 0
        }
    }
}
