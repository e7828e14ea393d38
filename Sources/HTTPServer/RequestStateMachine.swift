/// The life of one request on one connection, as a pure state machine: every event returns the action to take.
///
/// libmicrohttpd drives the first events from its network thread (head in, body bytes, body ended); the
/// responder task and the shutdown path drive the rest. `RequestContext` guards an instance with a lock
/// and carries out the returned action after releasing it. `Suspension` is the handle that resumes the
/// suspended connection; it is generic so the machine stays free of C types and is easy to test.
struct RequestStateMachine<Suspension> {
    enum State {
        /// Collecting body bytes; the responder has not been called.
        case readingBody([UInt8])
        /// The body passed the limit; the rest is read and dropped so that a 413 can be sent at its end.
        case discardingBody(discardedBytes: Int)
        /// The body is complete and the connection is being suspended; the responder starts next.
        case suspending
        /// The connection is suspended while the responder runs.
        case awaitingResponse(Suspension)
        /// The response is known and the connection resumed; the next network callback sends it.
        case responseReady(HTTPResponse)
        /// A response has been handed to libmicrohttpd.
        case responded(status: Int)
        /// libmicrohttpd reported the request finished; nothing more happens.
        case finished
    }

    /// What to do after a chunk of body bytes.
    enum BodyAction: Equatable {
        /// Ask for more.
        case proceed
        /// The client keeps sending far past the limit: close the connection without an answer.
        case closeConnection
    }

    /// What to do when libmicrohttpd calls with no new body bytes.
    enum PollAction {
        /// Suspend the connection, then start the responder with this request.
        case suspendAndRespond(HTTPRequest)
        /// Refuse the request; the caller builds the response for the rejection and sends it.
        case reject(HTTPRejection)
        /// Send this response.
        case send(HTTPResponse)
        /// Nothing to do yet.
        case none
    }

    /// What to do with a connection when a response arrives from elsewhere than the network thread.
    enum ResumeAction {
        /// Resume the connection so that the network thread sends the response.
        case resume(Suspension)
        /// The request is already answered or gone; drop the response.
        case none
    }

    /// The most memory reserved up front for a body whose length is announced.
    static var largestReservationBytes: Int { 64 * 1024 }

    let head: HTTPRequestHead
    let maxBodyBytes: Int
    /// How many bytes past the limit are read and dropped before the connection is closed instead.
    let discardAllowanceBytes: Int
    private(set) var state: State
    /// The response that replaces the responder's once shutdown gave up waiting; set at most once.
    private(set) var abandonment: HTTPResponse?

    /// Starts reading the body of the request with `head`.
    init(head: HTTPRequestHead, maxBodyBytes: Int, discardAllowanceBytes: Int, expectedBodyBytes: Int?) {
        self.head = head
        self.maxBodyBytes = maxBodyBytes
        self.discardAllowanceBytes = discardAllowanceBytes
        var body: [UInt8] = []
        if let expected = expectedBodyBytes {
            // Capped so that a client announcing a large body it never sends cannot make us reserve much.
            body.reserveCapacity(min(expected, maxBodyBytes, Self.largestReservationBytes))
        }
        self.state = .readingBody(body)
    }

    /// Records that the response was sent straight away, before the body was read (preflight or size refusal).
    mutating func respondedEarly(status: Int) {
        self.state = .responded(status: status)
    }

    /// Takes the next chunk of body bytes.
    mutating func receive(_ bytes: UnsafeRawBufferPointer) -> BodyAction {
        switch self.state {
        case .readingBody(var body):
            if body.count + bytes.count > self.maxBodyBytes {
                self.state = .discardingBody(discardedBytes: body.count + bytes.count)
                return .proceed
            }
            // Leave a placeholder while appending so the array is uniquely referenced and grows in place.
            self.state = .finished
            body.append(contentsOf: bytes)
            self.state = .readingBody(body)
            return .proceed
        case .discardingBody(let discarded):
            let total = discarded + bytes.count
            self.state = .discardingBody(discardedBytes: total)
            return total - self.maxBodyBytes > self.discardAllowanceBytes ? .closeConnection : .proceed
        case .suspending, .awaitingResponse, .responseReady, .responded, .finished:
            return .proceed
        }
    }

    /// Handles a network callback that brings no body bytes: either the body just ended or the connection resumed.
    mutating func poll() -> PollAction {
        switch self.state {
        case .readingBody(let body):
            if let abandonment = self.abandonment {
                self.state = .responded(status: abandonment.status)
                return .send(abandonment)
            }
            self.state = .suspending
            return .suspendAndRespond(HTTPRequest(head: self.head, body: body))
        case .discardingBody:
            self.state = .responded(status: 413)
            return .reject(.bodyTooLarge(limitBytes: self.maxBodyBytes))
        case .responseReady(let response):
            self.state = .responded(status: response.status)
            return .send(response)
        case .suspending, .awaitingResponse, .responded, .finished:
            return .none
        }
    }

    /// Records that the connection is suspended and can be resumed through `suspension`.
    ///
    /// - Returns: `.none` when the responder should start now, or `.resume` when shutdown already gave up on
    ///   this request, in which case the responder must not start.
    mutating func suspended(_ suspension: Suspension) -> ResumeAction {
        guard case .suspending = self.state else {
            preconditionFailure("a connection was suspended outside the suspending state")
        }
        if let abandonment = self.abandonment {
            self.state = .responseReady(abandonment)
            return .resume(suspension)
        }
        self.state = .awaitingResponse(suspension)
        return .none
    }

    /// Takes the response of the responder, or the stand-in response of a shutdown; only the first one counts.
    mutating func responseArrived(_ response: HTTPResponse) -> ResumeAction {
        guard case .awaitingResponse(let suspension) = self.state else { return .none }
        self.state = .responseReady(response)
        return .resume(suspension)
    }

    /// Gives up on the responder: the request gets `response` instead, now if it is waiting, or when its body ends.
    mutating func abandon(with response: HTTPResponse) -> ResumeAction {
        if self.abandonment == nil {
            self.abandonment = response
        }
        return self.responseArrived(response)
    }

    /// Whether the connection is suspended or resumed but not yet back in a network callback.
    var holdsSuspendedConnection: Bool {
        switch self.state {
        case .suspending, .awaitingResponse, .responseReady: true
        case .readingBody, .discardingBody, .responded, .finished: false
        }
    }

    /// Whether the request has a response on its way: being computed, waiting to be queued, or being sent.
    var hasResponsePending: Bool {
        switch self.state {
        case .suspending, .awaitingResponse, .responseReady, .responded: true
        case .readingBody, .discardingBody, .finished: false
        }
    }

    /// Records that libmicrohttpd finished the request; returns the status sent, if any.
    mutating func finish() -> Int? {
        defer { self.state = .finished }
        if case .responded(let status) = self.state {
            return status
        }
        return nil
    }
}

extension RequestStateMachine.BodyAction: Sendable {}
extension RequestStateMachine.PollAction: Sendable where Suspension: Sendable {}
extension RequestStateMachine.ResumeAction: Sendable where Suspension: Sendable {}
