import Dispatch
import Logging
import Synchronization

/// Turns libmicrohttpd's callbacks into calls on an `HTTPResponder`, and tracks requests in flight for shutdown.
///
/// The network-facing methods (`begin`, `receive`, `poll`, `connectionSuspended`, `finished`) run on
/// libmicrohttpd's threads and never wait for async work. All mutable state sits in one
/// `RequestDispatcherStateMachine` behind a `Mutex`; actions it returns are carried out after the lock is
/// released. Waiting for shutdown conditions uses continuations woken by state changes or by a deadline
/// timer, so it works even in a task that is already cancelled.
final class RequestDispatcher: Sendable {
    /// What libmicrohttpd should do after a callback.
    enum NetworkAction {
        /// Carry on reading the request.
        case proceed
        /// Close the connection without an answer.
        case closeConnection
        /// Queue this response.
        case send(HTTPResponse)
        /// Suspend the connection, then call `connectionSuspended(_:request:suspension:)`.
        case suspendAndRespond(HTTPRequest)
    }

    /// How libmicrohttpd ended a request.
    enum Termination: String, Sendable {
        case completed
        case error
        case timeout
        case shutdown
        case readError = "read_error"
        case clientAbort = "client_abort"
    }

    /// Bytes past the body limit that are read and dropped so the client can get a 413; past that, the
    /// connection is closed instead. libmicrohttpd 0.9.75 cannot queue a response in the middle of a body.
    static let discardAllowanceBytes = 1024 * 1024

    private let responder: any HTTPResponder
    private let logger: Logger
    private let maxBodyBytes: Int
    private let state = Mutex(RequestDispatcherStateMachine())
    private let libraryMessages = Mutex<[String]>([])

    init(responder: any HTTPResponder, logger: Logger, maxBodyBytes: Int) {
        self.responder = responder
        self.logger = logger
        self.maxBodyBytes = maxBodyBytes
    }

    // MARK: Network-thread callbacks

    /// Registers a request whose head just arrived and decides whether to read its body.
    func begin(_ head: HTTPRequestHead) -> (RequestContext, NetworkAction) {
        let declaredBodyBytes = head.headers["Content-Length"].flatMap { Int($0) }
        let machine = RequestStateMachine<SuspendedConnection>(
            head: head,
            maxBodyBytes: self.maxBodyBytes,
            discardAllowanceBytes: Self.discardAllowanceBytes,
            expectedBodyBytes: declaredBodyBytes
        )
        let (id, phase) = self.withState { state in (state.begin(machine), state.phase) }
        let context = RequestContext(id: id, method: head.method, path: head.path, startedAt: .now)

        let early: HTTPResponse? =
            if phase == .abandoning {
                Self.unavailableResponse
            } else if let refusal = self.responder.preflight(head) {
                refusal
            } else if let declaredBodyBytes, declaredBodyBytes > self.maxBodyBytes {
                self.responder.response(for: .bodyTooLarge(limitBytes: self.maxBodyBytes))
            } else {
                nil
            }
        guard let early else { return (context, .proceed) }
        let response = self.finalize(early)
        self.withState { $0.respondedEarly(id, status: response.status) }
        return (context, .send(response))
    }

    /// Takes body bytes; `bytes` is valid only during this call.
    func receive(_ bytes: UnsafeRawBufferPointer, for context: RequestContext) -> NetworkAction {
        switch self.withState({ $0.receive(context.id, bytes) }) {
        case .proceed: .proceed
        case .closeConnection: .closeConnection
        }
    }

    /// Handles a callback without body bytes: the body has ended, or the connection came back from suspension.
    func poll(_ context: RequestContext) -> NetworkAction {
        switch self.withState({ $0.poll(context.id) }) {
        case .suspendAndRespond(let request):
            .suspendAndRespond(request)
        case .reject(let rejection):
            .send(self.finalize(self.responder.response(for: rejection)))
        case .send(let response):
            .send(response)
        case .none:
            .proceed
        }
    }

    /// Starts the responder for a request whose connection was just suspended.
    func connectionSuspended(_ context: RequestContext, request: HTTPRequest, suspension: SuspendedConnection) {
        if case .resume(let connection) = self.withState({ $0.suspended(context.id, suspension) }) {
            connection.resume()
            return
        }
        // Bridging point: libmicrohttpd calls us on one of its own threads, which must return to polling
        // sockets rather than wait for async work, so the responder runs in an unstructured task. It is
        // not fire-and-forget: the state machine keeps the handle, shutdown waits for the request and
        // cancels the task after the grace period, and the task's result resumes the connection once.
        let id = context.id
        let task = Task {
            let response = await self.responder.respond(to: request)
            self.deliver(response, to: id)
        }
        if !self.withState({ $0.attach(task, to: id) }) {
            task.cancel()
        }
    }

    /// Forgets a request libmicrohttpd has finished and writes its log line.
    func finished(_ context: RequestContext, termination: Termination) {
        let status = self.withState { $0.finish(context.id) }
        let elapsed = ContinuousClock.now - context.startedAt
        var metadata: Logger.Metadata = [
            .requestID: "\(context.id)",
            .httpMethod: .string(context.method),
            .httpPath: .string(context.path),
            .httpDurationMilliseconds: "\(Self.milliseconds(elapsed))",
        ]
        if let status {
            metadata[.httpStatus] = "\(status)"
        }
        if termination != .completed {
            metadata[.httpTermination] = .string(termination.rawValue)
        }
        self.logger.debug("HTTP request finished", metadata: metadata)
    }

    /// Records a line libmicrohttpd logged; kept briefly so a failed start can explain itself.
    func libraryLogged(_ message: String) {
        self.libraryMessages.withLock { messages in
            messages.append(message)
            if messages.count > 8 {
                messages.removeFirst()
            }
        }
        self.logger.debug("libmicrohttpd message", metadata: [.httpLibraryMessage: .string(message)])
    }

    /// Records a response header libmicrohttpd refused (for example one whose value has a line break).
    func headerRefused(name: String) {
        self.logger.debug("response header refused", metadata: [.httpHeaderName: .string(name)])
    }

    /// The lines libmicrohttpd logged most recently, oldest first.
    var recentLibraryMessages: [String] {
        self.libraryMessages.withLock { $0 }
    }

    // MARK: Shutdown

    /// The number of requests whose head has arrived and that are not finished.
    var inFlightCount: Int {
        self.state.withLock { $0.inFlightCount }
    }

    /// Starts draining: responses from now on close their connection.
    func beginDraining() {
        self.withState { $0.beginDraining() }
    }

    /// Cancels every responder and answers every open request with a 503.
    func abandonInFlight() {
        let (resume, cancel) = self.withState { $0.abandonAll(with: Self.unavailableResponse) }
        for task in cancel {
            task.cancel()
        }
        for connection in resume {
            connection.resume()
        }
    }

    /// Waits until `condition` holds or `deadline` passes, whichever is first; ignores task cancellation.
    ///
    /// - Returns: `true` when the condition holds, `false` when the deadline passed first.
    func wait(
        for condition: RequestDispatcherStateMachine.Condition,
        until deadline: ContinuousClock.Instant
    ) async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            guard let waiterID = self.withState({ $0.addWaiter(for: condition, continuation) }) else {
                continuation.resume(returning: true)
                return
            }
            // Clamped to a day so the nanosecond count cannot overflow; shutdown never waits that long.
            let delay = min(max(deadline - .now, .zero), .seconds(86_400))
            let nanoseconds = delay.components.seconds * 1_000_000_000 + delay.components.attoseconds / 1_000_000_000
            DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(nanoseconds))) {
                self.withState { $0.removeWaiter(waiterID) }?.resume(returning: false)
            }
        }
    }

    // MARK: Helpers

    /// The answer to requests cut short by shutdown.
    static let unavailableResponse = HTTPResponse(
        status: 503,
        headers: ["Content-Type": "application/json", "Connection": "close"],
        body: Array(#"{"error":"shutting_down"}"#.utf8)
    )

    private func deliver(_ response: HTTPResponse, to id: UInt64) {
        let response = self.finalize(response)
        if case .resume(let connection) = self.withState({ $0.responseArrived(id, response) }) {
            connection.resume()
        }
    }

    /// Applies the server's rules to a response: a status libmicrohttpd can send, and `Connection: close`
    /// once shutdown has begun so clients do not reuse the connection.
    private func finalize(_ response: HTTPResponse) -> HTTPResponse {
        var response = response
        if !(100...999).contains(response.status) {
            self.logger.error("responder returned an invalid status", metadata: [.httpStatus: "\(response.status)"])
            response = HTTPResponse(status: 500)
        }
        if self.state.withLock({ $0.phase }) != .serving {
            response.headers.replaceOrAdd(name: "Connection", value: "close")
        }
        return response
    }

    /// Runs `body` under the lock, then wakes the waiters whose condition became true.
    private func withState<Result: Sendable>(
        _ body: (inout RequestDispatcherStateMachine) -> Result
    ) -> Result {
        let (result, woken) = self.state.withLock { state in
            (body(&state), state.takeSatisfiedWaiters())
        }
        for continuation in woken {
            continuation.resume(returning: true)
        }
        return result
    }

    private static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        let microseconds = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        return Double(microseconds) / 1000
    }
}
