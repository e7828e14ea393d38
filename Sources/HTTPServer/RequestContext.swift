/// The per-request object libmicrohttpd holds in its request slot between the first and the last callback.
///
/// `MicroHTTPDDaemon` stores it with `Unmanaged.passRetained` when the head arrives and releases that
/// reference in the request-completed callback. It is immutable: the request's changing state lives in
/// `RequestDispatcherStateMachine` under the dispatcher's lock, found by `id`.
final class RequestContext: Sendable {
    /// The dispatcher's identifier for the request; also logged as `request.id`.
    let id: UInt64
    /// The request method, kept for the log line written when the request finishes.
    let method: String
    /// The decoded path, kept for the log line written when the request finishes.
    let path: String
    /// When the head arrived.
    let startedAt: ContinuousClock.Instant

    init(id: UInt64, method: String, path: String, startedAt: ContinuousClock.Instant) {
        self.id = id
        self.method = method
        self.path = path
        self.startedAt = startedAt
    }
}
