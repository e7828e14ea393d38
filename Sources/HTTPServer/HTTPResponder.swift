/// The application side of `HTTPServer`: decides what to answer to each request.
///
/// The server calls `preflight(_:)` and `response(for:)` synchronously on one of its network threads, so
/// they must return quickly and never block; `respond(to:)` runs in a task and may await freely.
public protocol HTTPResponder: Sendable {
    /// Called once the head (request line + headers) is in, before any body byte is read; returning a
    /// response refuses the request without reading the body (used for authentication and content-length checks).
    ///
    /// The default implementation returns `nil`, accepting every request.
    ///
    /// - Parameter head: The request line and header fields.
    /// - Returns: The response to send instead of reading the body, or `nil` to go on.
    func preflight(_ head: HTTPRequestHead) -> HTTPResponse?

    /// Builds the response the server sends when it refuses a request by itself.
    ///
    /// The default implementation answers 413 with a small JSON body.
    ///
    /// - Parameter rejection: Why the request was refused.
    /// - Returns: The response to send.
    func response(for rejection: HTTPRejection) -> HTTPResponse

    /// Answers one complete request.
    ///
    /// Runs in its own task. When the server shuts down and the grace period ends, the task is cancelled
    /// and the client gets a 503 instead of whatever this returns later.
    ///
    /// - Parameter request: The request with its whole body.
    /// - Returns: The response to send.
    func respond(to request: HTTPRequest) async -> HTTPResponse
}

extension HTTPResponder {
    /// Accepts every request.
    public func preflight(_ head: HTTPRequestHead) -> HTTPResponse? {
        nil
    }

    /// Answers 413 with `{"error":"body_too_large","limitBytes":N}`.
    public func response(for rejection: HTTPRejection) -> HTTPResponse {
        switch rejection {
        case .bodyTooLarge(let limitBytes):
            HTTPResponse(
                status: 413,
                headers: ["Content-Type": "application/json"],
                body: Array(#"{"error":"body_too_large","limitBytes":\#(limitBytes)}"#.utf8)
            )
        }
    }
}
